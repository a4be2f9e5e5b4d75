#include "invoker/instance.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/ids.h"
#include "core/time.h"
#include "invoker/report.h"
#include "invoker/spawn_pool.h"
#include "runtime/instance_spec.h"

namespace nimbus::invoker {

std::shared_ptr<Instance> Instance::Create(const InstanceEnvironment& env,
                                           std::shared_ptr<const runtime::FunctionSpec> function) {
  auto self = std::make_shared<Instance>(Key(), env, std::move(function));
  // The timers lock the instance before calling back: `raw` is alive then.
  Instance* raw = self.get();
  self->deadlines_ = std::make_unique<Deadlines>(
      *env.loop, std::weak_ptr<const void>(self),
      [raw](const std::string& request_id) { raw->OnTimeout(request_id); },
      [raw] { raw->OnInitExpired(); });
  return self;
}

Instance::Instance(Key, const InstanceEnvironment& env,
                   std::shared_ptr<const runtime::FunctionSpec> function)
    : env_(env),
      function_(std::move(function)),
      runtime_(env.catalog->Find(function_->runtime)),
      id_(RandomHex(32)),
      process_(env_, *function_, runtime_, id_),
      output_(*env_.logs, runtime::LogGroupName(function_->name),
              FormatSlashDate(NowEpochMillis()) + "/[" + function_->version + "]" + id_) {}

Instance::~Instance() = default;

std::chrono::steady_clock::time_point Instance::idle_since() const {
  std::lock_guard lock(mu_);
  return active_.empty() ? idle_since_ : Clock::time_point::max();
}

bool Instance::busy() const {
  std::lock_guard lock(mu_);
  return !active_.empty();
}

void Instance::AcceptLocked(InvokeRequest request, InvokeCallback done, Outcome& out) {
  auto owned = std::make_unique<Invocation>();
  Invocation* inv = owned.get();
  inv->request = std::move(request);
  inv->done = std::move(done);
  inv->assigned_at = Clock::now();
  inv->cold = !initialized_;
  const std::string& id = inv->request.request_id;
  output_.Open(id);
  active_[id] = std::move(owned);
  undelivered_.push_back(inv);
  free_reported_ = false;
  if (!inv->cold) {
    // A warm instance's clock starts now: a runtime that never asks for the
    // event is caught by the timeout like one that never answers.
    inv->deadline_ms = NowEpochMillis() + int64_t{function_->timeout_s} * 1000;
    deadlines_->Watch(id, inv->deadline_ms);
    DeliverLocked(out);
  }
}

void Instance::Launch(InvokeRequest request, InvokeCallback done) {
  {
    Outcome out;  // a cold invocation waits for the runtime: nothing to do yet
    std::lock_guard lock(mu_);
    AcceptLocked(std::move(request), std::move(done), out);
  }
  auto output = std::make_shared<UniqueFd>();
  Result<InstanceProcess::SpawnJob> job = process_.Prepare(output_.stream(), *output);
  if (!job.ok()) return FailStart(job.status());
  // Building the sandbox blocks (clone, mounts, cgroup): it runs on a pool
  // thread, and the rest of the start on the instance's loop, so that a
  // cold start never stalls what that loop is serving. Both hold the
  // instance until they are done.
  auto spawn = std::make_shared<InstanceProcess::SpawnJob>(std::move(*job));
  env_.spawner->Submit([self = shared_from_this(), spawn, output] {
    auto spawned =
        std::make_shared<InstanceProcess::Spawned>(InstanceProcess::Spawn(std::move(*spawn)));
    self->env_.loop->Post(
        [self, spawned, output] { self->OnSpawned(std::move(*spawned), std::move(*output)); });
  });
}

void Instance::OnSpawned(InstanceProcess::Spawned spawned, UniqueFd output) {
  {
    std::lock_guard lock(mu_);
    spawned_at_ = spawned.spawned_at;
  }
  std::weak_ptr<Instance> weak = weak_from_this();
  Status s = process_.Attach(std::move(spawned), runtime::MakeRuntimeApiHandler(weak), [weak] {
    if (auto self = weak.lock()) self->OnExit();
  });
  if (s.ok()) {
    output_.Watch(*env_.loop, std::move(output), [weak] {
      if (auto self = weak.lock()) self->output_.Drain();
    });
    deadlines_->StartInit(std::chrono::duration_cast<std::chrono::milliseconds>(
        env_.init_timeout + std::chrono::seconds(function_->timeout_s)));
    s = process_.Start();
  }
  if (!s.ok()) FailStart(s);
}

void Instance::FailStart(const Status& s) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    dead_ = true;
    while (!active_.empty()) {
      Invocation& inv = *active_.begin()->second;
      InvokeResult r;
      if (!s.reason().empty()) {
        // The function's own fault (no bootstrap): a function error, as Lambda reports it.
        r.function_error = "Unhandled";
        r.payload = ErrorDocument(
            s.reason(), "RequestId: " + inv.request.request_id + " Error: " + s.message());
        output_.Emit(r.payload);
      } else {
        spdlog::error("function {}: cannot start an instance: {}", function_->name, s.message());
        r.status = s;
      }
      CompleteLocked(inv, std::move(r), "error", s.reason(), out);
    }
  }
  Finish(out);
  if (process_.watching_exit()) {
    Kill();  // the exit handler tears down, as for any other death
  } else {
    Teardown();
  }
}

