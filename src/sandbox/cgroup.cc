#include "sandbox/cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "core/fs.h"
#include "core/ids.h"
#include "core/strings.h"

namespace nimbus::sandbox {
namespace {

Status WriteValue(const std::string& path, const std::string& value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open " + path, errno);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return ErrnoStatus("write " + value + " to " + path, errno);
  }
  return Status::Ok();
}

// A counter file's value: a positive number on one line, else 0.
uint64_t ParseCount(std::string_view text) {
  long long v = 0;
  return ParseInt64(Trim(text), &v) && v > 0 ? static_cast<uint64_t>(v) : 0;
}

uint64_t ReadNumber(const std::string& path) {
  auto text = ReadFile(path);
  return text.ok() ? ParseCount(*text) : 0;
}

// A counter file kept open for the group's life: reading it again is one
// pread, where opening it by path walks the cgroup filesystem each time (the
// peak is read after every invocation). The owner serialises reads with
// Close(), which runs before the group is removed.
class CounterFile {
 public:
  explicit CounterFile(const std::string& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  bool valid() const { return fd_.valid(); }
  uint64_t Read() const {
    if (!fd_.valid()) return 0;
    char buf[32];
    ssize_t n = ::pread(fd_.get(), buf, sizeof buf - 1, 0);
    return n > 0 ? ParseCount(std::string_view(buf, static_cast<size_t>(n))) : 0;
  }
  void Close() { fd_.Reset(); }

 private:
  UniqueFd fd_;
};

// Reads "key value" lines (memory.events, memory.oom_control) for `key`.
uint64_t ReadKeyed(const std::string& path, std::string_view key) {
  auto text = ReadFile(path);
  if (!text.ok()) return 0;
  for (std::string_view line : Split(*text, '\n')) {
    auto parts = Split(Trim(line), ' ');
    long long v = 0;
    if (parts.size() == 2 && parts[0] == key && ParseInt64(parts[1], &v)) {
      return static_cast<uint64_t>(v);
    }
  }
  return 0;
}

Status RemoveDirWithRetry(const std::string& path) {
  for (int i = 0; i < 50; ++i) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
    if (errno != EBUSY) return ErrnoStatus("rmdir " + path, errno);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status(Code::kUnavailable, "cgroup " + path + " still busy");
}

// The server's own group in the v1 hierarchy of `controller`, from /proc/self/cgroup.
std::string OwnGroup(const std::string& controller) {
  auto text = ReadFile("/proc/self/cgroup");
  if (!text.ok()) return "/";
  for (std::string_view line : Split(*text, '\n')) {
    auto parts = Split(line, ':');
    if (parts.size() != 3) continue;
    for (std::string_view c : Split(parts[1], ',')) {
      if (c == controller) return std::string(parts[2]);
    }
  }
  return "/";
}

// ---- v1: one directory per controller --------------------------------------------------

class CgroupV1 : public Cgroup {
 public:
  CgroupV1(std::string memory, std::string pids, std::string cpu)
      : memory_(std::move(memory)),
        pids_(std::move(pids)),
        cpu_(std::move(cpu)),
        peak_(memory_ + "/memory.max_usage_in_bytes") {}
  Status AddProcess(int pid) override {
    std::string p = std::to_string(pid);
    RETURN_IF_ERROR(WriteValue(memory_ + "/cgroup.procs", p));
    RETURN_IF_ERROR(WriteValue(pids_ + "/cgroup.procs", p));
    return WriteValue(cpu_ + "/cgroup.procs", p);
  }
  uint64_t PeakMemoryBytes() override { return peak_.Read(); }
  uint64_t OomKills() override { return ReadKeyed(memory_ + "/memory.oom_control", "oom_kill"); }
  Status Destroy() override {
    peak_.Close();
    Status a = RemoveDirWithRetry(memory_);
    Status b = RemoveDirWithRetry(pids_);
    Status c = RemoveDirWithRetry(cpu_);
    return !a.ok() ? a : !b.ok() ? b : c;
  }

