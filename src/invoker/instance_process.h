// The sandboxed process of one function instance and the listeners it
// reaches the platform through: its Runtime API and its own AWS endpoint.
// In network mode none both listen on the sandbox's loopback, inside its
// network namespace (kSandboxRuntimeApiPort, kSandboxAwsPort); in network
// mode host on ports of the host's loopback that only the instance's host
// uid may connect to. Also the credentials the instance calls the platform
// with (issued for its start, revoked at its teardown).
//
// A start takes three steps, each on its own kind of thread:
//   1. Prepare, on the thread that launches the instance: checks the code,
//      issues the credentials (and makes the AWS endpoint's handlers for
//      them), opens the output pipe, binds the host-mode listeners and
//      builds the sandbox spec. Cheap; makes a SpawnJob.
//   2. Spawn, on a SpawnPool thread: builds the sandbox (clone, namespaces,
//      mounts, cgroup) and, in network mode none, binds the listeners inside
//      it. Blocks, so it never runs on an event loop.
//   3. Attach, then Start, on the instance's event loop: serves the
//      listeners, watches for the process's exit, lets the command run.
// Teardown ends it: listeners closed, credentials revoked, the process
// handed back for disposal off the I/O threads.
//
// Lifetime: a member of its Instance. The exit callback given to Attach must
// guard the instance's lifetime itself (it holds a weak reference).
//
// Threads: Prepare, Attach, Start and Teardown follow each other (the
// owning Instance calls them in that order, handing over through the spawn
// pool and the event loop); Kill, Reap, OomKilled and PeakMemoryMb may be
// called from any thread at any time. The process is guarded by one mutex,
// taken after the owning Instance's when both are held.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/fs.h"
#include "core/status.h"
#include "invoker/instance_environment.h"
#include "invoker/interfaces.h"
#include "net/http.h"
#include "net/http_server.h"
#include "runtime/catalog.h"
#include "runtime/function_spec.h"
#include "sandbox/process.h"
#include "sandbox/sandboxer.h"
#include "sandbox/spec.h"

namespace nimbus::invoker {

class InstanceProcess {
 public:
  using Clock = std::chrono::steady_clock;

  // What a spawn needs: made by Prepare, run by Spawn.
  struct SpawnJob {
    SpawnFunction spawn;
    sandbox::SandboxSpec spec;
    std::string name;  // names the cgroup
    bool isolated_net = false;
    UniqueFd output_write;  // the output pipe's write end, closed once the sandbox has it
  };
  // What a spawn made: handed to Attach.
  struct Spawned {
    Status status;
    std::unique_ptr<sandbox::SandboxedProcess> process;  // set even if a later step failed
    UniqueFd api_fd, aws_fd;       // network mode none: listening inside the sandbox
    Clock::time_point spawned_at;  // when the spawn began
  };

  InstanceProcess(const InstanceEnvironment& env, const runtime::FunctionSpec& function,
                  const runtime::RuntimeInfo* runtime, std::string id);
  ~InstanceProcess();
  InstanceProcess(const InstanceProcess&) = delete;
  InstanceProcess& operator=(const InstanceProcess&) = delete;

  // Step 1. On success `output_read` is the read end of the pipe the
  // instance's stdout and stderr go to (non-blocking). A failure with a
  // reason (Status::reason) is the function's own fault, as Lambda names it
  // (Runtime.InvalidRuntime, Runtime.InvalidEntrypoint).
  Result<SpawnJob> Prepare(const std::string& log_stream, UniqueFd& output_read);
  // Step 2. Blocks; any thread but an event loop's. Touches nothing of the
  // InstanceProcess, so it runs while other methods are called.
  static Spawned Spawn(SpawnJob job);
  // Step 3: keeps the process (also when `spawned` failed, so that Teardown
  // disposes of it), serves the Runtime API with `runtime_api` and the AWS
  // endpoint, and calls `on_exit` on the loop once the process has exited.
  Status Attach(Spawned spawned, net::Handler runtime_api, std::function<void()> on_exit);
  // Lets the command run. After a Kill() the sandbox is killed instead.
  Status Start();

  // Kills the sandbox now, or as soon as it exists; the exit is reported to
  // Attach's `on_exit` as any other. Idempotent.
  void Kill();
  // Whether an exit will be reported (Attach got as far as watching it).
  bool watching_exit() const;
  // How the process ended, once it has (Attach's `on_exit` was called); null
  // if there is no process.
  std::optional<sandbox::ExitInfo> Reap();
  // The cgroup saw an out-of-memory kill.
  bool OomKilled();
  // The instance's peak memory use in MB, read afresh unless read within
  // `max_age`.
  uint64_t PeakMemoryMb(std::chrono::milliseconds max_age);

  // Closes the listeners, revokes the credentials and returns the process
  // (null if none), for the owner to dispose of off the I/O threads.
  std::unique_ptr<sandbox::SandboxedProcess> Teardown();

 private:
  const InstanceEnvironment& env_;
  const runtime::FunctionSpec& function_;
  const runtime::RuntimeInfo* runtime_;
  const std::string id_;

  // Steps 1 to 3 and Teardown.
  Credentials credentials_;
  bool isolated_net_ = false;
  UniqueFd host_api_fd_, host_aws_fd_;  // network mode host: bound by Prepare
  AwsListener aws_listener_;            // made by Prepare for the credentials
  std::unique_ptr<net::HttpServer> runtime_api_;
  std::unique_ptr<net::HttpServer> aws_endpoint_;
  net::FdWatcherPtr exit_watcher_;

  mutable std::mutex mu_;
  // Every use of the process holds the mutex: Teardown hands it to the
  // janitor, which closes its pidfd, and a signal sent through a reused
  // descriptor would hit another sandbox.
  std::unique_ptr<sandbox::SandboxedProcess> process_;
  bool kill_requested_ = false;
  uint64_t peak_memory_mb_ = 0;
  Clock::time_point peak_read_at_;
};

}  // namespace nimbus::invoker
