// The invoker: pools of instances per function version, Lambda's scheduling
// (one invocation per instance, most recently used idle instance first, a new
// instance only within the concurrency limits, else 429), idle reaping, and
// a clean shutdown. Platform outcomes are Statuses; function outcomes are
// results (see invocation.h).
//
// Ownership: the server makes one (shared_ptr: its timers hold it weakly)
// and keeps it, the event loop, the Sandboxer, the catalog, the LogSink and
// the CredentialIssuer alive until after Shutdown. The invoker owns its
// instances (until each reports itself dead), the pool of threads that
// build their sandboxes and the janitor thread that disposes of them.
// Each invocation's callback is called exactly once, never under a lock:
// on the event loop for an invocation refused at once (throttled, shutting
// down) or run by an instance; on the calling thread, before Invoke
// returns, for a start that fails before its sandbox is built (no
// bootstrap); on the thread that calls Shutdown for one still waiting.
//
// Threads: Invoke, Retire, Stats and Shutdown may be called from any thread
// (Shutdown blocks, so not from the event loop); the InstanceOwner methods
// are the instances' (see instance_environment.h). State is guarded by one
// mutex; instances are called after it is released.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "invoker/instance.h"
#include "invoker/instance_environment.h"
#include "invoker/interfaces.h"
#include "invoker/invocation.h"
#include "invoker/spawn_pool.h"
#include "invoker/time_average.h"

namespace nimbus::invoker {

struct InvokerOptions {
  int account_concurrency = 1000;
  std::chrono::seconds keep_alive{300};
  std::chrono::milliseconds init_timeout{10000};
  // When every instance of a function is busy, an invocation waits this long
  // for one of them to become free before a new instance is started. Each
  // instance still runs one invocation at a time; the wait only spares a
  // cold start (tens to hundreds of milliseconds) when a warm instance is
  // about to be free, and keeps a burst of short requests on a few warm
  // instances instead of one new process per concurrent request. 0 scales
  // out at once, as Lambda does. kAdaptiveScaleOut decides per invocation:
  // it waits when the function's measured time per invocation, times the
  // queue ahead of it, divided among the busy instances, is shorter than the
  // function's measured start time, and never longer than that start time
  // (before anything is measured, it scales out at once).
  static constexpr std::chrono::milliseconds kAdaptiveScaleOut{-1};
  std::chrono::milliseconds scale_out_delay{0};
  // At most this many instances of one function initialise at the same time;
  // invocations that would start more wait for a free instance or for one of
  // the starts to finish. Initialisation is mostly CPU work (loading a
  // runtime and the handler's modules), so starting more at once than the
  // machine has cores only makes every one of them slower, and under a burst
  // that outlasts clients' patience, new requests pile onto a machine that
  // is already busy starting instances. 0 means no limit. It also bounds
  // the threads that build sandboxes off the event loop (SpawnPool): this
  // many, or two per core when it is 0.
  int max_concurrent_starts = 0;
  std::string host_aws_endpoint;  // the API endpoint as seen from the host
  sandbox::RootfsOptions rootfs;
  // Spawns each sandbox instead of the Sandboxer (tests watch or slow the
  // spawn with it); null: the Sandboxer's Spawn.
  SpawnFunction spawn;
};

// A new X-Ray trace header value; every invocation carries one, as on Lambda.
std::string NewTraceId();

struct InvokerStats {
  int64_t invocations = 0;
  int64_t errors = 0;      // function errors
  int64_t throttles = 0;
  int64_t cold_starts = 0;
  int64_t in_flight = 0;
  int64_t instances = 0;
  int64_t idle_instances = 0;
  int64_t starting_instances = 0;  // still initialising
  double gb_seconds = 0;   // metered: memory × billed duration
};

class Invoker : public InstanceOwner, public std::enable_shared_from_this<Invoker> {
 public:
  Invoker(net::EventLoop& loop, sandbox::Sandboxer& sandboxer,
          const runtime::RuntimeCatalog& catalog, LogSink& logs, CredentialIssuer& credentials,
          AwsHandlerFactory aws_handler, InvokerOptions options);
  ~Invoker() override;

