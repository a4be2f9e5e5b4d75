#include "net/listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace nimbus::net {
namespace {

Status BringLoopbackUp() {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return ErrnoStatus("socket", errno);
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) return ErrnoStatus("SIOCGIFFLAGS lo", errno);
  if (ifr.ifr_flags & IFF_UP) return Status::Ok();
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0) return ErrnoStatus("SIOCSIFFLAGS lo", errno);
  return Status::Ok();
}

}  // namespace

Result<UniqueFd> ListenTcp(const std::string& host, int port) {
  struct sockaddr_in addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("not an IPv4 address: " + host);
  }
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return ErrnoStatus("socket", errno);
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return ErrnoStatus("bind " + host + ":" + std::to_string(port), errno);
  }
  if (::listen(fd.get(), 128) != 0) return ErrnoStatus("listen", errno);
  return fd;
}

Result<UniqueFd> ListenTcpInNetns(int netns_fd, const std::string& host, int port) {
  UniqueFd original(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!original.valid()) return ErrnoStatus("open own network namespace", errno);
  if (::setns(netns_fd, CLONE_NEWNET) != 0) return ErrnoStatus("setns into instance", errno);
  Status up = BringLoopbackUp();
  Result<UniqueFd> fd = up.ok() ? ListenTcp(host, port) : Result<UniqueFd>(up);
  if (::setns(original.get(), CLONE_NEWNET) != 0) {
    // The thread would keep serving from the wrong namespace: unrecoverable.
    std::abort();
  }
  return fd;
}

Result<int> BoundPort(int fd) {
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return ErrnoStatus("getsockname", errno);
  }
  return static_cast<int>(ntohs(addr.sin_port));
}

Result<size_t> RaiseDescriptorLimit() {
  struct rlimit r;
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return ErrnoStatus("getrlimit RLIMIT_NOFILE", errno);
  rlim_t target = r.rlim_max;
  if (target == RLIM_INFINITY) {
    // The kernel refuses more than fs.nr_open descriptors per process.
    target = 1024 * 1024;
    if (FILE* f = std::fopen("/proc/sys/fs/nr_open", "r")) {
      unsigned long nr_open = 0;
      if (std::fscanf(f, "%lu", &nr_open) == 1 && nr_open > 0) target = nr_open;
      std::fclose(f);
    }
  }
  if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < target) {
    r.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &r) != 0) return ErrnoStatus("setrlimit RLIMIT_NOFILE", errno);
  }
  return static_cast<size_t>(r.rlim_cur);
}

}  // namespace nimbus::net
