// One function instance: the invocations it is working on and the Runtime
// API's side of them. Lambda's model: one invocation at a time; the
// instance is torn down after a timeout, a crash or an out-of-memory kill,
// and the next invocation gets a fresh one.
//
// With FunctionSpec::max_concurrency above 1 (Lambda Managed Instances'
// multi-concurrency) the instance takes up to that many invocations at once:
// the runtime keeps several `next` requests open, each gets one event, or
// asks for many at once with the batch `next`, and results are matched by
// request id. A timeout then ends only its own invocation; a crash ends all
// of them.
//
// The Instance orchestrates three parts, each with its own header:
//   InstanceProcess  the sandboxed process, its listeners and credentials;
//   OutputCapture    its log stream (output, START/END/REPORT, log tails);
//   Deadlines        the invocations' timeouts and the init deadline.
// instance.cc holds its life (start, invocations taken and ended, timeouts,
// exit); instance_runtime_api.cc its side of the Runtime API (events handed
// to `next` requests, results posted).
//
// Lifecycle: the Invoker makes an instance with Create() for an invocation
// and calls Launch() with it. Launch prepares the start on the calling
// thread, a SpawnPool thread builds the sandbox, and the instance's event
// loop attaches the listeners and lets the runtime run; until the runtime
// asks for its first event the instance is starting (OnInstanceReady ends
// that). It dies by exiting or being killed, or when its start fails; it
// then tells its owner (OnInstanceDead) once, having completed every
// invocation it held.
//
// Ownership: the Invoker holds each live instance (shared_ptr) until
// OnInstanceDead; a start in progress holds it too, until its sandbox is
// attached on the loop. Everything else (the Runtime API handler, watchers,
// timers) holds it weakly, and does nothing once it is gone. Each
// invocation's callback is handed, exactly once, to the owner's
// OnInvocationDone, never under the instance's mutex.
//
// Threads: every public method may be called from any thread. Runtime API
// calls, timers and the exit arrive on the instance's event loop. State is
// guarded by one mutex; the parts' own mutexes are taken after it, and
// callbacks into the owner or to callers run after it is released.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/fs.h"
#include "invoker/deadlines.h"
#include "invoker/instance_environment.h"
#include "invoker/instance_process.h"
#include "invoker/invocation.h"
#include "invoker/output_capture.h"
#include "runtime/catalog.h"
#include "runtime/function_spec.h"
#include "runtime/runtime_api.h"

namespace nimbus::invoker {

class Instance : public runtime::RuntimeApiDelegate, public std::enable_shared_from_this<Instance> {
  struct Key {
    explicit Key() = default;
  };

 public:
  // A new instance of `function`, not started yet.
  static std::shared_ptr<Instance> Create(const InstanceEnvironment& env,
                                          std::shared_ptr<const runtime::FunctionSpec> function);
  Instance(Key, const InstanceEnvironment& env,
           std::shared_ptr<const runtime::FunctionSpec> function);
  ~Instance() override;

  // Starts the sandbox for its first invocation and returns: the sandbox is
  // built on a SpawnPool thread, never on the caller's. On failure (now or
  // later, on the loop) the invocation is completed with the error and the
  // instance reported dead. Called once.
  void Launch(InvokeRequest request, InvokeCallback done);
  // Gives a ready instance its next invocation; one that has died meanwhile
  // answers it kUnavailable ("instance gone").
  void Assign(InvokeRequest request, InvokeCallback done);
  // Kills the sandbox (as soon as it exists, if it is being built); the
  // exit is handled as usual.
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

  // runtime::RuntimeApiDelegate, called on the event loop by the instance's
  // Runtime API listener.
  void OnNext(std::function<void(runtime::InvocationEvent&&)> deliver) override;
  void OnNextBatch(size_t max,
                   std::function<void(std::vector<runtime::InvocationEvent>&&)> deliver) override;
  runtime::PostResult OnResponse(const std::string& request_id, std::string body,
                                 std::string content_type,
                                 std::chrono::steady_clock::time_point received_at) override;
  // The result ends as Lambda's Function.ResponseSizeTooLarge function error.
  runtime::PostResult OnResponseTooLarge(const std::string& request_id) override;
  runtime::PostResult OnError(const std::string& request_id, std::string error_type,
                              std::string body,
                              std::chrono::steady_clock::time_point received_at) override;
  runtime::PostResult OnInitError(std::string error_type, std::string body) override;

