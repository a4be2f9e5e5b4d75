// Control groups for function instances, on both cgroup v1 (a hierarchy per
// controller) and v2 (one unified hierarchy). An instance's group caps its
// memory with no swap, its number of tasks, and weights its CPU share by its
// memory, as Lambda does.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "sandbox/spec.h"

namespace nimbus::sandbox {

class Cgroup {
 public:
  virtual ~Cgroup() = default;
  virtual Status AddProcess(int pid) = 0;
  // Highest memory use seen, in bytes (0 when the kernel cannot tell, and
  // after Destroy). The counter stays open for the group's life, so a read is
  // one system call; the caller must not read while another thread destroys.
  virtual uint64_t PeakMemoryBytes() = 0;
  // Number of OOM kills inside the group so far.
  virtual uint64_t OomKills() = 0;
  // Removes the group; its processes must be gone. Retries briefly while the
  // kernel finishes tearing them down.
  virtual Status Destroy() = 0;
};

class CgroupDriver {
 public:
  virtual ~CgroupDriver() = default;
  virtual const char* version() const = 0;  // "v1" or "v2"
  // Creates the group `name` with `limits`.
  virtual Result<std::unique_ptr<Cgroup>> Create(const std::string& name,
                                                 const Limits& limits) = 0;
  // Removes the driver's own parent group (at server shutdown).
  virtual void Cleanup() = 0;
};

// Detects the host's layout under `mount_root` (normally /sys/fs/cgroup) and
// prepares a parent group named `scope` for this server's instances. Fails,
// naming what is missing, when memory, pids or cpu control is unavailable.
Result<std::unique_ptr<CgroupDriver>> NewCgroupDriver(const std::string& mount_root,
                                                      const std::string& scope);

// A scope name unique to this server process, "<pid>-<6 hex digits>". The
// driver removes scopes of this form whose process is gone (a server killed
// outright never cleans up), so servers should name their scope with it.
std::string NewCgroupScope();

// Lambda's CPU share: one full CPU at 1769 MB, proportional below and above.
uint32_t CpuWeightForMemory(uint64_t memory_mb);

}  // namespace nimbus::sandbox
