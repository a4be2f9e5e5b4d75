// Sandbox escape tests: each runs a real command inside a real sandbox and
// checks that what it tries is refused. They need root (skipped otherwise).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/fs.h"
#include "core/ids.h"
#include "core/strings.h"
#include "sandbox/rootfs.h"
#include "sandbox/sandboxer.h"

namespace nimbus::sandbox {
namespace {

struct RunResult {
  ExitInfo exit;
  std::string output;
  uint64_t oom_kills = 0;
  uint32_t host_uid = 0;
};

// Runs Python inside the sandbox: a script that reports what each attempt got.
std::string Python(const std::string& code) {
  std::string quoted;
  for (char c : code) {
    if (c == '\'') quoted += "'\\''";
    else quoted += c;
  }
  return "python3 -c '" + quoted + "'";
}

// Python that defines sc(name, nr, *args): prints "name=<result or errno name>".
const char kSyscallPrelude[] = R"(
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def sc(name, nr, *args):
    ctypes.set_errno(0)
    rc = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    print("%s=%s" % (name, rc if rc >= 0 else errno.errorcode.get(ctypes.get_errno())))
)";

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
                NetworkMode net = NetworkMode::kNone, std::vector<Mount> extra = {}) {
    SandboxSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin", "HOME=/tmp"};
    spec.cwd = "/var/task";
    spec.mounts = SystemMounts({});
    spec.mounts.push_back({Mount::Kind::kBind, dir_ + "/task", "/var/task", true});
    spec.mounts.push_back({Mount::Kind::kTmpfs, "", "/tmp", false, 16, 01777});
    for (auto& m : extra) spec.mounts.push_back(std::move(m));
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
    r.host_uid = (*sp)->host_uid();
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
               "cat /var/task/secret-ok.txt; cat /etc/shadow; ls /var/task");
  EXPECT_EQ(r.output.find("host secret"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("visible"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\nsecret-ok.txt\n"), std::string::npos) << r.output;  // listable
  EXPECT_EQ(r.output.find("nimbus-empty"), std::string::npos) << r.output;
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

TEST_F(SandboxTest, SeccompAllowsOnlyListedCallsAndSocketFamilies) {
  auto r = Run(Python(std::string(kSyscallPrelude) + R"(
import socket
def sock(name, family, kind=socket.SOCK_STREAM, proto=0):
    try:
        socket.socket(family, kind, proto).close()
        print(name + "=ok")
    except OSError as e:
        print(name + "=" + errno.errorcode[e.errno])
sock("unix", socket.AF_UNIX)
sock("inet", socket.AF_INET)
sock("inet6", socket.AF_INET6)
sock("netlink_route", 16, socket.SOCK_RAW, 0)
sock("netlink_netfilter", 16, socket.SOCK_RAW, 12)
sock("vsock", 40)
sock("packet", 17, socket.SOCK_RAW)
sc("socket_high_bits", 41, (1 << 32) | 16, 3, 0)
sc("memfd_secret", 447, 0)
sc("fanotify_init", 300, 0, 0)
sc("modify_ldt", 154, 0, 0, 0)
sc("personality_query", 135, 0xffffffff)
sc("personality_no_aslr", 135, 0x0040000)
sc("set_mempolicy", 238, 0, 0, 0)
sc("mbind", 237, 0, 0, 0, 0, 0, 0)
sc("sysfs", 139, 3)
sc("sync", 162)
sc("unshare", 272, 0x10000000)
sc("getpid", 39)
)"));
  EXPECT_EQ(r.exit.kind, ExitInfo::Kind::kExited) << r.output;
  for (const char* want :
       {"unix=ok", "inet=ok", "inet6=ok", "netlink_route=EAFNOSUPPORT",
        "netlink_netfilter=EAFNOSUPPORT", "vsock=EAFNOSUPPORT", "packet=EAFNOSUPPORT",
        "socket_high_bits=EAFNOSUPPORT", "memfd_secret=ENOSYS", "fanotify_init=ENOSYS",
        "modify_ldt=ENOSYS", "personality_no_aslr=ENOSYS", "set_mempolicy=ENOSYS",
        "mbind=ENOSYS", "sysfs=ENOSYS", "sync=ENOSYS", "unshare=EPERM"}) {
    EXPECT_NE(r.output.find(std::string(want) + "\n"), std::string::npos) << want << "\n" << r.output;
  }
  EXPECT_EQ(r.output.find("personality_query=E"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("getpid=E"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("getpid="), std::string::npos) << r.output;
}

TEST_F(SandboxTest, OtherSystemCallAbisAreRefused) {
  // int 0x80 (the i386 ABI) kills the process; an x32 call (bit 30) does not run.
  const std::string call = std::string(kSyscallPrelude) + R"(
import mmap, sys
code = {"i386": b"\xb8\x14\x00\x00\x00\xcd\x80\xc3",
        "x32": b"\xb8\x27\x00\x00\x40\x0f\x05\xc3"}[sys.argv[1]]
m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
m.write(code)
f = ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(m)))
print(sys.argv[1] + "=" + str(f()), flush=True)
)";
  auto r = Run(Python(call) + " i386; echo i386_status=$?; " + Python(call) + " x32");
  // SIGSYS from the filter; or SIGSEGV on a kernel built or booted without
  // IA32 emulation, where int 0x80 itself faults. Either way the call never ran.
  EXPECT_TRUE(r.output.find("i386_status=159") != std::string::npos ||
              r.output.find("i386_status=139") != std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("i386="), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("x32=2"), std::string::npos) << r.output;  // not the pid
}

TEST_F(SandboxTest, InitHasNoCapabilitiesAndTheFilter) {
  // PID 1 becomes nimbus-init by exec while the command already runs; until
  // that exec ends /proc hides it (hidepid), so wait for its name first.
  auto r = Run(
      "for i in $(seq 200); do grep -q 'nimbus-init' /proc/1/status 2>/dev/null && break; "
      "sleep 0.05; done; "
      "grep -E '^(Uid|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/1/status");
  EXPECT_NE(r.output.find("Uid:\t993\t993\t993\t993"), std::string::npos) << r.output;
  for (const char* cap : {"CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    EXPECT_NE(r.output.find(std::string(cap) + ":\t0000000000000000"), std::string::npos)
        << cap << "\n" << r.output;
  }
  EXPECT_NE(r.output.find("NoNewPrivs:\t1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Seccomp:\t2"), std::string::npos) << r.output;
}

TEST_F(SandboxTest, EachInstanceIsItsOwnHostUser) {
  auto r = Run("cat /proc/self/uid_map /proc/self/gid_map; id -u");
  ASSERT_GE(r.host_uid, UidPoolOptions{}.base) << r.output;
  std::string map = "993 " + std::to_string(r.host_uid) + " 1";
  if (sandboxer_->Describe().find("user namespace") != std::string::npos) {
    // uid_map: "<inside> <host> <count>", columns padded.
    std::string squeezed;
    for (char c : r.output) {
      if (c == ' ' && (squeezed.empty() || squeezed.back() == ' ' || squeezed.back() == '\n')) {
        continue;
      }
      squeezed += c;
    }
    EXPECT_NE(squeezed.find(map + "\n" + map + "\n993\n"), std::string::npos) << r.output;
  }
  // Two live instances never share a host uid, and the host sees that uid.
  SandboxSpec spec;
  spec.argv = {"/bin/sh", "-c", "echo ready; exec sleep 30"};
  spec.mounts = SystemMounts({});
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd read_end(p[0]), write_end(p[1]);
  spec.output_fd = write_end.get();
  auto a = sandboxer_->Spawn(spec, "a-" + RandomHex(6));
  auto b = sandboxer_->Spawn(spec, "b-" + RandomHex(6));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->host_uid(), (*b)->host_uid());
  ASSERT_TRUE((*a)->process->Start().ok());
  char buf[6];
  ASSERT_EQ(::read(read_end.get(), buf, sizeof buf), 6);  // "ready\n": init has dropped its ids
  auto status = ReadFile("/proc/" + std::to_string((*a)->process->pid()) + "/status");
  ASSERT_TRUE(status.ok());
  std::string uid = std::to_string((*a)->host_uid());
  EXPECT_NE(status->find("Uid:\t" + uid + "\t" + uid), std::string::npos) << *status;
}

TEST_F(SandboxTest, ProcShowsNeitherHostPathsNorKernelFiles) {
  auto r = Run("cat /proc/self/mountinfo /proc/self/cgroup; ls /proc; "
               "for f in /proc/config.gz /proc/sys/kernel/hostname /proc/kcore /proc/meminfo; "
               "do cat $f >/dev/null 2>&1 && echo readable $f; done; echo done");
  EXPECT_NE(r.output.find("done"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(dir_), std::string::npos) << r.output;  // the data dir
  EXPECT_EQ(r.output.find("readable"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("0::/\n"), std::string::npos) << r.output;
  auto cgroups = ReadFile("/proc/self/cgroup");
  ASSERT_TRUE(cgroups.ok());
  for (std::string_view line : Split(*cgroups, '\n')) {
    // Every hierarchy's path is its namespace's root inside.
    auto colon = line.rfind(':');
    if (colon == std::string_view::npos) continue;
    std::string inside = std::string(line.substr(0, colon)) + ":/\n";
    EXPECT_NE(r.output.find(inside), std::string::npos) << inside << r.output;
  }
  EXPECT_NE(r.output.find("/var/task"), std::string::npos) << r.output;
}

TEST_F(SandboxTest, ReadOnlyBindsCoverTheirSubMounts) {
  // A host tree with a writable file system mounted inside it.
  ASSERT_TRUE(MakeDirs(dir_ + "/tree/sub").ok());
  ASSERT_EQ(::mount("tmpfs", (dir_ + "/tree/sub").c_str(), "tmpfs", 0, "size=1m"), 0);
  Mount tree{Mount::Kind::kBind, dir_ + "/tree", "/mnt/tree", true, 0, 0755, false};
  auto r = Run("touch /mnt/tree/sub/x 2>&1; echo t=$?; mount -o remount,rw /mnt/tree/sub 2>&1; "
               "echo m=$?; touch /mnt/tree/sub/x 2>&1; echo t=$?",
               {}, NetworkMode::kNone, {tree});
  ::umount2((dir_ + "/tree/sub").c_str(), MNT_DETACH);
  EXPECT_NE(r.output.find("Read-only file system"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("t=0"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("m=0"), std::string::npos) << r.output;
  EXPECT_FALSE(PathExists(dir_ + "/tree/sub/x"));
}

TEST_F(SandboxTest, MissingCommandExits127) {
  SandboxSpec spec;
  auto r = Run("exec /var/task/nope");
  EXPECT_EQ(r.exit.code, 127);
}

}  // namespace
}  // namespace nimbus::sandbox
