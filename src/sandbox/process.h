// Spawns a command inside a sandbox: new mount, PID, IPC, UTS and (in network
// mode none) network namespaces; a read-only root of bind mounts with a
// size-capped /tmp, a fresh /proc and a minimal /dev; an unprivileged uid
// without capabilities, no_new_privs and a seccomp filter. The caller adds
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
};

Result<std::unique_ptr<Process>> Spawn(const SandboxSpec& spec, const SpawnContext& context);

}  // namespace nimbus::sandbox
