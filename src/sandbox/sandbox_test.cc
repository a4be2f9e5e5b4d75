// Sandbox escape tests: each runs a real command inside a real sandbox and
// checks that what it tries is refused. They need root (skipped otherwise).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/fs.h"
#include "core/ids.h"
#include "sandbox/rootfs.h"
#include "sandbox/sandboxer.h"

namespace nimbus::sandbox {
namespace {

struct RunResult {
  ExitInfo exit;
  std::string output;
  uint64_t oom_kills = 0;
};

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "sandbox tests need root";
    dir_ = (std::filesystem::temp_directory_path() / ("nimbus-sbx-" + RandomHex(8))).string();
    ASSERT_TRUE(MakeDirs(dir_ + "/task").ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/task/secret-ok.txt", "visible\n").ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/host-secret.txt", "host secret\n").ok());
    SandboxerOptions opts;
    opts.state_dir = dir_ + "/state";
    opts.scope = "test-" + RandomHex(6);
    auto s = Sandboxer::Create(opts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sandboxer_ = std::move(*s);
  }
  void TearDown() override {
    sandboxer_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  RunResult Run(const std::string& script, Limits limits = {},
                NetworkMode net = NetworkMode::kNone) {
    SandboxSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin", "HOME=/tmp"};
    spec.cwd = "/var/task";
    spec.mounts = SystemMounts({});
    spec.mounts.push_back({Mount::Kind::kBind, dir_ + "/task", "/var/task", true});
    spec.mounts.push_back({Mount::Kind::kTmpfs, "", "/tmp", false, 16, 01777});
    spec.limits = limits;
    spec.network = net;
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
    UniqueFd read_end(p[0]);
    spec.output_fd = p[1];
    auto sp = sandboxer_->Spawn(spec, "t-" + RandomHex(8));
    ::close(p[1]);
    RunResult r;
    if (!sp.ok()) {
      ADD_FAILURE() << sp.status().ToString();
      return r;
    }
    EXPECT_TRUE((*sp)->process->Start().ok());
    char buf[4096];
    ssize_t n;
    while ((n = ::read(read_end.get(), buf, sizeof buf)) > 0) r.output.append(buf, n);
    struct pollfd pfd = {(*sp)->process->pidfd(), POLLIN, 0};
    ::poll(&pfd, 1, 10000);
    r.exit = (*sp)->process->Reap();
    if ((*sp)->cgroup) r.oom_kills = (*sp)->cgroup->OomKills();
    return r;
  }

  std::string dir_;
  std::unique_ptr<Sandboxer> sandboxer_;
};

TEST_F(SandboxTest, RunsAsUnprivilegedUserInItsOwnNamespaces) {
  auto r = Run("id -u; id -g; hostname; echo pid=$$; cat /proc/self/status | grep -E '^(CapEff|NoNewPrivs|Seccomp):'");
  EXPECT_EQ(r.exit.kind, ExitInfo::Kind::kExited) << r.exit.Describe();
  EXPECT_NE(r.output.find("993\n993\nnimbus\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("CapEff:\t0000000000000000"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("NoNewPrivs:\t1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Seccomp:\t2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pid=2"), std::string::npos) << r.output;  // init is 1
}

TEST_F(SandboxTest, ReportsExitStatus) {
  auto r = Run("echo out; echo err >&2; exit 3");
  EXPECT_EQ(r.exit.kind, ExitInfo::Kind::kExited);
  EXPECT_EQ(r.exit.code, 3);
  EXPECT_EQ(r.exit.Describe(), "exit status 3");
  EXPECT_EQ(r.output, "out\nerr\n");
}

TEST_F(SandboxTest, CannotSeeHostFiles) {
  auto r = Run("ls /; cat " + dir_ + "/host-secret.txt; cat /root/.bashrc; ls /work; "
               "cat /var/task/secret-ok.txt; cat /etc/shadow");
  EXPECT_EQ(r.output.find("host secret"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("visible"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("No such file"), std::string::npos);
  EXPECT_EQ(r.output.find("\nwork\n"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("\nroot\n"), std::string::npos) << r.output;
}

TEST_F(SandboxTest, RootTaskAndSystemAreReadOnly) {
  auto r = Run("touch /var/task/x 2>&1; touch /usr/x 2>&1; touch /x 2>&1; "
               "echo ok > /tmp/y && cat /tmp/y");
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 4) << r.output;
  EXPECT_NE(r.output.find("Read-only file system"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ok\n"), std::string::npos) << r.output;
}

TEST_F(SandboxTest, CannotMountTraceOrUnshare) {
  auto r = Run("mount -t tmpfs none /tmp 2>&1; echo m=$?; unshare -U true 2>&1; echo u=$?; "
               "python3 -c 'import ctypes; print(\"ptrace\", ctypes.CDLL(None).ptrace(16, 1, 0, 0))'");
  EXPECT_NE(r.output.find("m=32"), std::string::npos) << r.output;  // mount failure
  EXPECT_EQ(r.output.find("u=0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ptrace -1"), std::string::npos) << r.output;
}

TEST_F(SandboxTest, SeesOnlyItsOwnProcesses) {
  auto r = Run("ls /proc | grep -E '^[0-9]+$' | wc -l; kill -9 " + std::to_string(::getpid()) +
               " 2>&1; echo k=$?");
  EXPECT_NE(r.output.find("k=1"), std::string::npos) << r.output;
  long count = std::strtol(r.output.c_str(), nullptr, 10);
  EXPECT_LE(count, 5) << r.output;
}

TEST_F(SandboxTest, MemoryLimitKillsTheHog) {
  Limits limits;
  limits.memory_mb = 64;
  auto r = Run("exec python3 -c 'x = bytearray(256 * 1024 * 1024); print(len(x))'", limits);
  EXPECT_EQ(r.output.find("268435456"), std::string::npos) << r.output;
  EXPECT_EQ(r.exit.kind, ExitInfo::Kind::kSignaled) << r.exit.Describe();
  EXPECT_EQ(r.exit.Describe(), "signal: killed");
  EXPECT_GE(r.oom_kills, 1u);
}

TEST_F(SandboxTest, PidsLimitStopsForkBomb) {
  Limits limits;
  limits.pids = 16;
  auto r = Run("exec python3 -c '\nimport os, time\nn = 0\ntry:\n  while n < 1000:\n"
               "    if os.fork() == 0:\n      time.sleep(2)\n      os._exit(0)\n    n += 1\n"
               "except OSError as e:\n  print(\"forks\", n, e.errno)\n'", limits);
  auto pos = r.output.find("forks ");
  ASSERT_NE(pos, std::string::npos) << r.output;
  long forks = std::strtol(r.output.c_str() + pos + 6, nullptr, 10);
  EXPECT_LT(forks, 16) << r.output;
  EXPECT_NE(r.output.find(" 11"), std::string::npos) << r.output;  // EAGAIN
}

TEST_F(SandboxTest, NetworkNoneCannotReachHostLoopback) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(s, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  std::string probe = "python3 -c 'import socket; s=socket.socket(); s.settimeout(2)\n"
                      "try:\n s.connect((\"127.0.0.1\", " + std::to_string(port) + ")); print(\"connected\")\n"
                      "except Exception as e: print(\"refused\", e)'";
  auto none = Run(probe);
  EXPECT_NE(none.output.find("refused"), std::string::npos) << none.output;
  auto host = Run(probe, {}, NetworkMode::kHost);
  EXPECT_NE(host.output.find("connected"), std::string::npos) << host.output;
  ::close(s);
}

TEST_F(SandboxTest, InitHoldsNoCopyOfTheServer) {
  auto r = Run("tr '\\0' ' ' < /proc/1/cmdline; echo; cat /proc/1/status | grep -E '^(Name|VmRSS):'");
  EXPECT_NE(r.output.find("nimbus-init"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("sandbox_test"), std::string::npos) << r.output;
}

// Sandboxes spawned while other threads allocate and hold locks must all start
// (a child that inherited a held allocator lock used to hang forever).
TEST_F(SandboxTest, SpawnsWhileOtherThreadsAllocate) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> noise;
  for (int i = 0; i < 2; ++i) {
    noise.emplace_back([&] {
      while (!stop) {
        std::vector<std::string> junk;
        for (int j = 0; j < 100; ++j) junk.emplace_back(1000 + j, 'x');
      }
    });
  }
  std::vector<std::thread> spawners;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    spawners.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        auto r = Run("id -u");
        if (r.exit.kind == ExitInfo::Kind::kExited && r.output == "993\n") ++ok;
      }
    });
  }
  for (auto& t : spawners) t.join();
  stop = true;
  for (auto& t : noise) t.join();
  EXPECT_EQ(ok.load(), 20);
}

TEST_F(SandboxTest, MissingCommandExits127) {
  SandboxSpec spec;
  auto r = Run("exec /var/task/nope");
  EXPECT_EQ(r.exit.code, 127);
}

}  // namespace
}  // namespace nimbus::sandbox
