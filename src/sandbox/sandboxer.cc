#include "sandbox/sandboxer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>

#include "core/fs.h"
#include "core/strings.h"
#include "sandbox/userns.h"

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

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

// Whether the running kernel is at least major.minor.
bool KernelAtLeast(int major, int minor) {
  struct utsname u;
  int have_major = 0, have_minor = 0;
  if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &have_major, &have_minor) != 2) {
    return false;
  }
  return have_major > major || (have_major == major && have_minor >= minor);
}

// mount_setattr(2) exists when a call with bad arguments fails with something else than ENOSYS.
bool HasMountSetattr() {
  return ::syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0) != 0 && errno != ENOSYS;
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
    ASSIGN_OR_RETURN(s->uids_, UidPool::Create(options.uids));
    // One probe of the whole mechanism; where the host refuses (a container
    // without user namespaces, a sysctl), instances run as their host uid directly.
    auto probe = NewUserNamespace(993, 993, options.uids.base, options.uids.base);
    s->user_namespaces_ = probe.ok();
    if (!probe.ok()) s->no_user_namespaces_ = probe.status().message();
    s->cgroup_namespaces_ = PathExists("/proc/self/ns/cgroup");
    s->proc_subset_ = KernelAtLeast(5, 8);
    s->recursive_read_only_ = HasMountSetattr();
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
  ASSIGN_OR_RETURN(out->uid, uids_->Acquire());
  if (cgroups_) {
    ASSIGN_OR_RETURN(out->cgroup, cgroups_->Create(name, spec.limits));
  }
  SpawnContext ctx{staging_root_, &seccomp_, init_.get()};
  if (user_namespaces_) {
    ASSIGN_OR_RETURN(ctx.userns_fd, UserNamespaceFor(out->host_uid(), spec.uid, spec.gid));
  } else {
    ctx.host_uid = out->host_uid();
    ctx.host_gid = out->host_uid();
  }
  ctx.cgroup_namespace = cgroup_namespaces_;
  ctx.proc_subset = proc_subset_;
  ctx.recursive_read_only = recursive_read_only_;
  auto proc = sandbox::Spawn(spec, ctx);
  if (!proc.ok()) return proc.status();
  out->process = std::move(*proc);
  if (out->cgroup) {
    Status s = out->cgroup->AddProcess(out->process->pid());
    if (!s.ok()) return s;  // the destructor kills the process and removes the group
  }
  return out;
}

Result<int> Sandboxer::UserNamespaceFor(uint32_t host_uid, uint32_t inside_uid,
                                         uint32_t inside_gid) {
  std::lock_guard lock(userns_mu_);
  auto key = std::make_tuple(host_uid, inside_uid, inside_gid);
  auto it = userns_.find(key);
  if (it == userns_.end()) {
    ASSIGN_OR_RETURN(UniqueFd fd, NewUserNamespace(inside_uid, inside_gid, host_uid, host_uid));
    it = userns_.emplace(key, std::move(fd)).first;
  }
  return it->second.get();
}

std::string Sandboxer::Describe() const {
  if (!missing_.empty()) return "weak isolation";
  const UidPoolOptions& uids = options_.uids;
  std::string range = std::to_string(uids.base) + "-" + std::to_string(uids.base + uids.count - 1);
  std::string out = std::string("namespaces(mnt,pid,ipc,uts,net") +
                    (cgroup_namespaces_ ? ",cgroup" : "") + (user_namespaces_ ? ",user" : "") +
                    ") pivot_root seccomp-allowlist no_new_privs no-capabilities(init too) ";
  if (user_namespaces_) {
    out += "per-instance-uid(user namespace: the function's uid is host uid " + range + ")";
  } else {
    out += "per-instance-uid(host uid " + range + " directly: no user namespace, " +
           no_user_namespaces_ + ")";
  }
  out += proc_subset_ ? " proc(subset=pid,hidepid=invisible)" : " proc(full: kernel before 5.8)";
  out += recursive_read_only_ ? " read-only-binds(recursive)"
                              : " read-only-binds(top mount only: kernel before 5.12)";
  return out + " cgroup-" + (cgroups_ ? cgroups_->version() : "none");
}

}  // namespace nimbus::sandbox
