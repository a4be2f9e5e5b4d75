// Host uids for function instances: each live instance holds one uid of a
// range reserved for Nimbus, so that no two instances share the kernel's
// per-user limits, files or signal rights, and so that a socket's owner names
// the instance that made it.
//
// The default range is 2080000000–2080065535. It lies above the ranges
// systemd hands to containers (524288–1879048191) and SSSD's default ID-mapping
// range (200000–2000200000), below systemd's foreign range and 2^31 (which some
// tools still treat as signed), and far above regular users and subordinate-uid
// ranges allocated from 100000. Every server on the host draws from the same
// range; a uid in use is marked by an flock on a file named after it in a
// shared lock directory, which the kernel releases if a server dies, so
// concurrent servers never hand out the same uid.
//
// Thread-safe. A lease returns its uid when destroyed, also after the pool.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"

namespace nimbus::sandbox {

struct UidPoolOptions {
  uint32_t base = 2080000000;
  uint32_t count = 65536;
  std::string lock_dir = "/run/nimbus/uids";  // shared by every server on the host
};

class UidLease {
 public:
  virtual ~UidLease() = default;
  virtual uint32_t uid() const = 0;
};

class UidPool {
 public:
  // Fails when the lock directory cannot be created.
  static Result<std::unique_ptr<UidPool>> Create(const UidPoolOptions& options);
  virtual ~UidPool() = default;

  // The lowest uid of the range that no instance of any server holds.
  virtual Result<std::unique_ptr<UidLease>> Acquire() = 0;
  virtual const UidPoolOptions& options() const = 0;
};

}  // namespace nimbus::sandbox
