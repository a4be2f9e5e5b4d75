// The seccomp filter every function process runs under: allow by default,
// deny (EPERM) the system calls a function never needs and that widen the
// kernel's attack surface — mounting, tracing, loading modules or BPF,
// namespaces, keyrings, clocks, reboot. Built once with libseccomp and
// installed in each child with a single prctl.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "core/status.h"

namespace nimbus::sandbox {

struct SeccompProgram {
  std::vector<sock_filter> filter;
};

Result<SeccompProgram> BuildSeccompProgram();

// The names of the denied system calls (for documentation and tests).
const std::vector<const char*>& DeniedSyscalls();

}  // namespace nimbus::sandbox
