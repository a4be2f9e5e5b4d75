// nimbus-init: PID 1 of every function sandbox.
//
// The sandbox's first process builds the root and starts the function's
// command as PID 2, then replaces itself with this small static program, so
// that no copy of the server's memory stays inside the sandbox. It reaps
// every orphan, and when the command (PID 2) ends it reports the wait status
// on the status descriptor and exits, which takes every other process of the
// sandbox with it. If the server dies, the kernel kills it (and so the
// sandbox) too. It starts already as unprivileged as the command: the
// function's uid in the instance's user namespace, no capabilities, no_new_privs
// and the same seccomp filter (see DropPrivileges in contain.cc), so it needs
// only wait4, write and prctl. Usage: nimbus-init <status fd>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/contain.h"

int main(int argc, char** argv) {
  if (argc < 2) return 111;
  int status_fd = atoi(argv[1]);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, "nimbus-init");
  while (true) {
    int status = 0;
    pid_t done = waitpid(-1, &status, 0);
    if (done == 2) {
      nimbus::sandbox::internal::StatusMessage m{2, status, 0, -1};
      ssize_t n;
      do {
        n = write(status_fd, &m, sizeof m);
      } while (n < 0 && errno == EINTR);
      _exit(0);
    }
    if (done < 0 && errno == ECHILD) _exit(0);
  }
}