void Instance::Assign(InvokeRequest request, InvokeCallback done) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    if (dead_) {
      // Lost a race with the instance's death; the owner retries elsewhere.
      InvokeResult r;
      r.status = Status(Code::kUnavailable, "instance gone");
      out.results.emplace_back(std::move(done), std::move(r));
    } else {
      AcceptLocked(std::move(request), std::move(done), out);
    }
  }
  Finish(out);
}

void Instance::CompleteLocked(Invocation& inv, InvokeResult result,
                              const std::string& report_status, const std::string& error_type,
                              Outcome& out, Clock::time_point result_read) {
  output_.DrainFor(result_read);
  const std::string& id = inv.request.request_id;
  if (inv.deadline_ms != 0) deadlines_->Forget(id, inv.deadline_ms);
  ReportFields f;
  f.request_id = id;
  f.duration_ms = MillisSince(inv.delivered ? inv.delivered_at : inv.assigned_at);
  f.memory_mb = function_->memory_mb;
  // The peak is the instance's, not one invocation's. An instance taking one
  // invocation at a time reads it for each; one running several at once
  // (thousands of invocations a second) reads it at most every 100 ms.
  f.max_memory_used_mb = process_.PeakMemoryMb(capacity() == 1 ? std::chrono::milliseconds(0)
                                                               : std::chrono::milliseconds(100));
  if (inv.cold && init_duration_ms_ >= 0) f.init_duration_ms = init_duration_ms_;
  f.status = report_status;
  f.error_type = report_status == "error" ? error_type : "";

  result.request_id = id;
  result.executed_version = function_->version;
  result.log_tail = output_.Close(f);
  out.results.emplace_back(std::move(inv.done), std::move(result));
  std::erase(undelivered_, &inv);
  RememberFinishedLocked(id);
  active_.erase(std::string(id));  // `inv` and `id` die here
  if (active_.empty()) idle_since_ = Clock::now();
}

void Instance::OnInitExpired() {
  std::string id;
  {
    std::lock_guard lock(mu_);
    if (!active_.empty()) id = active_.begin()->first;
  }
  OnTimeout(id);
}

void Instance::OnTimeout(const std::string& request_id) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    auto it = active_.find(request_id);
    if (it == active_.end()) return;
    output_.Emit(fmt::format("{} {} Task timed out after {:.2f} seconds",
                             FormatIso8601Millis(NowEpochMillis()), request_id,
                             static_cast<double>(function_->timeout_s)));
    InvokeResult r;
    r.function_error = "Unhandled";
    r.payload = ErrorDocument("Sandbox.Timedout", TimeoutMessage(request_id, function_->timeout_s));
    CompleteLocked(*it->second, std::move(r), "timeout", "", out);
    if (capacity() == 1 || !initialized_) {
      dead_ = true;
      deadlines_->Stop();
      out.kill = true;
    } else {
      // The other invocations go on; the runtime's slot stays with the
      // handler that overran, and a late result for it is refused.
      out.freed++;
    }
  }
  Finish(out);
}

void Instance::Kill() {
  process_.Kill();
}

void Instance::OnExit() {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    std::optional<sandbox::ExitInfo> exit = process_.Reap();
    if (!exit) return;
    dead_ = true;
    parked_next_.clear();
    deadlines_->Stop();
    output_.Drain();
    bool oom = !active_.empty() && process_.OomKilled();
    while (!active_.empty()) {
      Invocation& inv = *active_.begin()->second;
      std::string type = "Runtime.ExitError";
      if (oom) {
        type = "Runtime.OutOfMemory";
      } else if (!initialized_ && runtime_->family == runtime::RuntimeFamily::kProvided &&
                 exit->kind == sandbox::ExitInfo::Kind::kExited &&
                 (exit->code == 126 || exit->code == 127)) {
        type = "Runtime.InvalidEntrypoint";
      }
      std::string message = "RequestId: " + inv.request.request_id +
                            " Error: Runtime exited with error: " + exit->Describe();
      output_.Emit(message);
      if (active_.size() == 1) output_.Emit(type);
      InvokeResult r;
      r.function_error = "Unhandled";
      r.payload = ErrorDocument(type, message);
      CompleteLocked(inv, std::move(r), "error", type, out);
    }
  }
  Finish(out);
  Teardown();
}

void Instance::Teardown() {
  std::unique_ptr<sandbox::SandboxedProcess> process = process_.Teardown();
  output_.Stop();
  if (process) env_.owner->Dispose(std::move(process));
  env_.owner->OnInstanceDead(shared_from_this());
}

void Instance::Finish(Outcome& out) {
  for (auto& [deliver, event] : out.deliveries) {
    if (deliver) deliver(std::move(event));
  }
  for (auto& [deliver, events] : out.batches) {
    if (deliver) deliver(std::move(events));
  }
  if (out.report_ready) env_.owner->OnInstanceReady(shared_from_this());
  if (out.freed > 0) {
    int report = 0;
    {
      std::lock_guard lock(mu_);
      if (!dead_ && capacity() > 1) {
        report = out.freed;  // one slot each
      } else if (!dead_ && !free_reported_ && active_.empty()) {
        free_reported_ = true;
        report = 1;
      }
    }
    for (int i = 0; i < report; ++i) env_.owner->OnInstanceFree(shared_from_this());
  }
  // Results go out after the slots they free are back in the pool: a caller
  // that invokes again as soon as it has its answer finds the instance free.
  for (auto& [done, result] : out.results) {
    env_.owner->OnInvocationDone(*function_, std::move(done), std::move(result));
  }
  if (out.kill) Kill();
}

}  // namespace nimbus::invoker
