#include "sandbox/seccomp_policy.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/fs.h"

namespace nimbus::sandbox {
namespace {

// Address families socket() and socketpair() may create.
constexpr int kAllowedFamilies[] = {AF_UNIX, AF_INET, AF_INET6};
// Families are small numbers; anything at or above this is refused in one rule.
constexpr int kFamilyLimit = 64;

struct Filter {
  scmp_filter_ctx ctx;
  ~Filter() { seccomp_release(ctx); }
};

Status AddRule(scmp_filter_ctx ctx, uint32_t action, const char* name, int nr,
               unsigned arg_count = 0, scmp_arg_cmp arg = {}) {
  int rc = arg_count == 0 ? seccomp_rule_add(ctx, action, nr, 0)
                          : seccomp_rule_add(ctx, action, nr, 1, arg);
  if (rc != 0) return Internal(std::string("seccomp: rule for ") + name + " failed");
  return Status::Ok();
}

Result<int> Resolve(const char* name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) {
    return Internal(std::string("seccomp: system call ") + name +
                    " is unknown to libseccomp on this architecture");
  }
  return nr;
}

// socket(2) and socketpair(2): the allowed families, EAFNOSUPPORT for the rest.
Status AddFamilyRules(scmp_filter_ctx ctx, const char* name) {
  ASSIGN_OR_RETURN(int nr, Resolve(name));
  for (int family = 0; family < kFamilyLimit; ++family) {
    bool allowed = false;
    for (int a : kAllowedFamilies) allowed |= a == family;
    RETURN_IF_ERROR(AddRule(ctx, allowed ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EAFNOSUPPORT), name,
                            nr, 1, SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family))));
  }
  return AddRule(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), name, nr, 1,
                 SCMP_A0(SCMP_CMP_GE, static_cast<scmp_datum_t>(kFamilyLimit)));
}

}  // namespace

const std::vector<const char*>& AllowedSyscalls() {
  static const std::vector<const char*> kAllowed = {
      // Files and descriptors.
      "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
      "pwritev2", "openat", "openat2", "close", "close_range", "lseek", "fstat", "newfstatat",
      "statx", "statfs", "fstatfs", "faccessat", "faccessat2", "readlinkat", "getdents64",
      "getcwd", "chdir", "fchdir", "mkdirat", "unlinkat", "renameat", "renameat2", "linkat",
      "symlinkat", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchownat", "umask", "truncate",
      "ftruncate", "fallocate", "fadvise64", "readahead", "fsync", "fdatasync",
      "sync_file_range", "flock", "fcntl", "dup", "dup3", "pipe2", "mknodat", "utimensat",
      "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr", "setxattr",
      "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "sendfile",
      "splice", "tee", "vmsplice", "copy_file_range", "ioctl", "inotify_init1",
      "inotify_add_watch", "inotify_rm_watch", "memfd_create", "pselect6", "ppoll",
      "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2", "eventfd2", "signalfd4",
      "timerfd_create", "timerfd_settime", "timerfd_gettime",
      // Memory.
      "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "msync", "mincore", "mlock",
      "mlock2", "munlock", "mlockall", "munlockall", "membarrier", "pkey_alloc", "pkey_free",
      "pkey_mprotect",
      // Processes, threads and credentials (without capabilities a process can
      // only move between the ids it already has).
      "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "kill", "tkill", "tgkill",
      "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open", "pidfd_send_signal", "getpid",
      "getppid", "gettid", "getpgid", "setpgid", "getsid", "setsid", "getuid", "geteuid",
      "getgid", "getegid", "getresuid", "getresgid", "getgroups", "setuid", "setgid",
      "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups",
      "capget", "capset", "prctl", "set_tid_address", "set_robust_list", "get_robust_list",
      "rseq", "futex", "futex_waitv", "getrlimit", "setrlimit", "prlimit64", "getrusage",
      "times", "getpriority", "setpriority", "sched_yield", "sched_getaffinity",
      "sched_setaffinity", "sched_getparam", "sched_setparam", "sched_getscheduler",
      "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min",
      "sched_rr_get_interval", "sched_getattr", "sched_setattr", "ioprio_get", "ioprio_set",
      "getcpu", "seccomp", "restart_syscall", "uname", "sysinfo", "getrandom",
      // Signals and time.
      "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigsuspend",
      "rt_sigtimedwait", "sigaltstack", "getitimer", "setitimer", "gettimeofday",
      "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "timer_create",
      "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
      // Sockets (socket and socketpair are limited by family below).
      "bind", "listen", "accept", "accept4", "connect", "getsockname", "getpeername",
      "getsockopt", "setsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg",
      "recvmmsg", "shutdown",
      // System V IPC, private to the sandbox's IPC namespace.
      "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl", "msgget",
      "msgsnd", "msgrcv", "msgctl",
#if defined(__x86_64__)
      // The x86-64 ABI's older names for calls above, still used by libc and runtimes.
      "arch_prctl", "open", "creat", "stat", "lstat", "access", "readlink", "getdents",
      "mkdir", "rmdir", "unlink", "rename", "link", "symlink", "chmod", "chown", "lchown",
      "dup2", "pipe", "mknod", "utime", "utimes", "futimesat", "inotify_init", "select", "poll",
      "epoll_create", "epoll_wait", "eventfd", "signalfd", "fork", "vfork", "getpgrp", "pause",
      "alarm", "time",
#endif
  };
  return kAllowed;
}

