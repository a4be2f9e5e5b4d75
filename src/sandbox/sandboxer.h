// The isolation layer's entry point: checks what the host can enforce, owns
// what every sandbox shares (seccomp program, staging root, cgroup parent),
// and spawns sandboxed processes with their cgroup.
//
// Ownership: the server creates one, on its starting thread, and owns it.
// Each SandboxedProcess belongs to whoever Spawn handed it to; all must be
// gone before the Sandboxer, whose destructor removes this server's cgroup
// parent (the server shuts the invoker down, disposing of every instance,
// first). Describe and missing() are constant after Create: any thread.
// Spawn may run on several threads at once (the invoker spawns from a pool
// of threads): what it shares is read-only after Create or guarded (the uid
// pool, the kept user namespaces). It blocks for the clone, the namespaces
// and the cgroup, so callers keep it off the event loops.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "core/status.h"
#include "sandbox/cgroup.h"
#include "sandbox/process.h"
#include "sandbox/spec.h"
#include "sandbox/uid_pool.h"

namespace nimbus::sandbox {

struct SandboxerOptions {
  std::string state_dir;                     // holds the staging root
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string scope;                         // unique per server process
  // Run without the features the host lacks instead of refusing to start.
  bool allow_weak_isolation = false;
  // The host uids (and equal gids) instances run as, one per live instance.
  UidPoolOptions uids;
};

// A sandboxed process with its cgroup; destroying it kills the process and
// removes the group.
struct SandboxedProcess {
  std::unique_ptr<Process> process;
  std::unique_ptr<Cgroup> cgroup;  // null under weak isolation without cgroups
  std::unique_ptr<UidLease> uid;   // held until the process is gone
  ~SandboxedProcess();

  // The host uid owning the instance's processes, files and sockets: what a
  // listener meant for this instance alone checks its peers against.
  uint32_t host_uid() const { return uid ? uid->uid() : 0; }
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
  // The user namespace mapping (inside uid, inside gid) to a host uid.
  Result<int> UserNamespaceFor(uint32_t host_uid, uint32_t inside_uid, uint32_t inside_gid);

  SandboxerOptions options_;
  SeccompProgram seccomp_;
  std::unique_ptr<UidPool> uids_;
  bool user_namespaces_ = false;
  std::string no_user_namespaces_;  // why not, when not
  bool cgroup_namespaces_ = false;
  bool proc_subset_ = false;
  bool recursive_read_only_ = false;
  // A user namespace's mapping never changes, so each is kept for the next
  // instance given the same host uid; guarded by userns_mu_.
  std::mutex userns_mu_;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, UniqueFd> userns_;
  std::unique_ptr<CgroupDriver> cgroups_;
  std::vector<std::string> missing_;
  std::string staging_root_;
  UniqueFd init_;  // nimbus-init, executable from memory
};

}  // namespace nimbus::sandbox
