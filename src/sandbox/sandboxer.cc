#include "sandbox/sandboxer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/strings.h"

// The nimbus-init image, linked in by init_blob.S.
extern "C" const char nimbus_init_image[];
extern "C" const char nimbus_init_image_end[];

namespace nimbus::sandbox {
namespace {

// Puts nimbus-init in a sealed memory file the sandboxes can execute.
Result<UniqueFd> LoadInit() {
  const unsigned kMfdExec = 0x0010U;  // MFD_EXEC (Linux 6.3+): needed where memfds default to noexec
  int fd = ::memfd_create("nimbus-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | kMfdExec);
  if (fd < 0 && errno == EINVAL) fd = ::memfd_create("nimbus-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return ErrnoStatus("memfd_create", errno);
  UniqueFd out(fd);
  size_t size = static_cast<size_t>(nimbus_init_image_end - nimbus_init_image);
  RETURN_IF_ERROR(WriteAll(fd, std::string_view(nimbus_init_image, size)));
  ::fchmod(fd, 0555);
  ::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
  return out;
}

// Lists isolation features this host cannot provide.
std::vector<std::string> ProbeHost() {
  std::vector<std::string> missing;
  if (::geteuid() != 0) missing.push_back("root privileges (namespaces, mounts, cgroups)");
  for (const char* ns : {"mnt", "pid", "ipc", "uts", "net"}) {
    if (!PathExists(std::string("/proc/self/ns/") + ns)) {
      missing.push_back(std::string(ns) + " namespaces");
    }
  }
  if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) missing.push_back("seccomp");
  return missing;
}

}  // namespace

SandboxedProcess::~SandboxedProcess() {
  if (process) {
    process->Kill();
    process->Reap();
  }
  if (cgroup) cgroup->Destroy().IgnoreError();
}

Result<std::unique_ptr<Sandboxer>> Sandboxer::Create(const SandboxerOptions& options) {
  std::unique_ptr<Sandboxer> s(new Sandboxer());
  s->options_ = options;
  s->missing_ = ProbeHost();
  auto seccomp = BuildSeccompProgram();
  if (!seccomp.ok()) {
    s->missing_.push_back("a seccomp filter (" + seccomp.status().message() + ")");
  } else {
    s->seccomp_ = std::move(*seccomp);
  }
  if (::geteuid() == 0) {
    auto driver = NewCgroupDriver(options.cgroup_root, options.scope);
    if (driver.ok()) {
      s->cgroups_ = std::move(*driver);
    } else {
      s->missing_.push_back("cgroups: " + driver.status().message());
    }
  }
  if (!s->missing_.empty() && !options.allow_weak_isolation) {
    std::string list;
    for (const auto& m : s->missing_) list += "\n  - " + m;
    return Status(Code::kFailedPrecondition,
                  "this host cannot isolate functions fully; missing:" + list +
                      "\nrun as root on Linux with cgroups, or pass --allow-weak-isolation to "
                      "run functions with less isolation");
  }
  s->staging_root_ = options.state_dir + "/sandbox-root";
  RETURN_IF_ERROR(MakeDirs(s->staging_root_, 0755));
  ASSIGN_OR_RETURN(s->init_, LoadInit());
  return s;
}

Sandboxer::~Sandboxer() {
  if (cgroups_) cgroups_->Cleanup();
}

Result<std::unique_ptr<SandboxedProcess>> Sandboxer::Spawn(const SandboxSpec& spec,
                                                           const std::string& name) {
  if (::geteuid() != 0) {
    return Status(Code::kUnavailable, "functions can only be sandboxed when Nimbus runs as root");
  }
  auto out = std::make_unique<SandboxedProcess>();
  if (cgroups_) {
    ASSIGN_OR_RETURN(out->cgroup, cgroups_->Create(name, spec.limits));
  }
  SpawnContext ctx{staging_root_, &seccomp_, init_.get()};
  auto proc = sandbox::Spawn(spec, ctx);
  if (!proc.ok()) return proc.status();
  out->process = std::move(*proc);
  if (out->cgroup) {
    Status s = out->cgroup->AddProcess(out->process->pid());
    if (!s.ok()) return s;  // the destructor kills the process and removes the group
  }
  return out;
}

std::string Sandboxer::Describe() const {
  if (!missing_.empty()) return "weak isolation";
  return std::string("namespaces(mnt,pid,ipc,uts,net) pivot_root seccomp no_new_privs "
                     "unprivileged-uid cgroup-") +
         (cgroups_ ? cgroups_->version() : "none");
}

}  // namespace nimbus::sandbox
