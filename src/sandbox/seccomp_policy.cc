#include "sandbox/seccomp_policy.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/fs.h"

namespace nimbus::sandbox {

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
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return Internal("seccomp_init failed");
  struct Guard {
    scmp_filter_ctx c;
    ~Guard() { seccomp_release(c); }
  } guard{ctx};

  for (const char* name : DeniedSyscalls()) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) != 0) {
      return Internal(std::string("seccomp rule for ") + name + " failed");
    }
  }
  // clone(2) may not create namespaces; clone3(2) passes its flags in memory a
  // filter cannot read, so it answers ENOSYS and libc falls back to clone(2).
  for (uint64_t flag : {static_cast<uint64_t>(CLONE_NEWNS), static_cast<uint64_t>(CLONE_NEWUTS),
                        static_cast<uint64_t>(CLONE_NEWIPC), static_cast<uint64_t>(CLONE_NEWUSER),
                        static_cast<uint64_t>(CLONE_NEWPID), static_cast<uint64_t>(CLONE_NEWNET),
                        static_cast<uint64_t>(CLONE_NEWCGROUP)}) {
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)) != 0) {
      return Internal("seccomp rule for clone failed");
    }
  }
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) != 0) {
    return Internal("seccomp rule for clone3 failed");
  }

  UniqueFd mem(memfd_create("nimbus-seccomp", MFD_CLOEXEC));
  if (!mem.valid()) return ErrnoStatus("memfd_create", errno);
  if (seccomp_export_bpf(ctx, mem.get()) != 0) return Internal("seccomp_export_bpf failed");
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