  // Starts the idle reaper. Called once, before the first Invoke.
  void Start();
  void Invoke(InvokeRequest request, InvokeCallback done);
  // Stops idle instances of `function_name` whose revision is not `keep_revision`
  // (all of them when it is empty): called when a function changes or goes away.
  void Retire(const std::string& function_name, const std::string& keep_revision = {});
  // Refuses new invocations, lets in-flight ones finish (or time out), kills
  // every instance and waits until they are gone, at most `grace`.
  void Shutdown(std::chrono::milliseconds grace);
  InvokerStats Stats() const;

  // InstanceOwner
  void OnInstanceReady(const std::shared_ptr<Instance>& instance) override;
  void OnInstanceFree(const std::shared_ptr<Instance>& instance) override;
  void OnInstanceDead(const std::shared_ptr<Instance>& instance) override;
  void OnInvocationDone(const runtime::FunctionSpec& fn, InvokeCallback done,
                        InvokeResult result) override;
  void Dispose(std::unique_ptr<sandbox::SandboxedProcess> process) override;

 private:
  // An invocation waiting for a busy instance of its function (see
  // InvokerOptions::scale_out_delay and max_concurrent_starts).
  struct Waiter {
    InvokeRequest request;
    InvokeCallback done;
    net::TimerPtr timer;  // null when waiting only for a start slot or a free instance
  };
  struct Pool {
    // Instances able to take an invocation, most recently used at the back;
    // one taking several at once is listed once per free slot.
    std::vector<std::shared_ptr<Instance>> idle;
    std::deque<std::shared_ptr<Waiter>> waiting;  // oldest first
    int live = 0;                                 // instances of this pool, busy or idle
    int starting = 0;                             // of which still initialising
    // Slots of starting instances beyond their first invocation: a burst
    // waits for them rather than start an instance per request.
    int spare_starting_slots = 0;
    // For the adaptive scale-out: how long an instance is taken by one
    // invocation (averaged over about the last second), and how long it takes
    // from launch to its first request for an event (moving average, -1
    // until measured).
    TimeAverage busy_ms{std::chrono::seconds(1)};
    double start_ms = -1;
  };

  // The wait of `w` ran out: it gets a new instance.
  void OnWaitExpired(const std::string& pool_key, const std::shared_ptr<Waiter>& w);
  // An instance of the pool finished starting (`ready`) or died trying: the
  // oldest waiter for a start slot, if any, may start another.
  void OnStartEnded(const std::shared_ptr<Instance>& instance, bool ready);
  void StartWaitTimerLocked(const std::string& pool_key, const std::shared_ptr<Waiter>& w,
                            std::chrono::milliseconds wait);
  // How long an invocation that finds no idle instance should wait for one
  // before a new instance starts (0: start one now).
  std::chrono::milliseconds ScaleOutWaitLocked(const Pool& pool) const;
  // Notes that `instance` began (or ended) a stretch of work, for the averages.
  void MarkBusyLocked(const Instance* instance);
  void MarkDoneLocked(Pool& pool, const Instance* instance, bool starting);
  bool MayStartLocked(const Pool& pool) const {
    return options_.max_concurrent_starts <= 0 || pool.starting < options_.max_concurrent_starts;
  }
  std::shared_ptr<Instance> NewInstanceLocked(Pool& pool,
                                              std::shared_ptr<const runtime::FunctionSpec> fn);

  void ReapIdle();
  void ScheduleReaper();
  void JanitorLoop();

  net::EventLoop& loop_;
  InstanceEnvironment env_;
  InvokerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool shutting_down_ = false;
  std::map<std::string, Pool> pools_;                       // by FunctionSpec::PoolKey()
  std::unordered_set<std::shared_ptr<Instance>> instances_;  // every live instance
  std::unordered_set<const Instance*> starting_;            // live and still initialising
  // When each instance was launched or handed its current invocation.
  std::unordered_map<const Instance*, std::chrono::steady_clock::time_point> busy_since_;
  std::map<std::string, int> in_flight_by_function_;
  int64_t in_flight_ = 0;
  InvokerStats stats_;
  net::TimerPtr reaper_;

  std::unique_ptr<SpawnPool> spawner_;  // builds instances' sandboxes

  std::mutex janitor_mu_;
  std::condition_variable janitor_cv_;
  std::deque<std::unique_ptr<sandbox::SandboxedProcess>> janitor_queue_;
  bool janitor_stop_ = false;
  std::thread janitor_;
};

}  // namespace nimbus::invoker
