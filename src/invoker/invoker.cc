#include "invoker/invoker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <fmt/format.h>

#include "core/ids.h"
#include "core/time.h"
#include "invoker/report.h"

namespace nimbus::invoker {

std::string NewTraceId() {
  // X-Ray's format: Root=1-<8 hex seconds>-<24 hex>;Parent=<16 hex>;Sampled=0.
  return fmt::format("Root=1-{:08x}-{};Parent={};Sampled=0", NowEpochMillis() / 1000,
                     RandomHex(24), RandomHex(16));
}

Invoker::Invoker(net::EventLoop& loop, sandbox::Sandboxer& sandboxer,
                 const runtime::RuntimeCatalog& catalog, LogSink& logs,
                 CredentialIssuer& credentials, AwsHandlerFactory aws_handler, InvokerOptions options)
    : loop_(loop), options_(std::move(options)) {
  env_.loop = &loop;
  env_.spawn = options_.spawn;
  if (!env_.spawn) {
    env_.spawn = [&sandboxer](const sandbox::SandboxSpec& spec, const std::string& name) {
      return sandboxer.Spawn(spec, name);
    };
  }
  int spawn_threads = options_.max_concurrent_starts > 0
                          ? options_.max_concurrent_starts
                          : 2 * static_cast<int>(std::max(std::thread::hardware_concurrency(), 1u));
  spawner_ = std::make_unique<SpawnPool>(spawn_threads);
  env_.spawner = spawner_.get();
  env_.catalog = &catalog;
  env_.logs = &logs;
  env_.credentials = &credentials;
  env_.owner = this;
  env_.aws_handler = std::move(aws_handler);
  env_.host_aws_endpoint = options_.host_aws_endpoint;
  env_.connections = std::make_shared<net::ConnectionBudget>(net::DefaultConnectionBudget() / 2);
  env_.rootfs = options_.rootfs;
  env_.init_timeout = options_.init_timeout;
  janitor_ = std::thread([this] { JanitorLoop(); });
}

Invoker::~Invoker() {
  Shutdown(std::chrono::milliseconds(0));
  spawner_.reset();  // waits for spawns running; the instances they are for are dead by now
  {
    std::lock_guard lock(janitor_mu_);
    janitor_stop_ = true;
  }
  janitor_cv_.notify_all();
  if (janitor_.joinable()) janitor_.join();
}

void Invoker::Start() { ScheduleReaper(); }

void Invoker::Invoke(InvokeRequest request, InvokeCallback done) {
  if (request.request_id.empty()) request.request_id = NewUuid();
  if (request.trace_id.empty()) request.trace_id = NewTraceId();
  const runtime::FunctionSpec& fn = *request.function;
  std::shared_ptr<Instance> instance;
  bool cold = false;
  {
    std::lock_guard lock(mu_);
    Status refused;
    if (shutting_down_) {
      refused = Status(Code::kUnavailable, "Nimbus is shutting down");
    } else if (fn.reserved_concurrency >= 0 &&
               in_flight_by_function_[fn.name] >= fn.reserved_concurrency) {
      refused = ResourceExhausted("Rate Exceeded.",
                                  "ReservedFunctionConcurrentInvocationLimitExceeded");
    } else if (in_flight_ >= options_.account_concurrency) {
      refused = ResourceExhausted("Rate Exceeded.", "ConcurrentInvocationLimitExceeded");
    }
    if (!refused.ok()) {
      if (refused.code() == Code::kResourceExhausted) ++stats_.throttles;
      InvokeResult r;
      r.status = refused;
      r.request_id = request.request_id;
      // Answer outside the lock.
      loop_.Post([done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
      return;
    }
    ++in_flight_;
    ++in_flight_by_function_[fn.name];
    ++stats_.invocations;
    Pool& pool = pools_[fn.PoolKey()];
    std::chrono::milliseconds wait{0};
    if (pool.idle.empty()) wait = ScaleOutWaitLocked(pool);
    bool starting_slot =
        pool.idle.empty() && static_cast<int>(pool.waiting.size()) < pool.spare_starting_slots;
    if (starting_slot) {
      // An instance taking several at once is starting: its slots are coming.
      auto w = std::make_shared<Waiter>();
      w->request = std::move(request);
      w->done = std::move(done);
      pool.waiting.push_back(std::move(w));
      return;
    } else if (!pool.idle.empty()) {
      instance = std::move(pool.idle.back());
      pool.idle.pop_back();
      if (instance->capacity() == 1) MarkBusyLocked(instance.get());
    } else if (wait.count() > 0 || !MayStartLocked(pool)) {
      auto w = std::make_shared<Waiter>();
      w->request = std::move(request);
      w->done = std::move(done);
      if (wait.count() > 0) StartWaitTimerLocked(fn.PoolKey(), w, wait);
      pool.waiting.push_back(std::move(w));
      return;
    } else {
      instance = NewInstanceLocked(pool, request.function);
      cold = true;
    }
  }
  if (cold) {
    instance->Launch(std::move(request), std::move(done));
  } else {
    instance->Assign(std::move(request), std::move(done));
  }
}

std::chrono::milliseconds Invoker::ScaleOutWaitLocked(const Pool& pool) const {
  if (pool.live == 0) return std::chrono::milliseconds(0);
  if (options_.scale_out_delay != InvokerOptions::kAdaptiveScaleOut) {
    return std::max(options_.scale_out_delay, std::chrono::milliseconds(0));
  }
  if (!pool.busy_ms.measured() || pool.start_ms < 0) return std::chrono::milliseconds(0);
  double expected =
      pool.busy_ms.value() * static_cast<double>(pool.waiting.size() + 1) / pool.live;
  if (expected >= pool.start_ms) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<int64_t>(pool.start_ms) + 1);
}

void Invoker::MarkBusyLocked(const Instance* instance) {
  busy_since_[instance] = std::chrono::steady_clock::now();
}

void Invoker::MarkDoneLocked(Pool& pool, const Instance* instance, bool starting) {
  auto it = busy_since_.find(instance);
  if (it == busy_since_.end()) return;
  auto now = std::chrono::steady_clock::now();
  double ms = std::chrono::duration<double, std::milli>(now - it->second).count();
  if (starting) {
    pool.start_ms = pool.start_ms < 0 ? ms : 0.8 * pool.start_ms + 0.2 * ms;
  } else {
    pool.busy_ms.Add(ms, now);
  }
  it->second = now;
}

std::shared_ptr<Instance> Invoker::NewInstanceLocked(
    Pool& pool, std::shared_ptr<const runtime::FunctionSpec> fn) {
  auto instance = Instance::Create(env_, std::move(fn));
  instances_.insert(instance);
  starting_.insert(instance.get());
  MarkBusyLocked(instance.get());
  ++pool.live;
  ++pool.starting;
  pool.spare_starting_slots += instance->capacity() - 1;
  ++stats_.cold_starts;
  return instance;
}

void Invoker::OnWaitExpired(const std::string& pool_key, const std::shared_ptr<Waiter>& w) {
  std::shared_ptr<Instance> instance;
  {
    std::lock_guard lock(mu_);
    auto it = pools_.find(pool_key);
    if (it == pools_.end()) return;
    auto& waiting = it->second.waiting;
    auto pos = std::find(waiting.begin(), waiting.end(), w);
    if (pos == waiting.end()) return;  // a free instance took it first
    // Without a start slot it waits on, now for a free instance or a slot.
    if (!shutting_down_ && !MayStartLocked(it->second)) {
      (*pos)->timer.reset();
      return;
    }
    waiting.erase(pos);
    if (!shutting_down_) instance = NewInstanceLocked(it->second, w->request.function);
  }
  if (!instance) {
    InvokeResult r;
    r.status = Status(Code::kUnavailable, "Nimbus is shutting down");
    r.request_id = w->request.request_id;
    return OnInvocationDone(*w->request.function, std::move(w->done), std::move(r));
  }
  instance->Launch(std::move(w->request), std::move(w->done));
}

void Invoker::OnInstanceReady(const std::shared_ptr<Instance>& instance) {
  // An instance that takes several invocations at once offers the slots its
  // first invocation does not use: to waiters first (before a waiter can
  // start yet another instance below), the rest go idle.
  std::vector<std::shared_ptr<Waiter>> assigned;
  if (instance->capacity() > 1) {
    std::lock_guard lock(mu_);
    if (!shutting_down_ && !instance->retired() && instances_.count(instance)) {
      Pool& pool = pools_[instance->function().PoolKey()];
      for (int slot = 1; slot < instance->capacity(); ++slot) {
        if (!pool.waiting.empty()) {
          assigned.push_back(std::move(pool.waiting.front()));
          pool.waiting.pop_front();
        } else {
          pool.idle.insert(pool.idle.begin(), instance);  // least recently used end
        }
      }
    }
  }
  OnStartEnded(instance, /*ready=*/true);
  for (auto& w : assigned) {
    if (w->timer) w->timer->Cancel();
    instance->Assign(std::move(w->request), std::move(w->done));
  }
}

void Invoker::OnStartEnded(const std::shared_ptr<Instance>& instance, bool ready) {
  std::shared_ptr<Instance> fresh;
  std::shared_ptr<Waiter> next;
  {
    std::lock_guard lock(mu_);
    if (!starting_.erase(instance.get())) return;
    auto it = pools_.find(instance->function().PoolKey());
    if (it == pools_.end()) return;
    Pool& pool = it->second;
    --pool.starting;
    pool.spare_starting_slots -= instance->capacity() - 1;
    if (ready) MarkDoneLocked(pool, instance.get(), /*starting=*/true);
    // Waiters with a scale-out wait still running keep waiting for it.
    auto pos = std::find_if(pool.waiting.begin(), pool.waiting.end(),
                            [](const std::shared_ptr<Waiter>& w) { return !w->timer; });
    if (shutting_down_ || pos == pool.waiting.end() || !MayStartLocked(pool)) return;
    auto wait = ScaleOutWaitLocked(pool);
    if (wait.count() > 0) {
      // Measurements now say a busy instance will be free sooner than a new
      // one could start: wait for that, at most as long as a start.
      StartWaitTimerLocked(instance->function().PoolKey(), *pos, wait);
      return;
    }
    next = std::move(*pos);
    pool.waiting.erase(pos);
    fresh = NewInstanceLocked(pool, next->request.function);
  }
  fresh->Launch(std::move(next->request), std::move(next->done));
}

void Invoker::StartWaitTimerLocked(const std::string& pool_key, const std::shared_ptr<Waiter>& w,
                                   std::chrono::milliseconds wait) {
  std::weak_ptr<Invoker> weak = weak_from_this();
  w->timer = loop_.After(wait, [weak, pool_key, w] {
    if (auto self = weak.lock()) self->OnWaitExpired(pool_key, w);
  });
}

void Invoker::OnInvocationDone(const runtime::FunctionSpec& fn, InvokeCallback done,
                               InvokeResult result) {
  {
    std::lock_guard lock(mu_);
    --in_flight_;
    if (--in_flight_by_function_[fn.name] <= 0) in_flight_by_function_.erase(fn.name);
    if (!result.function_error.empty()) ++stats_.errors;
  }
  cv_.notify_all();
  if (done) done(std::move(result));
}

void Invoker::OnInstanceFree(const std::shared_ptr<Instance>& instance) {
  bool kill = false;
  std::shared_ptr<Waiter> next;
  {
    std::lock_guard lock(mu_);
    if (shutting_down_ || instance->retired() || !instances_.count(instance)) {
      kill = !instance->busy();  // one taking several at once dies with its last
    } else {
      Pool& pool = pools_[instance->function().PoolKey()];
      if (instance->capacity() == 1) MarkDoneLocked(pool, instance.get(), /*starting=*/false);
      if (!pool.waiting.empty()) {
        next = std::move(pool.waiting.front());
        pool.waiting.pop_front();
      } else {
        pool.idle.push_back(instance);
      }
    }
  }
  if (kill) instance->Kill();
  if (next) {
    if (next->timer) next->timer->Cancel();
    instance->Assign(std::move(next->request), std::move(next->done));
  }
}

void Invoker::OnInstanceDead(const std::shared_ptr<Instance>& instance) {
  OnStartEnded(instance, /*ready=*/false);  // a start slot it held goes to a waiter
  {
    std::lock_guard lock(mu_);
    busy_since_.erase(instance.get());
    if (instances_.erase(instance)) {
      auto it = pools_.find(instance->function().PoolKey());
      if (it != pools_.end()) {
        std::erase(it->second.idle, instance);
        if (--it->second.live <= 0 && it->second.waiting.empty()) pools_.erase(it);
      }
    }
  }
  cv_.notify_all();
}

void Invoker::Dispose(std::unique_ptr<sandbox::SandboxedProcess> process) {
  if (!process) return;
  {
    std::lock_guard lock(janitor_mu_);
    janitor_queue_.push_back(std::move(process));
  }
  janitor_cv_.notify_one();
}

void Invoker::JanitorLoop() {
  std::unique_lock lock(janitor_mu_);
  while (true) {
    janitor_cv_.wait(lock, [&] { return janitor_stop_ || !janitor_queue_.empty(); });
    while (!janitor_queue_.empty()) {
      auto p = std::move(janitor_queue_.front());
      janitor_queue_.pop_front();
      lock.unlock();
      p.reset();  // kills what is left and removes the cgroup
      lock.lock();
    }
    janitor_cv_.notify_all();  // Shutdown() waits for an empty queue
    if (janitor_stop_) return;
  }
}

void Invoker::Retire(const std::string& function_name, const std::string& keep_revision) {
  auto stale = [&](const Instance& inst) {
    return inst.function().name == function_name &&
           (keep_revision.empty() || inst.function().revision != keep_revision);
  };
  std::vector<std::shared_ptr<Instance>> idle;
  {
    std::lock_guard lock(mu_);
    for (const auto& inst : instances_) {
      if (stale(*inst)) inst->MarkRetired();  // busy ones die when they finish
    }
    for (auto it = pools_.begin(); it != pools_.end();) {
      std::erase_if(it->second.idle, [&](const std::shared_ptr<Instance>& inst) {
        if (!stale(*inst)) return false;
        idle.push_back(inst);
        return true;
      });
      it = std::next(it);
    }
  }
  std::sort(idle.begin(), idle.end());
  idle.erase(std::unique(idle.begin(), idle.end()), idle.end());  // one entry per free slot
  for (auto& inst : idle) {
    if (!inst->busy()) inst->Kill();  // a busy one dies when its last invocation ends
  }
}

void Invoker::ScheduleReaper() {
  auto period = std::clamp<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.keep_alive) / 4,
      std::chrono::milliseconds(500), std::chrono::milliseconds(30000));
  std::weak_ptr<Invoker> weak = weak_from_this();
  auto timer = loop_.After(period, [weak] {
    if (auto self = weak.lock()) {
      self->ReapIdle();
      self->ScheduleReaper();
    }
  });
  std::lock_guard lock(mu_);
  reaper_ = timer;
}

