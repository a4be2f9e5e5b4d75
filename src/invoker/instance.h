// One function instance: a sandboxed runtime process, its Runtime API
// listener (and, in network mode none, its private AWS endpoint), its log
// capture and the invocations it is working on. Lambda's model: one
// invocation at a time; the instance is torn down after a timeout, a crash
// or an out-of-memory kill, and the next invocation gets a fresh one.
//
// With FunctionSpec::max_concurrency above 1 (Lambda Managed Instances'
// multi-concurrency) the instance takes up to that many invocations at once:
// the runtime keeps several `next` requests open, each gets one event, or
// asks for many at once with the batch `next`, and results are matched by
// request id. A timeout then ends only its own
// invocation; a crash ends all of them.
//
// Thread-safety: every public method may be called from any thread; state is
// guarded by one mutex, and callbacks into the owner or to callers run after
// it is released.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "invoker/interfaces.h"
#include "invoker/invocation.h"
#include "net/event_loop.h"
#include "net/http.h"
#include "net/http_server.h"
#include "runtime/catalog.h"
#include "runtime/function_spec.h"
#include "runtime/runtime_api.h"
#include "sandbox/rootfs.h"
#include "sandbox/sandboxer.h"

namespace nimbus::invoker {

class Instance;

// The invoker's side of an instance's life.
class InstanceOwner {
 public:
  virtual ~InstanceOwner() = default;
  // The instance finished initialising (its runtime asked for the first event).
  virtual void OnInstanceReady(const std::shared_ptr<Instance>& instance) = 0;
  // The instance finished an invocation and can take another.
  virtual void OnInstanceFree(const std::shared_ptr<Instance>& instance) = 0;
  // The instance is gone (exited, killed, failed to start).
  virtual void OnInstanceDead(const std::shared_ptr<Instance>& instance) = 0;
  // An invocation ended, in any way; `done` must be called by the owner.
  virtual void OnInvocationDone(const runtime::FunctionSpec& fn, InvokeCallback done,
                                InvokeResult result) = 0;
  // Takes resources to release off the I/O threads.
  virtual void Dispose(std::unique_ptr<sandbox::SandboxedProcess> process) = 0;
};

// Everything an instance shares with its siblings.
struct InstanceEnvironment {
  net::EventLoop* loop = nullptr;
  sandbox::Sandboxer* sandboxer = nullptr;
  const runtime::RuntimeCatalog* catalog = nullptr;
  LogSink* logs = nullptr;
  CredentialIssuer* credentials = nullptr;
  InstanceOwner* owner = nullptr;
  AwsHandlerFactory aws_handler;  // serves the AWS endpoint an instance reaches
  std::string host_aws_endpoint;  // AWS_ENDPOINT_URL in network mode host
  // Connections of every instance's listeners together: however many
  // instances run, they cannot take every descriptor of the server.
  std::shared_ptr<net::ConnectionBudget> connections;
  sandbox::RootfsOptions rootfs;
  std::chrono::milliseconds init_timeout{10000};
};

class Instance : public runtime::RuntimeApiDelegate, public std::enable_shared_from_this<Instance> {
 public:
  Instance(const InstanceEnvironment& env, std::shared_ptr<const runtime::FunctionSpec> function);
  ~Instance() override;

  // Starts the sandbox for its first invocation. On failure the invocation
  // has been completed with the error and the instance reported dead.
  void Launch(InvokeRequest request, InvokeCallback done);
  // Gives a warm instance its next invocation.
  void Assign(InvokeRequest request, InvokeCallback done);
  // Kills the sandbox; the exit is handled as usual.
  void Kill();

  // A retired instance serves no further invocation (its function changed).
  void MarkRetired() { retired_ = true; }
  bool retired() const { return retired_; }

  const std::string& id() const { return id_; }
  const runtime::FunctionSpec& function() const { return *function_; }
  // How many invocations the instance takes at once.
  int capacity() const { return static_cast<int>(std::max(function_->max_concurrency, 1u)); }
  // When the instance last finished its last invocation; time_point::max()
  // while it has one.
  std::chrono::steady_clock::time_point idle_since() const;
  bool busy() const;

  // runtime::RuntimeApiDelegate
  void OnNext(std::function<void(runtime::InvocationEvent&&)> deliver) override;
  void OnNextBatch(size_t max,
                   std::function<void(std::vector<runtime::InvocationEvent>&&)> deliver) override;
  runtime::PostResult OnResponse(const std::string& request_id, std::string body,
                                 std::string content_type,
                                 std::chrono::steady_clock::time_point received_at) override;
  runtime::PostResult OnResponseTooLarge(const std::string& request_id) override;
  runtime::PostResult OnError(const std::string& request_id, std::string error_type,
                              std::string body,
                              std::chrono::steady_clock::time_point received_at) override;
  runtime::PostResult OnInitError(std::string error_type, std::string body) override;