const std::vector<const char*>& DeniedSyscalls() {
  static const std::vector<const char*> kDenied = {
      // File system topology.
      "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick",
      "move_mount", "open_tree", "mount_setattr", "swapon", "swapoff", "quotactl",
      "quotactl_fd", "open_by_handle_at", "name_to_handle_at",
      // Other processes' memory.
      "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
      // Kernel extension and introspection.
      "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "bpf",
      "perf_event_open", "userfaultfd", "lookup_dcookie", "syslog", "acct", "uselib",
      "io_uring_setup", "io_uring_enter", "io_uring_register",
      // Namespaces.
      "unshare", "setns",
      // Keyrings.
      "keyctl", "add_key", "request_key",
      // Host-wide state.
      "reboot", "sethostname", "setdomainname", "settimeofday", "clock_settime",
      "clock_adjtime", "adjtimex", "iopl", "ioperm", "vhangup",
  };
  return kDenied;
}

Result<SeccompProgram> BuildSeccompProgram() {
  Filter f{seccomp_init(SCMP_ACT_ERRNO(ENOSYS))};
  if (f.ctx == nullptr) return Internal("seccomp_init failed");
  // Other ABIs (i386 through int 0x80) are not in the filter's architecture
  // list: their calls kill the process.
  if (seccomp_attr_set(f.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0) {
    return Internal("seccomp: cannot set the action for other architectures");
  }
  // A binary search over system call numbers instead of a linear scan.
  seccomp_attr_set(f.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

  for (const char* name : AllowedSyscalls()) {
    ASSIGN_OR_RETURN(int nr, Resolve(name));
    RETURN_IF_ERROR(AddRule(f.ctx, SCMP_ACT_ALLOW, name, nr));
  }
  for (const char* name : DeniedSyscalls()) {
    ASSIGN_OR_RETURN(int nr, Resolve(name));
    RETURN_IF_ERROR(AddRule(f.ctx, SCMP_ACT_ERRNO(EPERM), name, nr));
  }
  RETURN_IF_ERROR(AddFamilyRules(f.ctx, "socket"));
  RETURN_IF_ERROR(AddFamilyRules(f.ctx, "socketpair"));

  // clone(2) without namespace flags. clone3(2) passes its flags in memory a
  // filter cannot read: it is left to the default action, ENOSYS, on which
  // libc falls back to clone(2).
  const uint64_t kNamespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                               CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
  ASSIGN_OR_RETURN(int clone_nr, Resolve("clone"));
  RETURN_IF_ERROR(AddRule(f.ctx, SCMP_ACT_ALLOW, "clone", clone_nr, 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, kNamespaces, 0)));
  for (uint64_t flag = 1; flag != 0; flag <<= 1) {
    if ((kNamespaces & flag) == 0) continue;
    RETURN_IF_ERROR(AddRule(f.ctx, SCMP_ACT_ERRNO(EPERM), "clone", clone_nr, 1,
                            SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)));
  }

  // personality(2) may query (0xffffffff) or set plain PER_LINUX; flags such
  // as ADDR_NO_RANDOMIZE (which turns off ASLR for what it runs) are refused.
  ASSIGN_OR_RETURN(int personality_nr, Resolve("personality"));
  for (scmp_datum_t persona : {scmp_datum_t{PER_LINUX}, scmp_datum_t{0xffffffffU}}) {
    RETURN_IF_ERROR(AddRule(f.ctx, SCMP_ACT_ALLOW, "personality", personality_nr, 1,
                            SCMP_A0(SCMP_CMP_EQ, persona)));
  }

  UniqueFd mem(memfd_create("nimbus-seccomp", MFD_CLOEXEC));
  if (!mem.valid()) return ErrnoStatus("memfd_create", errno);
  if (seccomp_export_bpf(f.ctx, mem.get()) != 0) return Internal("seccomp_export_bpf failed");
  off_t size = lseek(mem.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0) {
    return Internal("seccomp program has an unexpected size");
  }
  SeccompProgram prog;
  prog.filter.resize(static_cast<size_t>(size) / sizeof(sock_filter));
  if (pread(mem.get(), prog.filter.data(), static_cast<size_t>(size), 0) != size) {
    return ErrnoStatus("read seccomp program", errno);
  }
  return prog;
}

}  // namespace nimbus::sandbox
