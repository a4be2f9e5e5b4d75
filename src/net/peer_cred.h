// Who is on the other end of a loopback TCP connection. A TCP socket carries
// no credentials of its peer (unlike SO_PEERCRED on a Unix socket), but the
// kernel knows the owner of every socket: this asks it, through the socket
// diagnostics interface (NETLINK_SOCK_DIAG), for the uid that created the
// peer's socket, found by the connection's exact address and port pair.
//
// The answer is only meaningful when both ends live on this machine and in
// the calling thread's network namespace (the question is asked there): a
// listener on the host's loopback, not one adopted from a sandbox's own
// namespace. Any thread may call it; each call opens its own netlink socket.
#pragma once

#include <cstdint>

#include "core/status.h"

namespace nimbus::net {

// The host uid owning the socket at the other end of `connected_fd`, an
// accepted (or connected) IPv4 or IPv6 TCP socket. kNotFound when the kernel
// knows no such socket in this namespace (a remote peer, a peer in another
// network namespace, or a peer already gone); kInvalidArgument when the
// descriptor is not a TCP socket.
Result<uint32_t> TcpPeerUid(int connected_fd);

}  // namespace nimbus::net