 private:
  struct Invocation;
  struct Outcome;  // work to do once the mutex is released
  // An open `next` request: one event, or up to `max` for a batch.
  struct ParkedNext {
    std::function<void(runtime::InvocationEvent&&)> one;
    std::function<void(std::vector<runtime::InvocationEvent>&&)> many;
    size_t max = 1;
  };

  Status Start();
  void AcceptLocked(InvokeRequest request, InvokeCallback done, Outcome& out);
  void ParkLocked(ParkedNext next, Outcome& out);
  // Hands waiting invocations to open `next` requests. A batch request is
  // answered later, from the event loop's queue, unless `gathered`: the
  // invocations that arrive in the meantime (requests the loop has already
  // read) go out in the same answer.
  void DeliverLocked(Outcome& out, bool gathered = false);
  void Gather();
  runtime::InvocationEvent TakeEventLocked();
  // Ends `inv` (one of active_) with `result`; `inv` is gone afterwards.
  void CompleteLocked(Invocation& inv, InvokeResult result, const std::string& report_status,
                      const std::string& error_type, Outcome& out,
                      std::chrono::steady_clock::time_point result_read = {});
  // The delivered, unfinished invocation with this id, or null.
  Invocation* FindDeliveredLocked(const std::string& request_id);
  // Which answer a result for an unknown request id gets.
  runtime::PostResult UnknownIdLocked(const std::string& request_id) const;
  void RememberFinishedLocked(const std::string& request_id);
  void OnOutputReadable();
  void DrainOutputLocked();
  // Drains the output unless a drain began after `result_read` (a result
  // the runtime posted after writing its last lines for it): those lines
  // were in the pipe by then. Results read together need one read of the
  // pipe, not one each. An unset time always drains.
  void DrainOutputForLocked(std::chrono::steady_clock::time_point result_read);
  // Logs a line; `owner` is the invocation it is about, when known.
  void EmitLocked(std::string line, Invocation* owner = nullptr);
  // The instance's peak memory use in MB, for REPORT lines.
  uint64_t PeakMemoryMbLocked();
  // Arms the instance's one timeout timer for `deadline_ms` (epoch ms)
  // unless it is armed for an earlier deadline already.
  void WatchDeadlineLocked(int64_t deadline_ms);
  // The timer fired: times out what is past its deadline and arms it for
  // the next deadline.
  void OnDeadline(uint64_t generation);
  void OnTimeout(const std::string& request_id);
  void OnExit();
  void Teardown();
  void Finish(Outcome& out);
  std::string FailureMessageLocked(const sandbox::ExitInfo& exit) const;

  InstanceEnvironment env_;
  std::shared_ptr<const runtime::FunctionSpec> function_;
  const runtime::RuntimeInfo* runtime_;
  std::string id_;
  std::string log_group_;
  std::string log_stream_;

  std::atomic<bool> retired_{false};
  mutable std::mutex mu_;
  bool dead_ = false;
  bool initialized_ = false;  // the runtime has asked for its first event
  bool free_reported_ = false;
  std::chrono::steady_clock::time_point spawned_at_;
  std::chrono::steady_clock::time_point idle_since_;
  double init_duration_ms_ = -1;
  // Invocations accepted and not finished, by request id; those not yet
  // handed to the runtime wait in `undelivered_` (oldest first), and the
  // runtime's open `next` requests in `parked_next_`.
  std::map<std::string, std::unique_ptr<Invocation>> active_;
  std::deque<Invocation*> undelivered_;
  std::deque<ParkedNext> parked_next_;
  bool gather_posted_ = false;
  std::deque<std::string> finished_ids_;  // the last few, for late or repeated results
  std::string partial_line_;
  Credentials credentials_;
  uint64_t peak_memory_mb_ = 0;
  std::chrono::steady_clock::time_point peak_read_at_;
  std::chrono::steady_clock::time_point last_drain_;  // when the last full drain began

  std::unique_ptr<sandbox::SandboxedProcess> process_;
  UniqueFd output_;
  std::unique_ptr<net::HttpServer> runtime_api_;
  std::unique_ptr<net::HttpServer> aws_endpoint_;
  net::FdWatcherPtr output_watcher_;
  net::FdWatcherPtr exit_watcher_;
  net::TimerPtr init_timer_;
  net::TimerPtr deadline_timer_;
  int64_t armed_deadline_ms_ = 0;
  uint64_t deadline_generation_ = 0;
};

}  // namespace nimbus::invoker