void Invoker::ReapIdle() {
  std::vector<std::shared_ptr<Instance>> victims;
  auto cutoff = std::chrono::steady_clock::now() - options_.keep_alive;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, pool] : pools_) {
      std::erase_if(pool.idle, [&](const std::shared_ptr<Instance>& inst) {
        if (inst->idle_since() > cutoff) return false;
        victims.push_back(inst);
        return true;
      });
    }
  }
  std::sort(victims.begin(), victims.end());
  victims.erase(std::unique(victims.begin(), victims.end()), victims.end());
  for (auto& v : victims) v->Kill();
}

void Invoker::Shutdown(std::chrono::milliseconds grace) {
  std::unique_lock lock(mu_);
  if (!shutting_down_) {
    shutting_down_ = true;
    spdlog::info("invoker: stopping ({} invocations in flight, {} instances)", in_flight_,
                 instances_.size());
  }
  if (reaper_) reaper_->Cancel();
  auto deadline = std::chrono::steady_clock::now() + grace;
  cv_.wait_until(lock, deadline, [&] { return in_flight_ == 0; });
  std::vector<std::shared_ptr<Instance>> all(instances_.begin(), instances_.end());
  std::vector<std::shared_ptr<Waiter>> waiters;
  for (auto& [key, pool] : pools_) {
    waiters.insert(waiters.end(), pool.waiting.begin(), pool.waiting.end());
    pool.waiting.clear();
    pool.idle.clear();
  }
  lock.unlock();
  for (auto& w : waiters) {
    if (w->timer) w->timer->Cancel();
    InvokeResult r;
    r.status = Status(Code::kUnavailable, "Nimbus is shutting down");
    r.request_id = w->request.request_id;
    OnInvocationDone(*w->request.function, std::move(w->done), std::move(r));
  }
  for (auto& inst : all) inst->Kill();
  lock.lock();
  cv_.wait_until(lock, std::chrono::steady_clock::now() + std::chrono::seconds(5),
                 [&] { return instances_.empty(); });
  if (!instances_.empty()) {
    spdlog::warn("invoker: {} instances did not exit in time", instances_.size());
  }
  lock.unlock();
  // Let the janitor finish removing cgroups.
  std::unique_lock jl(janitor_mu_);
  janitor_cv_.wait_for(jl, std::chrono::seconds(5), [&] { return janitor_queue_.empty(); });
}

InvokerStats Invoker::Stats() const {
  std::lock_guard lock(mu_);
  InvokerStats s = stats_;
  s.in_flight = in_flight_;
  s.instances = static_cast<int64_t>(instances_.size());
  s.starting_instances = static_cast<int64_t>(starting_.size());
  for (const auto& [k, p] : pools_) {
    // An instance taking several invocations at once is listed once per free slot.
    std::unordered_set<const Instance*> idle;
    for (const auto& inst : p.idle) {
      if (!inst->busy()) idle.insert(inst.get());
    }
    s.idle_instances += static_cast<int64_t>(idle.size());
  }
  return s;
}

}  // namespace nimbus::invoker
