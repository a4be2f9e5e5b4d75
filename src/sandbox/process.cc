#include "sandbox/process.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include <fmt/format.h>

#include "core/strings.h"
#include "sandbox/contain.h"

namespace nimbus::sandbox {
namespace {

using internal::ChildPlan;
using internal::MountOp;
using internal::OpKind;
using internal::StatusMessage;

int CapLast() {
  auto text = ReadFile("/proc/sys/kernel/cap_last_cap");
  long long v = 40;
  if (text.ok()) ParseInt64(Trim(*text), &v);
  return static_cast<int>(v);
}

const char* StepName(int32_t step) {
  switch (step) {
    case internal::kStepCloseFds: return "closing inherited descriptors";
    case internal::kStepPrivateMounts: return "making mounts private";
    case internal::kStepRootTmpfs: return "mounting the root tmpfs";
    case internal::kStepMounts: return "building the root";
    case internal::kStepReadOnlyRoot: return "making the root read-only";
    case internal::kStepPivotRoot: return "pivot_root";
    case internal::kStepHostname: return "setting the hostname";
    case internal::kStepWaitForGo: return "waiting to start";
    case internal::kStepFork: return "starting the command";
    case internal::kStepCgroupNamespace: return "entering a cgroup namespace";
    case internal::kStepUserNamespace: return "entering the user namespace";
    case internal::kStepIds: return "switching to the sandbox's user";
    case internal::kStepCapabilities: return "dropping capabilities";
    case internal::kStepSeccomp: return "installing the seccomp filter";
  }
  return "unknown step";
}

// Owns every string the child reads, so that the plan's pointers stay valid.
struct PlanStorage {
  std::deque<std::string> strings;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::vector<char*> init_argv;
  const char* Keep(std::string s) {
    strings.push_back(std::move(s));
    return strings.back().c_str();
  }
};

class SandboxProcess : public Process {
 public:
  SandboxProcess(int pid, UniqueFd pidfd, UniqueFd sync, UniqueFd status)
      : pid_(pid), pidfd_(std::move(pidfd)), sync_(std::move(sync)), status_(std::move(status)) {}
  ~SandboxProcess() override {
    if (!reaped_) {
      Kill();
      Reap();
    }
  }

  int pid() const override { return pid_; }
  int pidfd() const override { return pidfd_.get(); }

  Result<UniqueFd> OpenNetns() const override {
    std::string path = "/proc/" + std::to_string(pid_) + "/ns/net";
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus("open " + path, errno);
    return fd;
  }

  Status Start() override {
    char go = 1;
    if (::write(sync_.get(), &go, 1) != 1) return ErrnoStatus("start sandboxed command", errno);
    sync_.Reset();
    return Status::Ok();
  }

  void Kill() override {
    if (!reaped_) ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
  }

  ExitInfo Reap() override {
    ExitInfo info;
    if (reaped_) return last_;
    siginfo_t si;
    std::memset(&si, 0, sizeof si);
    while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.get()), &si,
                    WEXITED) != 0 && errno == EINTR) {
    }
    reaped_ = true;
    // The init wrote its message before exiting, so it is in the pipe already;
    // read without waiting so a reaper on an I/O thread can never block here.
    int flags = ::fcntl(status_.get(), F_GETFL);
    if (flags >= 0) ::fcntl(status_.get(), F_SETFL, flags | O_NONBLOCK);
    StatusMessage m{};
    ssize_t n = ::read(status_.get(), &m, sizeof m);
    if (n == static_cast<ssize_t>(sizeof m) && m.kind == 1) {
      info.kind = ExitInfo::Kind::kSetupFailed;
      info.message = std::string("sandbox setup failed while ") + StepName(m.a) +
                     (m.c >= 0 ? " (step " + std::to_string(m.c) + ")" : "") + ": " +
                     std::strerror(m.b);
    } else if (n == static_cast<ssize_t>(sizeof m) && m.kind == 2) {
      if (WIFEXITED(m.a)) {
        info.kind = ExitInfo::Kind::kExited;
        info.code = WEXITSTATUS(m.a);
      } else {
        info.kind = ExitInfo::Kind::kSignaled;
        info.signal = WTERMSIG(m.a);
      }
    } else {
      info.kind = ExitInfo::Kind::kKilled;
      info.signal = SIGKILL;
    }
    last_ = info;
    return info;
  }

 private:
  int pid_;
  UniqueFd pidfd_;
  UniqueFd sync_;
  UniqueFd status_;
  bool reaped_ = false;
  ExitInfo last_;
};

void AddOp(PlanStorage& st, ChildPlan& plan, OpKind kind, const std::string& source,
           const std::string& target, bool read_only, int mode = 0644, std::string data = {},
           bool hide_source = false) {
  MountOp op{};
  op.kind = kind;
  op.source = st.Keep(source);
  op.target = st.Keep(std::string(plan.staging_root) + target);
  op.data = data.empty() ? nullptr : st.Keep(std::move(data));
  op.read_only = read_only;
  op.hide_source = hide_source;
  op.mode = mode;
  plan.ops.push_back(op);
}

}  // namespace

