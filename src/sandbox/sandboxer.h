// The isolation layer's entry point: checks what the host can enforce, owns
// what every sandbox shares (seccomp program, staging root, cgroup parent),
// and spawns sandboxed processes with their cgroup.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "sandbox/cgroup.h"
#include "sandbox/process.h"
#include "sandbox/spec.h"

namespace nimbus::sandbox {

struct SandboxerOptions {
  std::string state_dir;                     // holds the staging root
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string scope;                         // unique per server process
  // Run without the features the host lacks instead of refusing to start.
  bool allow_weak_isolation = false;
};

// A sandboxed process with its cgroup; destroying it kills the process and
// removes the group.
struct SandboxedProcess {
  std::unique_ptr<Process> process;
  std::unique_ptr<Cgroup> cgroup;  // null under weak isolation without cgroups
  ~SandboxedProcess();
};

class Sandboxer {
 public:
  static Result<std::unique_ptr<Sandboxer>> Create(const SandboxerOptions& options);
  ~Sandboxer();

  // Spawns `spec` (not started yet: call process->Start()). `name` names the cgroup.
  Result<std::unique_ptr<SandboxedProcess>> Spawn(const SandboxSpec& spec, const std::string& name);

  // What is enforced, for the startup log and the health endpoint.
  std::string Describe() const;
  // Features this host lacks (empty when fully isolated).
  const std::vector<std::string>& missing() const { return missing_; }

 private:
  Sandboxer() = default;
  SandboxerOptions options_;
  SeccompProgram seccomp_;
  std::unique_ptr<CgroupDriver> cgroups_;
  std::vector<std::string> missing_;
  std::string staging_root_;
  UniqueFd init_;  // nimbus-init, executable from memory
};

}  // namespace nimbus::sandbox
