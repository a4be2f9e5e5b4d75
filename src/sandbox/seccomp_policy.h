// The seccomp filter every function process (and its sandbox's init) runs
// under. It is an allow-list: the system calls that Node.js, Python, the C++
// SDK, provided bootstraps, /bin/sh and coreutils use. Everything else fails:
//   - the calls listed in DeniedSyscalls() — mounting, tracing, loading
//     modules or BPF, namespaces, keyrings, clocks, io_uring, reboot — with
//     EPERM, so a program that tries them learns it is not allowed;
//   - any other call, including every call newer than this list, with ENOSYS,
//     as a kernel without it would answer: runtimes probe newer calls (clone3,
//     fchmodat2, mseal, …) and fall back to older ones on ENOSYS, where an
//     EPERM would read as a real failure.
// socket() and socketpair() create only AF_UNIX, AF_INET and AF_INET6 sockets
// (EAFNOSUPPORT otherwise: no netlink, vsock, packet or other families);
// clone() may not create namespaces (EPERM) and clone3(), whose flags a filter
// cannot read, answers ENOSYS so that libc falls back to clone();
// personality() may only query or set PER_LINUX. Only the native x86-64 ABI
// is accepted: a 32-bit (int 0x80) or x32 system call kills the process.
//
// Built once with libseccomp and installed in each sandbox with one prctl.
// Building fails if a listed name is unknown to libseccomp on this
// architecture, so the lists cannot silently lose an entry.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "core/status.h"

namespace nimbus::sandbox {

struct SeccompProgram {
  std::vector<sock_filter> filter;
};

Result<SeccompProgram> BuildSeccompProgram();

// The system calls allowed without conditions.
const std::vector<const char*>& AllowedSyscalls();
// The system calls refused with EPERM.
const std::vector<const char*>& DeniedSyscalls();

}  // namespace nimbus::sandbox