 private:
  using Clock = std::chrono::steady_clock;

  struct Invocation {
    InvokeRequest request;
    InvokeCallback done;
    bool cold = false;
    bool delivered = false;
    Clock::time_point assigned_at;
    Clock::time_point delivered_at;
    int64_t deadline_ms = 0;  // 0 until the invocation's clock starts
  };
  // Work to do once the mutex is released, in this order (see Finish).
  struct Outcome {
    std::vector<
        std::pair<std::function<void(runtime::InvocationEvent&&)>, runtime::InvocationEvent>>
        deliveries;
    std::vector<std::pair<std::function<void(std::vector<runtime::InvocationEvent>&&)>,
                          std::vector<runtime::InvocationEvent>>>
        batches;
    std::vector<std::pair<InvokeCallback, InvokeResult>> results;
    int freed = 0;  // invocations ended in a way that leaves the instance able to take more
    bool report_ready = false;
    bool kill = false;
  };
  // A result the runtime posted, and how its REPORT line names it.
  struct PostedResult {
    InvokeResult result;
    std::string report_status;      // "" or "error"
    std::string error_type;         // with report_status "error"
    Clock::time_point received_at;  // unset: drain the output whatever happened since
  };
  // An open `next` request: one event, or up to `max` for a batch.
  struct ParkedNext {
    std::function<void(runtime::InvocationEvent&&)> one;
    std::function<void(std::vector<runtime::InvocationEvent>&&)> many;
    size_t max = 1;
  };

  // The sandbox is built (or failed to be): on the event loop.
  void OnSpawned(InstanceProcess::Spawned spawned, UniqueFd output);
  // Completes every invocation with the start's failure and tears down.
  void FailStart(const Status& s);
  void AcceptLocked(InvokeRequest request, InvokeCallback done, Outcome& out);
  void ParkLocked(ParkedNext next, Outcome& out);
  // Hands waiting invocations to open `next` requests. A batch request is
  // answered later, from the event loop's queue, unless `gathered`: the
  // invocations that arrive in the meantime (requests the loop has already
  // read) go out in the same answer.
  void DeliverLocked(Outcome& out, bool gathered = false);
  void Gather();
  runtime::InvocationEvent TakeEventLocked();
  // The one way the runtime's results (response, error, response too large)
  // end their invocation: a result for an unknown or finished id is
  // answered alike and changes nothing; otherwise the output is drained,
  // END and REPORT are written, the callback goes out once and the slot is
  // freed.
  runtime::PostResult EndWithPosted(const std::string& request_id, PostedResult posted);
  // Ends `inv` (one of active_) with `result`; `inv` is gone afterwards.
  void CompleteLocked(Invocation& inv, InvokeResult result, const std::string& report_status,
                      const std::string& error_type, Outcome& out,
                      std::chrono::steady_clock::time_point result_read = {});
  // The delivered, unfinished invocation with this id, or null.
  Invocation* FindDeliveredLocked(const std::string& request_id);
  // Which answer a result for an unknown request id gets.
  runtime::PostResult UnknownIdLocked(const std::string& request_id) const;
  void RememberFinishedLocked(const std::string& request_id);
  void OnInitExpired();
  void OnTimeout(const std::string& request_id);
  void OnExit();
  void Teardown();
  void Finish(Outcome& out);
  static double MillisSince(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  }

  InstanceEnvironment env_;
  std::shared_ptr<const runtime::FunctionSpec> function_;
  const runtime::RuntimeInfo* runtime_;
  std::string id_;
  InstanceProcess process_;
  OutputCapture output_;
  std::unique_ptr<Deadlines> deadlines_;  // set by Create

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
};

}  // namespace nimbus::invoker
