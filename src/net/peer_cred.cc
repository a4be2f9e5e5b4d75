#include "net/peer_cred.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/fs.h"

namespace nimbus::net {
namespace {

// Copies an address of `family` into the four words the diag request uses.
void PutAddress(const sockaddr_storage& ss, __be32 out[4]) {
  std::memset(out, 0, 4 * sizeof(__be32));
  if (ss.ss_family == AF_INET) {
    std::memcpy(out, &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, 4);
  } else {
    std::memcpy(out, &reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr, 16);
  }
}

__be16 PortOf(const sockaddr_storage& ss) {
  return ss.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in&>(ss).sin_port
                                 : reinterpret_cast<const sockaddr_in6&>(ss).sin6_port;
}

}  // namespace

Result<uint32_t> TcpPeerUid(int connected_fd) {
  int type = 0;
  socklen_t type_len = sizeof type;
  if (::getsockopt(connected_fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0) {
    return ErrnoStatus("peer uid: getsockopt", errno);
  }
  sockaddr_storage local{}, peer{};
  socklen_t local_len = sizeof local, peer_len = sizeof peer;
  if (::getsockname(connected_fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) {
    return ErrnoStatus("peer uid: getsockname", errno);
  }
  if (::getpeername(connected_fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
    return ErrnoStatus("peer uid: getpeername", errno);
  }
  if (type != SOCK_STREAM || (local.ss_family != AF_INET && local.ss_family != AF_INET6) ||
      peer.ss_family != local.ss_family) {
    return InvalidArgument("peer uid: not a TCP socket");
  }

  // The peer's socket is the one whose local end is our peer address and
  // whose remote end is our local address.
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } msg{};
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST;
  msg.nlh.nlmsg_seq = 1;
  msg.req.sdiag_family = static_cast<__u8>(local.ss_family);
  msg.req.sdiag_protocol = IPPROTO_TCP;
  msg.req.idiag_states = ~0U;
  msg.req.id.idiag_sport = PortOf(peer);
  msg.req.id.idiag_dport = PortOf(local);
  PutAddress(peer, msg.req.id.idiag_src);
  PutAddress(local, msg.req.id.idiag_dst);
  msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

  UniqueFd nl(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!nl.valid()) return ErrnoStatus("peer uid: netlink socket", errno);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = ::sendto(nl.get(), &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&kernel),
                    sizeof kernel);
  } while (sent < 0 && errno == EINTR);
  if (sent != static_cast<ssize_t>(sizeof msg)) return ErrnoStatus("peer uid: netlink send", errno);

  alignas(nlmsghdr) char buf[8192];
  ssize_t n;
  do {
    n = ::recv(nl.get(), buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoStatus("peer uid: netlink receive", errno);
  for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, static_cast<unsigned>(n));
       h = NLMSG_NEXT(h, n)) {
    if (h->nlmsg_seq != msg.nlh.nlmsg_seq) continue;
    if (h->nlmsg_type == NLMSG_ERROR) {
      const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
      if (h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) break;
      if (err->error == -ENOENT) return NotFound("peer uid: no such socket on this host");
      return ErrnoStatus("peer uid: socket diagnostics", -err->error);
    }
    if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
        h->nlmsg_len >= NLMSG_LENGTH(sizeof(inet_diag_msg))) {
      const auto* diag = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
      if (diag->id.idiag_sport != msg.req.id.idiag_sport ||
          diag->id.idiag_dport != msg.req.id.idiag_dport) {
        break;
      }
      return static_cast<uint32_t>(diag->idiag_uid);
    }
  }
  return Internal("peer uid: unexpected answer from the kernel");
}

}  // namespace nimbus::net
