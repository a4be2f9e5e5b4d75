#include "sandbox/contain.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

namespace nimbus::sandbox::internal {
namespace {

// Everything below avoids the heap and locks (see contain.h).

void Report(int fd, int32_t kind, int32_t a, int32_t b, int32_t c) {
  StatusMessage m{kind, a, b, c};
  ssize_t n;
  do {
    n = ::write(fd, &m, sizeof m);
  } while (n < 0 && errno == EINTR);
}

[[noreturn]] void Fail(const ChildPlan& plan, Step step, int32_t op_index = -1) {
  Report(plan.status_fd, 1, step, errno, op_index);
  ::_exit(125);
}

size_t Length(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

// mkdir -p for an absolute path, using a stack buffer.
bool MakeDirs(const char* path, int mode) {
  char buf[4096];
  size_t len = Length(path);
  if (len >= sizeof buf) {
    errno = ENAMETOOLONG;
    return false;
  }
  for (size_t i = 0; i <= len; ++i) {
    buf[i] = path[i];
    if ((path[i] == '/' || path[i] == '\0') && i > 0) {
      buf[i] = '\0';
      if (::mkdir(buf, static_cast<mode_t>(mode)) != 0 && errno != EEXIST) return false;
      buf[i] = path[i];
    }
  }
  return true;
}

bool MakeParentDirs(const char* path) {
  char buf[4096];
  size_t len = Length(path);
  if (len >= sizeof buf) {
    errno = ENAMETOOLONG;
    return false;
  }
  size_t slash = 0;
  for (size_t i = 0; i < len; ++i) {
    buf[i] = path[i];
    if (path[i] == '/') slash = i;
  }
  if (slash == 0) return true;
  buf[slash] = '\0';
  return MakeDirs(buf, 0755);
}

bool WriteAllFd(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

// struct mount_attr of mount_setattr(2) (Linux 5.12), which older headers lack.
struct MountAttr {
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};
constexpr uint64_t kMountAttrRdonly = 0x1;
constexpr uint64_t kMountAttrNosuid = 0x2;
constexpr uint64_t kMountAttrNodev = 0x4;

// Makes a bind mount read-only, nosuid and nodev, with every mount beneath it
// when the kernel has mount_setattr(2); a remount changes the top one only.
bool MakeReadOnly(const ChildPlan& plan, const char* target) {
  if (plan.recursive_read_only) {
    MountAttr attr{kMountAttrRdonly | kMountAttrNosuid | kMountAttrNodev, 0, 0, 0};
    if (::syscall(SYS_mount_setattr, AT_FDCWD, target, AT_RECURSIVE, &attr, sizeof attr) == 0) {
      return true;
    }
    if (errno != ENOSYS) return false;
  }
  return ::mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
                 nullptr) == 0;
}

char* Append(char* out, const char* s) {
  while (*s) *out++ = *s++;
  return out;
}

char* AppendInt(char* out, int v) {
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

// Presents a host directory read-only through an overlay whose layers are
// named by descriptor: /proc/self/mountinfo then shows "/proc/self/fd/N"
// where a bind mount would show the directory's host path. An overlay needs
// two lower layers without an upper one; the second is an empty directory.
bool OverlayDir(const MountOp& op, int empty_fd) {
  int src = ::open(op.source, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (src < 0) return false;
  char data[80];
  char* p = Append(data, "lowerdir=/proc/self/fd/");
  p = AppendInt(p, src);
  p = Append(p, ":/proc/self/fd/");
  p = AppendInt(p, empty_fd);
  *p = '\0';
  int rc = ::mount("overlay", op.target, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, data);
  ::close(src);
  return rc == 0;
}

bool ApplyOp(const ChildPlan& plan, const MountOp& op, int empty_fd) {
  switch (op.kind) {
    case OpKind::kBindDir:
      if (!MakeDirs(op.target, 0755)) return false;
      // Where overlays are unavailable the directory is bound as it is.
      if (op.hide_source && op.read_only && empty_fd >= 0 && OverlayDir(op, empty_fd)) return true;
      if (::mount(op.source, op.target, nullptr, MS_BIND | MS_REC, nullptr) != 0) return false;
      return !op.read_only || MakeReadOnly(plan, op.target);
    case OpKind::kBindFile: {
      if (!MakeParentDirs(op.target)) return false;
      int fd = ::open(op.target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) return false;
      ::close(fd);
      if (::mount(op.source, op.target, nullptr, MS_BIND, nullptr) != 0) return false;
      return !op.read_only || MakeReadOnly(plan, op.target);
    }
    case OpKind::kTmpfs:
      if (!MakeDirs(op.target, 0755)) return false;
      return ::mount("tmpfs", op.target, "tmpfs", MS_NOSUID | MS_NODEV, op.data) == 0;
    case OpKind::kSymlink:
      if (!MakeParentDirs(op.target)) return false;
      return ::symlink(op.source, op.target) == 0;
    case OpKind::kFile: {
      if (!MakeParentDirs(op.target)) return false;
      int fd = ::open(op.target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, op.mode);
      if (fd < 0) return false;
      bool ok = WriteAllFd(fd, op.source, Length(op.source));
      ::close(fd);
      return ok;
    }
    case OpKind::kDir:
      return MakeDirs(op.target, op.mode);
    case OpKind::kProc: {
      if (!MakeDirs(op.target, 0555)) return false;
      // Only the process directories, and only the processes of the sandbox's
      // own user: no /proc/config.gz, /proc/sys, /proc/kcore and the like.
      const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
      if (plan.proc_subset &&
          ::mount("proc", op.target, "proc", flags, "subset=pid,hidepid=invisible") == 0) {
        return true;
      }
      return ::mount("proc", op.target, "proc", flags, nullptr) == 0;
    }
  }
  return false;
}

// Closes every descriptor except the ones in `keep`.
bool CloseAllExcept(int a, int b, int c, int d, int e) {
  int keep[5] = {a, b, c, d, e};
  std::sort(keep, keep + 5);
  unsigned int next = 0;
  for (int fd : keep) {
    if (fd < 0) continue;
    if (static_cast<unsigned int>(fd) > next &&
        ::syscall(SYS_close_range, next, static_cast<unsigned int>(fd) - 1, 0) != 0) {
      return false;
    }
    next = static_cast<unsigned int>(fd) + 1;
  }
  return ::syscall(SYS_close_range, next, ~0U, 0) == 0;
}

[[noreturn]] void ExecCommand(const ChildPlan& plan) {
  // From here on a failure can only be reported through the exit status.
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) ::dup2(devnull, 0);
  ::dup2(plan.output_fd, 1);
  ::dup2(plan.output_fd, 2);
  ::syscall(SYS_close_range, 3U, ~0U, 0);
  if (::chdir(plan.cwd) != 0) ::_exit(126);
  ::execve(plan.argv[0], plan.argv, plan.envp);
  ::_exit(errno == ENOENT ? 127 : 126);
}

// Turns this process (the sandbox's init, about to start the command) into an
// unprivileged one; the command inherits all of it.
void DropPrivileges(const ChildPlan& plan) {
  // The cgroup namespace is rooted at the instance's group, where the server
  // has placed this process by now: /proc/self/cgroup shows "/" paths.
  if (plan.cgroup_namespace && ::unshare(CLONE_NEWCGROUP) != 0) {
    Fail(plan, kStepCgroupNamespace);
  }
  struct rlimit nofile = {plan.nofile, plan.nofile};
  ::setrlimit(RLIMIT_NOFILE, &nofile);
  struct rlimit core = {0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
  if (plan.userns_fd >= 0) {
    // Joining grants every capability inside the namespace (none outside it)
    // until they are dropped below.
    if (::syscall(SYS_setns, plan.userns_fd, CLONE_NEWUSER) != 0) {
      Fail(plan, kStepUserNamespace);
    }
    ::close(plan.userns_fd);
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Fail(plan, kStepCapabilities);
  for (int cap = 0; cap <= plan.cap_last; ++cap) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      Fail(plan, kStepCapabilities);
    }
  }
  // Raw system calls: libc's versions of these broadcast the change to every
  // thread it believes the process has, and this copy of the server has only
  // one (the others exist in the server alone), so they would wait forever.
  if (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
      ::syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0 ||
      ::syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) {
    Fail(plan, kStepIds);
  }
  // Leaving root clears the capability sets on the host; inside a user
  // namespace where root is unmapped it does not, so clear them explicitly.
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capset, &header, none) != 0 ||
      ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    Fail(plan, kStepCapabilities);
  }
  if (plan.seccomp.len > 0 &&
      ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &plan.seccomp, 0, 0) != 0) {
    Fail(plan, kStepSeccomp);
  }
}

}  // namespace

