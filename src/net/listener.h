// Listening sockets, including ones that live inside another process's
// network namespace: a socket keeps the namespace it was created in, so the
// server can hold a listener on 127.0.0.1:9001 that only a function instance
// can reach.
#pragma once

#include <string>

#include "core/fs.h"
#include "core/status.h"

namespace nimbus::net {

// Creates a listening TCP socket on host:port (IPv4) in the caller's namespace.
Result<UniqueFd> ListenTcp(const std::string& host, int port);

// Enters the network namespace `netns_fd` on the calling thread, brings the
// loopback interface up, creates a listening socket on host:port, and returns
// to the thread's original namespace. Needs CAP_SYS_ADMIN.
Result<UniqueFd> ListenTcpInNetns(int netns_fd, const std::string& host, int port);

// The port a listening socket is bound to.
Result<int> BoundPort(int fd);

// Raises the soft limit on open descriptors (RLIMIT_NOFILE) to the hard
// limit, so that connections are capped by the server's own caps rather
// than by a default soft limit of 1024. Returns the soft limit now in force.
Result<size_t> RaiseDescriptorLimit();

}  // namespace nimbus::net
