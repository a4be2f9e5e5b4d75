// User namespaces for sandboxes. Each instance's processes end up in a user
// namespace that maps exactly one id, the function's uid and gid (993 by
// default), to the instance's own host uid and gid; root and every other id
// are unmapped there. The namespace is made here, by a short-lived helper
// that the (privileged) server maps from outside, and joined by the sandbox
// with setns() once its root is built: the sandbox's mount, PID, network and
// other namespaces stay owned by the host's user namespace, so the new one
// gives no power over them, only the unprivileged identity.
#pragma once

#include <cstdint>

#include "core/fs.h"
#include "core/status.h"

namespace nimbus::sandbox {

// A descriptor of a new user namespace mapping inside_uid/inside_gid to
// host_uid/host_gid. Needs CAP_SETUID and CAP_SETGID. Any thread may call it.
Result<UniqueFd> NewUserNamespace(uint32_t inside_uid, uint32_t inside_gid, uint32_t host_uid,
                                  uint32_t host_gid);

}  // namespace nimbus::sandbox