std::string ExitInfo::Describe() const {
  switch (kind) {
    case Kind::kExited: return "exit status " + std::to_string(code);
    case Kind::kSignaled:
    case Kind::kKilled: {
      if (signal == SIGKILL) return "signal: killed";
      const char* name = sigabbrev_np(signal);
      return std::string("signal: ") + (name ? ToLower(name) : std::to_string(signal));
    }
    case Kind::kSetupFailed: return message;
  }
  return "unknown";
}

Result<std::unique_ptr<Process>> Spawn(const SandboxSpec& spec, const SpawnContext& context) {
  if (spec.argv.empty()) return InvalidArgument("sandbox: empty command");
  if (spec.output_fd < 0) return InvalidArgument("sandbox: no output descriptor");

  PlanStorage st;
  ChildPlan plan{};
  plan.staging_root = st.Keep(context.staging_root);
  plan.empty_dir = st.Keep(context.staging_root + "/.nimbus-empty");
  for (const Mount& m : spec.mounts) {
    switch (m.kind) {
      case Mount::Kind::kBind: {
        struct stat sb;
        if (::stat(m.source.c_str(), &sb) != 0) {
          return ErrnoStatus("sandbox: bind source " + m.source, errno);
        }
        bool dir = S_ISDIR(sb.st_mode);
        AddOp(st, plan, dir ? OpKind::kBindDir : OpKind::kBindFile, m.source, m.target,
              m.read_only, 0644, {}, dir && m.hide_source);
        break;
      }
      case Mount::Kind::kTmpfs:
        AddOp(st, plan, OpKind::kTmpfs, "", m.target, false, m.mode,
              fmt::format("size={}m,mode={:o}", m.size_mb ? m.size_mb : 1, m.mode));
        break;
      case Mount::Kind::kSymlink:
        AddOp(st, plan, OpKind::kSymlink, m.source, m.target, false);
        break;
      case Mount::Kind::kFile:
        AddOp(st, plan, OpKind::kFile, m.source, m.target, false, m.mode);
        break;
      case Mount::Kind::kDir:
        AddOp(st, plan, OpKind::kDir, "", m.target, false, m.mode);
        break;
    }
  }
  AddOp(st, plan, OpKind::kProc, "", "/proc", false);

  for (const auto& a : spec.argv) st.argv.push_back(const_cast<char*>(st.Keep(a)));
  st.argv.push_back(nullptr);
  for (const auto& e : spec.env) st.envp.push_back(const_cast<char*>(st.Keep(e)));
  st.envp.push_back(nullptr);
  plan.argv = st.argv.data();
  plan.envp = st.envp.data();
  plan.cwd = st.Keep(spec.cwd);
  plan.hostname = st.Keep(spec.hostname);
  plan.userns_fd = context.userns_fd;
  bool direct = context.userns_fd < 0 && context.host_uid != 0;
  plan.uid = direct ? context.host_uid : spec.uid;
  plan.gid = direct ? context.host_gid : spec.gid;
  plan.cgroup_namespace = context.cgroup_namespace;
  plan.proc_subset = context.proc_subset;
  plan.recursive_read_only = context.recursive_read_only;
  plan.output_fd = spec.output_fd;
  if (context.seccomp != nullptr && !context.seccomp->filter.empty()) {
    plan.seccomp.len = static_cast<unsigned short>(context.seccomp->filter.size());
    plan.seccomp.filter = const_cast<sock_filter*>(context.seccomp->filter.data());
  }
  static const int kCapLast = CapLast();
  plan.cap_last = kCapLast;
  plan.nofile = spec.limits.nofile;

  int sync[2], status[2];
  if (::pipe2(sync, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  UniqueFd sync_r(sync[0]), sync_w(sync[1]);
  if (::pipe2(status, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  UniqueFd status_r(status[0]), status_w(status[1]);
  plan.sync_fd = sync_r.get();
  plan.status_fd = status_w.get();
  plan.init_fd = context.init_fd;
  st.init_argv.push_back(const_cast<char*>(st.Keep("nimbus-init")));
  st.init_argv.push_back(const_cast<char*>(st.Keep(std::to_string(status_w.get()))));
  st.init_argv.push_back(nullptr);
  plan.init_argv = st.init_argv.data();

  uint64_t flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_PIDFD;
  if (spec.network == NetworkMode::kNone) flags |= CLONE_NEWNET;
  int pidfd = -1;
  struct clone_args args;
  std::memset(&args, 0, sizeof args);
  args.flags = flags;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) return ErrnoStatus("clone3", errno);
  if (pid == 0) internal::RunChild(plan);

  return std::unique_ptr<Process>(new SandboxProcess(static_cast<int>(pid), UniqueFd(pidfd),
                                                     std::move(sync_w), std::move(status_r)));
}

}  // namespace nimbus::sandbox
