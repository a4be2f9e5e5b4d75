// The child side of Spawn(): the ordered recipe that turns a freshly cloned
// process into a sandbox. It runs in a copy of a multi-threaded server, so it
// may only make system calls on data prepared beforehand — no allocation, no
// locks, no C++ library calls that might take either. Internal to src/sandbox.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace nimbus::sandbox::internal {

enum class OpKind : uint8_t { kBindDir, kBindFile, kTmpfs, kSymlink, kFile, kDir, kProc };

// One step of building the root, with absolute host-side paths under the
// staging root (e.g. "<staging>/var/task").
struct MountOp {
  OpKind kind;
  const char* source;   // bind source, symlink target, or file contents
  const char* target;   // absolute path under the staging root
  const char* data;     // tmpfs options ("size=512m,mode=1777")
  bool read_only;
  bool hide_source;     // bind dir: through an overlay, so the host path stays unseen
  int mode;
};

// Steps of the recipe, reported to the parent when one fails.
enum Step : int32_t {
  kStepCloseFds = 1,
  kStepPrivateMounts,
  kStepRootTmpfs,
  kStepMounts,
  kStepReadOnlyRoot,
  kStepPivotRoot,
  kStepHostname,
  kStepWaitForGo,
  kStepFork,
  kStepCgroupNamespace,
  kStepUserNamespace,
  kStepIds,
  kStepCapabilities,
  kStepSeccomp,
};

// What the child writes to the status pipe: a setup failure or the command's end.
struct StatusMessage {
  int32_t kind;    // 1 = setup failed, 2 = command ended
  int32_t a;       // failed step, or wait status
  int32_t b;       // errno of the failure
  int32_t c;       // index of the failing mount op, or -1
};

struct ChildPlan {
  const char* staging_root;
  std::vector<MountOp> ops;
  char* const* argv;
  char* const* envp;
  const char* cwd;
  const char* hostname;
  uid_t uid;                // the ids the command runs as: the function's ids inside
  gid_t gid;                // userns_fd, or the instance's host ids without one
  int userns_fd;            // the instance's user namespace (see userns.h), or -1
  bool cgroup_namespace;    // unshare the cgroup namespace once placed in the cgroup
  bool proc_subset;         // mount /proc with subset=pid,hidepid=invisible
  bool recursive_read_only; // mount_setattr(2) is available
  int output_fd;
  int sync_fd;    // read end: one byte means "start the command"
  int status_fd;  // write end: StatusMessage
  sock_fprog seccomp;
  int cap_last;
  uint64_t nofile;
  int init_fd;              // nimbus-init in memory, or -1 to stay in this image
  char* const* init_argv;   // {"nimbus-init", "<status fd>", nullptr}
  const char* empty_dir;    // scratch directory under the staging root (overlay lower layer)
};

[[noreturn]] void RunChild(const ChildPlan& plan);

}  // namespace nimbus::sandbox::internal