void RunChild(const ChildPlan& plan) {
  // The clone copied every descriptor of the server (sockets, database files);
  // keep only ours so that closing them in the server means what it should.
  if (!CloseAllExcept(plan.output_fd, plan.sync_fd, plan.status_fd, plan.init_fd,
                      plan.userns_fd)) {
    Fail(plan, kStepCloseFds);
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    Fail(plan, kStepPrivateMounts);
  }
  if (::mount("tmpfs", plan.staging_root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755") != 0) {
    Fail(plan, kStepRootTmpfs);
  }
  // The overlays' empty layer: the root of a tiny tmpfs of its own, so that
  // it can leave the sandbox's root while the overlays keep it (a removed
  // directory would not do: an overlay lists nothing from a deleted layer).
  int empty_fd = -1;
  for (const MountOp& op : plan.ops) {
    if (op.hide_source && empty_fd < 0 && ::mkdir(plan.empty_dir, 0555) == 0 &&
        ::mount("tmpfs", plan.empty_dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY,
                "size=4k,mode=0555") == 0) {
      empty_fd = ::open(plan.empty_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
  }
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    if (!ApplyOp(plan, plan.ops[i], empty_fd)) Fail(plan, kStepMounts, static_cast<int32_t>(i));
  }
  if (empty_fd >= 0) ::close(empty_fd);
  ::umount2(plan.empty_dir, MNT_DETACH);
  ::rmdir(plan.empty_dir);
  if (::mount(plan.staging_root, plan.staging_root, nullptr,
              MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0) {
    Fail(plan, kStepReadOnlyRoot);
  }
  if (::chdir(plan.staging_root) != 0 || ::syscall(SYS_pivot_root, ".", ".") != 0 ||
      ::umount2(".", MNT_DETACH) != 0 || ::chdir("/") != 0) {
    Fail(plan, kStepPivotRoot);
  }
  if (::sethostname(plan.hostname, Length(plan.hostname)) != 0) Fail(plan, kStepHostname);

  char go = 0;
  ssize_t n;
  do {
    n = ::read(plan.sync_fd, &go, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) ::_exit(0);  // the server gave up on this instance
  ::close(plan.sync_fd);
  DropPrivileges(plan);

  // A raw clone, not fork(): libc's fork runs atfork handlers and takes the
  // allocator's locks, which another thread of the server may have held when
  // this process was cloned. In a new PID namespace the command is PID 2.
  pid_t child = static_cast<pid_t>(::syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
  if (child < 0) Fail(plan, kStepFork);
  if (child == 0) ExecCommand(plan);

  // This process is the sandbox's init (PID 1). It becomes nimbus-init, so
  // that no copy of the server's memory stays in the sandbox; that program
  // reaps orphans and reports the command's end (see init/nimbus_init.cc).
  ::close(plan.output_fd);
  if (plan.init_fd >= 0) {
    ::fcntl(plan.status_fd, F_SETFD, 0);  // keep it across the exec
    char* const no_env[] = {nullptr};
    ::syscall(SYS_execveat, plan.init_fd, "", plan.init_argv, no_env, AT_EMPTY_PATH);
  }
  // Without nimbus-init (or if it cannot start), do its work here.
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(-1, &status, 0);
    if (done == child) {
      Report(plan.status_fd, 2, status, 0, -1);
      ::_exit(0);
    }
    if (done < 0 && errno == ECHILD) ::_exit(0);
  }
}

}  // namespace nimbus::sandbox::internal