 private:
  std::string memory_, pids_, cpu_;
  CounterFile peak_;
};

class DriverV1 : public CgroupDriver {
 public:
  DriverV1(std::string memory, std::string pids, std::string cpu, bool memsw)
      : memory_(std::move(memory)), pids_(std::move(pids)), cpu_(std::move(cpu)), memsw_(memsw) {}
  const char* version() const override { return "v1"; }

  Result<std::unique_ptr<Cgroup>> Create(const std::string& name, const Limits& limits) override {
    std::string m = memory_ + "/" + name, p = pids_ + "/" + name, c = cpu_ + "/" + name;
    for (const auto& dir : {m, p, c}) {
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoStatus("create cgroup " + dir, errno);
      }
    }
    auto group = std::make_unique<CgroupV1>(m, p, c);
    std::string bytes = std::to_string(limits.memory_mb * 1024 * 1024);
    Status s = WriteValue(m + "/memory.limit_in_bytes", bytes);
    if (s.ok() && memsw_) s = WriteValue(m + "/memory.memsw.limit_in_bytes", bytes);
    if (s.ok()) WriteValue(m + "/memory.swappiness", "0").IgnoreError();
    if (s.ok()) s = WriteValue(p + "/pids.max", std::to_string(limits.pids));
    uint32_t weight = limits.cpu_weight ? limits.cpu_weight : CpuWeightForMemory(limits.memory_mb);
    // v1 shares: 1024 is one CPU's worth against its siblings.
    if (s.ok()) s = WriteValue(c + "/cpu.shares", std::to_string(std::max<uint32_t>(2, weight * 1024 / 100)));
    if (!s.ok()) {
      group->Destroy().IgnoreError();
      return s;
    }
    return std::unique_ptr<Cgroup>(std::move(group));
  }

  void Cleanup() override {
    for (const auto& dir : {memory_, pids_, cpu_}) ::rmdir(dir.c_str());
  }

 private:
  std::string memory_, pids_, cpu_;
  bool memsw_;
};

// ---- v2: one unified directory ------------------------------------------------------------

class CgroupV2 : public Cgroup {
 public:
  explicit CgroupV2(std::string dir) : dir_(std::move(dir)), peak_(dir_ + "/memory.peak") {}
  Status AddProcess(int pid) override {
    return WriteValue(dir_ + "/cgroup.procs", std::to_string(pid));
  }
  uint64_t PeakMemoryBytes() override {
    if (peak_.valid()) return peak_.Read();       // kernel 5.19+
    return ReadNumber(dir_ + "/memory.current");  // older kernels: the present use
  }
  uint64_t OomKills() override { return ReadKeyed(dir_ + "/memory.events", "oom_kill"); }
  Status Destroy() override {
    peak_.Close();
    if (PathExists(dir_ + "/cgroup.kill")) WriteValue(dir_ + "/cgroup.kill", "1").IgnoreError();
    return RemoveDirWithRetry(dir_);
  }

 private:
  std::string dir_;
  CounterFile peak_;
};

class DriverV2 : public CgroupDriver {
 public:
  explicit DriverV2(std::string parent) : parent_(std::move(parent)) {}
  const char* version() const override { return "v2"; }

  Result<std::unique_ptr<Cgroup>> Create(const std::string& name, const Limits& limits) override {
    std::string dir = parent_ + "/" + name;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("create cgroup " + dir, errno);
    }
    auto group = std::make_unique<CgroupV2>(dir);
    Status s = WriteValue(dir + "/memory.max", std::to_string(limits.memory_mb * 1024 * 1024));
    if (s.ok() && PathExists(dir + "/memory.swap.max")) s = WriteValue(dir + "/memory.swap.max", "0");
    if (s.ok()) s = WriteValue(dir + "/pids.max", std::to_string(limits.pids));
    uint32_t weight = limits.cpu_weight ? limits.cpu_weight : CpuWeightForMemory(limits.memory_mb);
    if (s.ok()) s = WriteValue(dir + "/cpu.weight", std::to_string(std::clamp<uint32_t>(weight, 1, 10000)));
    if (!s.ok()) {
      group->Destroy().IgnoreError();
      return s;
    }
    return std::unique_ptr<Cgroup>(std::move(group));
  }

