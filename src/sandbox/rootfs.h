// The system part of every sandbox's root: the host's /usr (and the /bin,
// /lib, /lib64, /sbin that point into it) read-only, a minimal /etc written
// for the sandbox, and a /dev holding only null, zero, full, random, urandom
// and a small /dev/shm. The execution layer adds /var/task, /var/runtime,
// /opt and /tmp for each function.
#pragma once

#include <string>
#include <vector>

#include "sandbox/spec.h"

namespace nimbus::sandbox {

struct RootfsOptions {
  uint32_t uid = 993;
  uint32_t gid = 993;
  std::string user_name = "sbx_user1051";
};

std::vector<Mount> SystemMounts(const RootfsOptions& options);

}  // namespace nimbus::sandbox
