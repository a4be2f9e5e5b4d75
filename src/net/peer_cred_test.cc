// TcpPeerUid against real loopback connections: from this process, and from
// a child that became another user before connecting.
#include "net/peer_cred.h"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fs.h"

namespace nimbus::net {
namespace {

constexpr uid_t kOtherUid = 54321;

// A listener on the loopback address of `family`, or an invalid fd.
UniqueFd Listen(int family, sockaddr_storage* addr, socklen_t* len) {
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  *addr = {};
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(addr);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *len = sizeof *in;
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(addr);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    *len = sizeof *in6;
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(addr), *len) != 0 ||
      ::listen(fd.get(), 4) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(addr), len) != 0) {
    return UniqueFd();
  }
  return fd;
}

// Connects from a forked child running as `uid` (or as this process's user
// when `uid` is -1), accepts, and asks who the peer is.
Result<uint32_t> PeerUidOfChildConnection(int family, int uid) {
  sockaddr_storage addr;
  socklen_t len;
  UniqueFd listener = Listen(family, &addr, &len);
  if (!listener.valid()) return Internal("no loopback listener");
  int done[2];
  if (::pipe(done) != 0) return Internal("pipe");
  pid_t child = ::fork();
  if (child == 0) {
    ::close(done[1]);
    if (uid >= 0 && (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 || ::setuid(uid) != 0)) {
      ::_exit(2);
    }
    int s = ::socket(family, SOCK_STREAM, 0);
    if (s < 0 || ::connect(s, reinterpret_cast<sockaddr*>(&addr), len) != 0) ::_exit(3);
    char c;
    (void)::read(done[0], &c, 1);  // keep the connection until the parent has asked
    ::_exit(0);
  }
  ::close(done[0]);
  UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  Result<uint32_t> out = conn.valid() ? TcpPeerUid(conn.get()) : Internal("accept failed");
  ::close(done[1]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return out;
}

TEST(PeerCredTest, OwnConnectionIsThisProcesssUser) {
  auto uid = PeerUidOfChildConnection(AF_INET, -1);
  ASSERT_TRUE(uid.ok()) << uid.status().ToString();
  EXPECT_EQ(*uid, ::geteuid());
}

TEST(PeerCredTest, ConnectionFromAnotherUserNamesThatUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
  auto v4 = PeerUidOfChildConnection(AF_INET, kOtherUid);
  ASSERT_TRUE(v4.ok()) << v4.status().ToString();
  EXPECT_EQ(*v4, kOtherUid);
}

TEST(PeerCredTest, WorksOverIpv6) {
  sockaddr_storage addr;
  socklen_t len;
  if (!Listen(AF_INET6, &addr, &len).valid()) GTEST_SKIP() << "no IPv6 loopback";
  auto uid = PeerUidOfChildConnection(AF_INET6, ::geteuid() == 0 ? kOtherUid : -1);
  ASSERT_TRUE(uid.ok()) << uid.status().ToString();
  EXPECT_EQ(*uid, ::geteuid() == 0 ? kOtherUid : ::geteuid());
}

TEST(PeerCredTest, ConnectionWithinTheProcess) {
  sockaddr_storage addr;
  socklen_t len;
  UniqueFd listener = Listen(AF_INET, &addr, &len);
  ASSERT_TRUE(listener.valid());
  UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(conn.valid());
  auto server_side = TcpPeerUid(conn.get());
  ASSERT_TRUE(server_side.ok()) << server_side.status().ToString();
  EXPECT_EQ(*server_side, ::geteuid());
  auto client_side = TcpPeerUid(client.get());
  ASSERT_TRUE(client_side.ok()) << client_side.status().ToString();
  EXPECT_EQ(*client_side, ::geteuid());
}

TEST(PeerCredTest, RejectsNonTcpSockets) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  UniqueFd a(pair[0]), b(pair[1]);
  auto uid = TcpPeerUid(a.get());
  EXPECT_FALSE(uid.ok());
  EXPECT_EQ(uid.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace nimbus::net
