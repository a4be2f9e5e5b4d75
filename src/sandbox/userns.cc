#include "sandbox/userns.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace nimbus::sandbox {
namespace {

Status WriteProcFile(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open " + path, errno);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return ErrnoStatus("write " + path, errno);
  }
  return Status::Ok();
}

}  // namespace

Result<UniqueFd> NewUserNamespace(uint32_t inside_uid, uint32_t inside_gid, uint32_t host_uid,
                                  uint32_t host_gid) {
  int hold[2];
  if (::pipe2(hold, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  UniqueFd hold_r(hold[0]), hold_w(hold[1]);

  // The helper is a copy of this process in the new namespace that waits for
  // the pipe to close; like the sandbox's child it makes only system calls.
  int pidfd = -1;
  struct clone_args args;
  std::memset(&args, 0, sizeof args);
  args.flags = CLONE_NEWUSER | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) return ErrnoStatus("clone3(CLONE_NEWUSER)", errno);
  if (pid == 0) {
    ::close(hold[1]);
    char c;
    while (::read(hold[0], &c, 1) < 0 && errno == EINTR) {
    }
    ::_exit(0);
  }
  UniqueFd helper(pidfd);
  std::string proc = "/proc/" + std::to_string(pid);
  Status s = WriteProcFile(proc + "/uid_map", std::to_string(inside_uid) + " " +
                                                  std::to_string(host_uid) + " 1\n");
  if (s.ok()) {
    s = WriteProcFile(proc + "/gid_map",
                      std::to_string(inside_gid) + " " + std::to_string(host_gid) + " 1\n");
  }
  UniqueFd ns;
  if (s.ok()) {
    ns = UniqueFd(::open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns.valid()) s = ErrnoStatus("open " + proc + "/ns/user", errno);
  }
  hold_w.Reset();
  siginfo_t si;
  while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(helper.get()), &si,
                  WEXITED) != 0 &&
         errno == EINTR) {
  }
  if (!s.ok()) return s;
  return ns;
}

}  // namespace nimbus::sandbox
