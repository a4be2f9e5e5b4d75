#include "sandbox/contain.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
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

bool ApplyOp(const MountOp& op) {
  const unsigned long kRo = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV;
  switch (op.kind) {
    case OpKind::kBindDir:
      if (!MakeDirs(op.target, 0755)) return false;
      if (::mount(op.source, op.target, nullptr, MS_BIND | MS_REC, nullptr) != 0) return false;
      return !op.read_only || ::mount(nullptr, op.target, nullptr, kRo, nullptr) == 0;
    case OpKind::kBindFile: {
      if (!MakeParentDirs(op.target)) return false;
      int fd = ::open(op.target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) return false;
      ::close(fd);
      if (::mount(op.source, op.target, nullptr, MS_BIND, nullptr) != 0) return false;
      return !op.read_only || ::mount(nullptr, op.target, nullptr, kRo, nullptr) == 0;
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
    case OpKind::kProc:
      if (!MakeDirs(op.target, 0555)) return false;
      return ::mount("proc", op.target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0;
  }
  return false;
}

// Closes every descriptor except the ones in `keep`.
bool CloseAllExcept(int a, int b, int c, int d) {
  int keep[4] = {a, b, c, d};
  std::sort(keep, keep + 4);
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
  struct rlimit nofile = {plan.nofile, plan.nofile};
  ::setrlimit(RLIMIT_NOFILE, &nofile);
  struct rlimit core = {0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(126);
  for (int cap = 0; cap <= plan.cap_last; ++cap) ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  // Raw system calls: libc's versions of these broadcast the change to every
  // thread it believes the process has, and this copy of the server has only
  // one (the others exist in the server alone), so they would wait forever.
  if (::syscall(SYS_setgroups, 0, nullptr) != 0) ::_exit(126);
  if (::syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0) ::_exit(126);
  // Leaving uid 0 for good clears the permitted, effective and ambient sets.
  if (::syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) ::_exit(126);
  if (plan.seccomp.len > 0 &&
      ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &plan.seccomp, 0, 0) != 0) {
    ::_exit(126);
  }
  ::execve(plan.argv[0], plan.argv, plan.envp);
  ::_exit(errno == ENOENT ? 127 : 126);
}

}  // namespace

void RunChild(const ChildPlan& plan) {
  // The clone copied every descriptor of the server (sockets, database files);
  // keep only ours so that closing them in the server means what it should.
  if (!CloseAllExcept(plan.output_fd, plan.sync_fd, plan.status_fd, plan.init_fd)) {
    Fail(plan, kStepCloseFds);
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    Fail(plan, kStepPrivateMounts);
  }
  if (::mount("tmpfs", plan.staging_root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755") != 0) {
    Fail(plan, kStepRootTmpfs);
  }
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    if (!ApplyOp(plan.ops[i])) Fail(plan, kStepMounts, static_cast<int32_t>(i));
  }
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
