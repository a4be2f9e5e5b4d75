// Spawns a command inside a sandbox: new mount, PID, IPC, UTS, cgroup and (in
// network mode none) network namespaces; a read-only root of bind mounts with
// a size-capped /tmp, a /proc of the sandbox's processes only and a minimal
// /dev; a user namespace mapping the function's uid to the instance's own
// host uid; no capabilities (for the command and for its init), no_new_privs
// and a seccomp filter. The caller adds
// the process to its cgroup and sets up listeners in its network namespace,
// then calls Start(); only then does the command run.
#pragma once

#include <memory>
#include <string>

#include "core/fs.h"
#include "core/status.h"
#include "sandbox/seccomp_policy.h"
#include "sandbox/spec.h"

namespace nimbus::sandbox {

// How a sandbox ended.
struct ExitInfo {
  enum class Kind {
    kExited,       // the command exited with `code`
    kSignaled,     // the command died of `signal`
    kKilled,       // the sandbox was killed from outside (Kill(), OOM of init)
    kSetupFailed,  // the sandbox could not be built; `message` says where
  };
  Kind kind = Kind::kKilled;
  int code = 0;
  int signal = 0;
  std::string message;

  // "exit status 1", "signal: killed", as Lambda words a runtime's end.
  std::string Describe() const;
};

class Process {
 public:
  virtual ~Process() = default;
  virtual int pid() const = 0;
  // Becomes readable when the sandbox's init has exited.
  virtual int pidfd() const = 0;
  // The sandbox's network namespace (meaningful in network mode none).
  virtual Result<UniqueFd> OpenNetns() const = 0;
  // Lets the command start.
  virtual Status Start() = 0;
  // Kills every process of the sandbox. Idempotent.
  virtual void Kill() = 0;
  // Reaps the sandbox once pidfd() is readable (blocks otherwise) and tells how it ended.
  virtual ExitInfo Reap() = 0;
};

struct SpawnContext {
  std::string staging_root;  // an empty directory; each sandbox mounts its root over it privately
  const SeccompProgram* seccomp = nullptr;
  int init_fd = -1;          // an executable nimbus-init (see sandboxer.h), or -1
  // The user namespace to join, mapping spec.uid/gid to the instance's host
  // ids (userns.h); or -1 to run as host_uid/host_gid directly.
  int userns_fd = -1;
  uint32_t host_uid = 0;     // without userns_fd: the ids to run as (0: spec.uid/gid)
  uint32_t host_gid = 0;
  bool cgroup_namespace = false;     // the kernel has cgroup namespaces
  bool proc_subset = false;          // proc takes subset=pid,hidepid=invisible (Linux 5.8)
  bool recursive_read_only = false;  // mount_setattr(2) exists (Linux 5.12)
};

Result<std::unique_ptr<Process>> Spawn(const SandboxSpec& spec, const SpawnContext& context);

}  // namespace nimbus::sandbox