  void Cleanup() override { ::rmdir(parent_.c_str()); }

 private:
  std::string parent_;
};

// A scope is named "<server pid>-<6 hex digits>" (NewCgroupScope). Groups of a
// server that was killed outright (no Cleanup) would stay for good; the next
// server removes those whose process is gone, with the instance groups they
// still hold. rmdir never removes a group with a process in it, so an
// instance still running keeps its group and its scope.
void RemoveStaleScopes(const std::string& dir, std::string_view prefix) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    std::string_view scope = std::string_view(name).substr(prefix.size());
    size_t dash = scope.find('-');
    long long pid = 0;
    if (dash == std::string_view::npos || scope.size() - dash - 1 != 6 ||
        !ParseInt64(scope.substr(0, dash), &pid) || pid <= 0 || pid > INT32_MAX) {
      continue;
    }
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive
    std::error_code inner;
    for (const auto& group : std::filesystem::directory_iterator(entry.path(), inner)) {
      if (group.is_directory(inner)) ::rmdir(group.path().c_str());
    }
    ::rmdir(entry.path().c_str());
  }
}

Status MakeGroupDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoStatus("create cgroup " + dir, errno);
  }
  return Status::Ok();
}

}  // namespace

std::string NewCgroupScope() { return std::to_string(::getpid()) + "-" + RandomHex(6); }

uint32_t CpuWeightForMemory(uint64_t memory_mb) {
  // Weight 100 is one full CPU (1769 MB); never below 1.
  uint64_t w = memory_mb * 100 / 1769;
  return static_cast<uint32_t>(std::max<uint64_t>(1, w));
}

Result<std::unique_ptr<CgroupDriver>> NewCgroupDriver(const std::string& mount_root,
                                                      const std::string& scope) {
  if (PathExists(mount_root + "/cgroup.controllers")) {
    // Pure v2. Instances live under <root>/nimbus/<scope>; both levels need
    // the controllers delegated through cgroup.subtree_control.
    auto controllers = ReadFile(mount_root + "/cgroup.controllers");
    for (const char* c : {"memory", "pids", "cpu"}) {
      if (!controllers.ok() || controllers->find(c) == std::string::npos) {
        return Status(Code::kUnavailable,
                      std::string("cgroup v2 controller '") + c + "' is not available");
      }
    }
    std::string base = mount_root + "/nimbus";
    std::string parent = base + "/" + scope;
    RETURN_IF_ERROR(MakeGroupDir(base));
    RemoveStaleScopes(base, "");
    for (const std::string& dir : {mount_root, base}) {
      Status s = WriteValue(dir + "/cgroup.subtree_control", "+memory +pids +cpu");
      if (!s.ok()) {
        return Status(Code::kUnavailable,
                      "cannot delegate memory, pids and cpu control in " + dir + ": " + s.message());
      }
    }
    RETURN_IF_ERROR(MakeGroupDir(parent));
    RETURN_IF_ERROR(WriteValue(parent + "/cgroup.subtree_control", "+memory +pids +cpu"));
    return std::unique_ptr<CgroupDriver>(new DriverV2(parent));
  }
  // v1 (or hybrid): one hierarchy per controller; nest under the server's own group.
  std::vector<std::string> dirs;
  for (const char* c : {"memory", "pids", "cpu"}) {
    std::string mount = mount_root + "/" + c;
    if (!PathExists(mount + "/cgroup.procs")) {
      return Status(Code::kUnavailable, std::string("cgroup controller '") + c +
                                            "' is not mounted (looked for " + mount + ")");
    }
    std::string own = OwnGroup(c);
    std::string home = mount + (own == "/" ? "" : own);
    RemoveStaleScopes(home, "nimbus-");
    std::string dir = home + "/nimbus-" + scope;
    RETURN_IF_ERROR(MakeGroupDir(dir));
    dirs.push_back(dir);
  }
  bool memsw = PathExists(dirs[0] + "/memory.memsw.limit_in_bytes");
  return std::unique_ptr<CgroupDriver>(new DriverV1(dirs[0], dirs[1], dirs[2], memsw));
}

}  // namespace nimbus::sandbox
