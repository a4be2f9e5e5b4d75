#include "invoker/instance.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ids.h"
#include "core/time.h"
#include "invoker/report.h"
#include "net/listener.h"
#include "net/peer_cred.h"
#include "runtime/instance_spec.h"

namespace nimbus::invoker {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kTailBytes = 4096;
constexpr size_t kMaxLineBytes = 256 * 1024;  // Lambda truncates longer lines

// How many connections an instance's AWS endpoint holds: an SDK's pool (50
// for the JS SDK v3, 10 for boto3) with room. With the body limit below, this
// bounds what one function can make the server buffer.
constexpr size_t kAwsEndpointConnections = 64;
// The Runtime API: one connection per invocation slot, and a few for
// batches, results and reconnects.
constexpr size_t kRuntimeApiSpareConnections = 8;

// The options of a listener meant for one instance alone. In network mode
// host it sits on the host's loopback, where any process may connect: only
// connections from the instance's own host uid are kept.
net::HttpServerOptions InstanceListenerOptions(const InstanceEnvironment& env, bool host_network,
                                               uint32_t host_uid) {
  net::HttpServerOptions o;
  // A runtime's connection sits idle while its function runs (up to 900 s),
  // and an SDK keeps its pool between calls: only reading is timed here.
  o.idle_timeout = std::chrono::milliseconds(0);
  o.max_connections_per_peer = 0;  // every peer is the instance
  o.connection_budget = env.connections;
  if (host_network && host_uid != 0) {
    o.accept_filter = [host_uid](int fd) {
      auto uid = net::TcpPeerUid(fd);
      return uid.ok() && *uid == host_uid;
    };
  }
  return o;
}

double MillisSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace

struct Instance::Invocation {
  InvokeRequest request;
  InvokeCallback done;
  bool cold = false;
  bool delivered = false;
  Clock::time_point assigned_at;
  Clock::time_point delivered_at;
  int64_t deadline_ms = 0;  // 0 until the invocation's clock starts
  std::string log;          // the invocation's log lines (trimmed to the last few KB)
};

struct Instance::Outcome {
  std::vector<std::pair<std::function<void(runtime::InvocationEvent&&)>, runtime::InvocationEvent>>
      deliveries;
  std::vector<std::pair<std::function<void(std::vector<runtime::InvocationEvent>&&)>,
                        std::vector<runtime::InvocationEvent>>>
      batches;
  std::vector<std::pair<InvokeCallback, InvokeResult>> results;
  int freed = 0;  // invocations ended in a way that leaves the instance able to take more
  bool report_ready = false;
  bool kill = false;
  std::vector<net::TimerPtr> cancel;
};

Instance::Instance(const InstanceEnvironment& env,
                   std::shared_ptr<const runtime::FunctionSpec> function)
    : env_(env),
      function_(std::move(function)),
      runtime_(env.catalog->Find(function_->runtime)),
      id_(RandomHex(32)),
      log_group_(runtime::LogGroupName(function_->name)),
      log_stream_(FormatSlashDate(NowEpochMillis()) + "/[" + function_->version + "]" + id_) {}

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
  std::string id = inv->request.request_id;
  active_[id] = std::move(owned);
  undelivered_.push_back(inv);
  free_reported_ = false;
  if (!inv->cold) {
    // A warm instance's clock starts now: a runtime that never asks for the
    // event is caught by the timeout like one that never answers.
    inv->deadline_ms = NowEpochMillis() + int64_t{function_->timeout_s} * 1000;
    WatchDeadlineLocked(inv->deadline_ms);
    DeliverLocked(out);
  }
}

void Instance::Launch(InvokeRequest request, InvokeCallback done) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    AcceptLocked(std::move(request), std::move(done), out);
  }
  Status s = Start();
  if (s.ok()) return;
  {
    std::lock_guard lock(mu_);
    dead_ = true;
    Invocation& inv = *active_.begin()->second;
    InvokeResult r;
    if (!s.reason().empty()) {
      // The function's own fault (no bootstrap): a function error, as Lambda reports it.
      r.function_error = "Unhandled";
      r.payload = ErrorDocument(s.reason(),
                                "RequestId: " + inv.request.request_id + " Error: " + s.message());
      EmitLocked(r.payload);
    } else {
      spdlog::error("function {}: cannot start an instance: {}", function_->name, s.message());
      r.status = s;
    }
    CompleteLocked(inv, std::move(r), "error", s.reason(), out);
  }
  Finish(out);
  if (exit_watcher_) {
    Kill();  // the exit handler tears down, as for any other death
  } else {
    Teardown();
  }
}

Status Instance::Start() {
  if (runtime_ == nullptr) {
    return Status(Code::kInvalidArgument, "unsupported runtime " + function_->runtime,
                  "Runtime.InvalidRuntime");
  }
  if (runtime_->family == runtime::RuntimeFamily::kProvided) {
    std::string bootstrap = function_->code_dir + "/bootstrap";
    struct stat st;
    if (::stat(bootstrap.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
      return Status(Code::kFailedPrecondition,
                    "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
                    "Runtime.InvalidEntrypoint");
    }
  }

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(read_end.get(), F_SETPIPE_SZ, 1 << 20);

  bool isolated_net = function_->network == sandbox::NetworkMode::kNone;
  runtime::InstanceContext ctx;
  ctx.log_stream = log_stream_;
  ctx.output_fd = write_end.get();
  credentials_ = env_.credentials->Issue(
      {function_->arn, function_->name, function_->role, function_->region});
  ctx.access_key_id = credentials_.access_key_id;
  ctx.secret_access_key = credentials_.secret_access_key;
  ctx.session_token = credentials_.session_token;
  // In network mode host the instance's listeners sit on the host's loopback
  // on ports of their own; the AWS endpoint it reaches is still its own, so
  // its credentials are accepted there and nowhere else.
  UniqueFd host_listener, host_aws_listener;
  if (isolated_net) {
    ctx.runtime_api = "127.0.0.1:9001";
    ctx.aws_endpoint = "http://127.0.0.1:4566";
  } else {
    ASSIGN_OR_RETURN(host_listener, net::ListenTcp("127.0.0.1", 0));
    ASSIGN_OR_RETURN(int port, net::BoundPort(host_listener.get()));
    ctx.runtime_api = "127.0.0.1:" + std::to_string(port);
    ctx.aws_endpoint = env_.host_aws_endpoint;
    if (env_.aws_handler) {
      ASSIGN_OR_RETURN(host_aws_listener, net::ListenTcp("127.0.0.1", 0));
      ASSIGN_OR_RETURN(int aws_port, net::BoundPort(host_aws_listener.get()));
      ctx.aws_endpoint = "http://127.0.0.1:" + std::to_string(aws_port);
    }
  }
  ASSIGN_OR_RETURN(sandbox::SandboxSpec spec,
                   runtime::BuildInstanceSpec(*function_, *runtime_, ctx, env_.rootfs));

  spawned_at_ = Clock::now();
  ASSIGN_OR_RETURN(process_, env_.sandboxer->Spawn(spec, id_));
  write_end.Reset();
  output_ = std::move(read_end);

  net::HttpServerOptions api_options =
      InstanceListenerOptions(env_, !isolated_net, process_->host_uid());
  api_options.max_connections = function_->max_concurrency + kRuntimeApiSpareConnections;
  api_options.body_limit = 16 * 1024 * 1024;
  api_options.coalesce_answers = true;
  runtime_api_ = std::make_unique<net::HttpServer>(
      *env_.loop, runtime::MakeRuntimeApiHandler(weak_from_this()), api_options);
  // The largest request a function sends its AWS endpoint is a 16 MB
  // BatchWriteItem or a 6 MB Invoke; a larger one is refused unread.
  net::HttpServerOptions aws_options =
      InstanceListenerOptions(env_, !isolated_net, process_->host_uid());
  aws_options.max_connections = kAwsEndpointConnections;
  aws_options.body_limit = 17 * 1024 * 1024;
  invoker::AwsListener aws_listener;
  if (env_.aws_handler) {
    aws_listener = env_.aws_handler(credentials_.access_key_id);
    aws_options.head_filter = std::move(aws_listener.head_filter);
    aws_options.protocol_error = std::move(aws_listener.protocol_error);
  }
  if (isolated_net) {
    ASSIGN_OR_RETURN(UniqueFd netns, process_->process->OpenNetns());
    ASSIGN_OR_RETURN(UniqueFd api_fd, net::ListenTcpInNetns(netns.get(), "127.0.0.1", 9001));
    ASSIGN_OR_RETURN(UniqueFd aws_fd, net::ListenTcpInNetns(netns.get(), "127.0.0.1", 4566));
    RETURN_IF_ERROR(runtime_api_->Adopt(std::move(api_fd)));
    if (env_.aws_handler) {
      aws_endpoint_ = std::make_unique<net::HttpServer>(
          *env_.loop, aws_listener.handler, aws_options);
      RETURN_IF_ERROR(aws_endpoint_->Adopt(std::move(aws_fd)));
    }
  } else {
    RETURN_IF_ERROR(runtime_api_->Adopt(std::move(host_listener)));
    if (env_.aws_handler) {
      aws_endpoint_ = std::make_unique<net::HttpServer>(
          *env_.loop, aws_listener.handler, aws_options);
      RETURN_IF_ERROR(aws_endpoint_->Adopt(std::move(host_aws_listener)));
    }
  }

  std::weak_ptr<Instance> weak = weak_from_this();
  output_watcher_ = env_.loop->WatchReadable(output_.get(), [weak] {
    if (auto self = weak.lock()) self->OnOutputReadable();
  });
  exit_watcher_ = env_.loop->WatchReadable(process_->process->pidfd(), [weak] {
    if (auto self = weak.lock()) self->OnExit();
  });
  auto init_limit = env_.init_timeout + std::chrono::seconds(function_->timeout_s);
  init_timer_ =
      env_.loop->After(std::chrono::duration_cast<std::chrono::milliseconds>(init_limit), [weak] {
        if (auto self = weak.lock()) {
          std::string id;
          {
            std::lock_guard lock(self->mu_);
            if (!self->active_.empty()) id = self->active_.begin()->first;
          }
          self->OnTimeout(id);
        }
      });
  return process_->process->Start();
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

void Instance::DeliverLocked(Outcome& out, bool gathered) {
  while (!undelivered_.empty() && !parked_next_.empty()) {
    ParkedNext& next = parked_next_.front();
    if (next.many) {
      if (!gathered) {
        if (!gather_posted_) {
          gather_posted_ = true;
          env_.loop->Post([weak = weak_from_this()] {
            if (auto self = weak.lock()) self->Gather();
          });
        }
        return;
      }
      std::vector<runtime::InvocationEvent> events;
      events.reserve(std::min(next.max, undelivered_.size()));
      while (!undelivered_.empty() && events.size() < next.max) {
        events.push_back(TakeEventLocked());
      }
      out.batches.emplace_back(std::move(next.many), std::move(events));
    } else {
      out.deliveries.emplace_back(std::move(next.one), TakeEventLocked());
    }
    parked_next_.pop_front();
  }
}

void Instance::Gather() {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    gather_posted_ = false;
    if (dead_) return;
    DeliverLocked(out, /*gathered=*/true);
  }
  Finish(out);
}

runtime::InvocationEvent Instance::TakeEventLocked() {
  Invocation& inv = *undelivered_.front();
  undelivered_.pop_front();
  if (inv.cold) {
    inv.deadline_ms = NowEpochMillis() + int64_t{function_->timeout_s} * 1000;
    WatchDeadlineLocked(inv.deadline_ms);
  }
  inv.delivered = true;
  inv.delivered_at = Clock::now();
  EmitLocked(StartLine(inv.request.request_id, function_->version), &inv);
  runtime::InvocationEvent event;
  event.request_id = inv.request.request_id;
  event.payload = std::move(inv.request.payload);
  event.deadline_ms = inv.deadline_ms;
  event.invoked_arn = inv.request.invoked_arn;
  event.trace_id = inv.request.trace_id;
  event.client_context = inv.request.client_context;
  return event;
}

Instance::Invocation* Instance::FindDeliveredLocked(const std::string& request_id) {
  auto it = active_.find(request_id);
  return it != active_.end() && it->second->delivered ? it->second.get() : nullptr;
}

runtime::PostResult Instance::UnknownIdLocked(const std::string& request_id) const {
  bool finished =
      std::find(finished_ids_.begin(), finished_ids_.end(), request_id) != finished_ids_.end();
  return finished ? runtime::PostResult::kInvalidState : runtime::PostResult::kInvalidRequestId;
}

uint64_t Instance::PeakMemoryMbLocked() {
  if (!process_ || !process_->cgroup) return 0;
  // The peak is the instance's, not one invocation's. An instance taking one
  // invocation at a time reads it for each; one running several at once
  // (thousands of invocations a second) reads it at most every 100 ms.
  auto now = Clock::now();
  if (capacity() == 1 || now - peak_read_at_ >= std::chrono::milliseconds(100)) {
    peak_memory_mb_ = (process_->cgroup->PeakMemoryBytes() + (1 << 20) - 1) >> 20;
    peak_read_at_ = now;
  }
  return peak_memory_mb_;
}

void Instance::RememberFinishedLocked(const std::string& request_id) {
  finished_ids_.push_back(request_id);
  if (finished_ids_.size() > static_cast<size_t>(std::max(capacity(), 4))) {
    finished_ids_.pop_front();
  }
}

void Instance::CompleteLocked(Invocation& inv, InvokeResult result,
                              const std::string& report_status, const std::string& error_type,
                              Outcome& out, Clock::time_point result_read) {
  DrainOutputForLocked(result_read);
  const std::string& id = inv.request.request_id;
  double duration = MillisSince(inv.delivered ? inv.delivered_at : inv.assigned_at);
  EmitLocked(EndLine(id), &inv);
  ReportFields f;
  f.request_id = id;
  f.duration_ms = duration;
  f.memory_mb = function_->memory_mb;
  f.max_memory_used_mb = PeakMemoryMbLocked();
  if (inv.cold && init_duration_ms_ >= 0) f.init_duration_ms = init_duration_ms_;
  f.status = report_status;
  f.error_type = report_status == "error" ? error_type : "";
  EmitLocked(ReportLine(f), &inv);

  result.request_id = id;
  result.executed_version = function_->version;
  result.log_tail = inv.log.size() > kTailBytes ? inv.log.substr(inv.log.size() - kTailBytes)
                                                : std::move(inv.log);
  out.results.emplace_back(std::move(inv.done), std::move(result));
  std::erase(undelivered_, &inv);
  RememberFinishedLocked(id);
  active_.erase(std::string(id));  // `inv` and `id` die here
  if (active_.empty()) idle_since_ = Clock::now();
}

void Instance::OnNext(std::function<void(runtime::InvocationEvent&&)> deliver) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    if (dead_) return;
    ParkLocked(ParkedNext{.one = std::move(deliver)}, out);
  }
  Finish(out);
}

void Instance::OnNextBatch(size_t max,
                           std::function<void(std::vector<runtime::InvocationEvent>&&)> deliver) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    if (dead_) return;
    ParkLocked(ParkedNext{.many = std::move(deliver), .max = max}, out);
  }
  Finish(out);
}

void Instance::ParkLocked(ParkedNext next, Outcome& out) {
  if (!initialized_) {
    initialized_ = true;
    init_duration_ms_ = MillisSince(spawned_at_);
    if (init_timer_) out.cancel.push_back(init_timer_);
    out.report_ready = true;
  }
  if (capacity() == 1) {
    // Asking for the next event without answering this one ends it, as on
    // Lambda; a runtime that takes several at once asks ahead by design.
    Invocation* inv = nullptr;
    for (auto& [id, a] : active_) {
      if (a->delivered) inv = a.get();
    }
    if (inv != nullptr) {
      InvokeResult r;
      r.function_error = "Unhandled";
      r.payload = ErrorDocument("Runtime.InvalidStateTransition",
                                "RequestId: " + inv->request.request_id +
                                    " Error: the runtime asked for the next event without "
                                    "answering this one");
      CompleteLocked(*inv, std::move(r), "error", "Runtime.InvalidStateTransition", out);
      out.freed++;
    }
    parked_next_.clear();  // a runtime that reconnected asks again; the newest request wins
  }
  // Invocations already waiting go out at once, to a batch request after
  // what the loop is doing now (the invoker may have more for this instance
  // once it learns that it is ready).
  bool gathered = !next.many;
  parked_next_.push_back(std::move(next));
  DeliverLocked(out, gathered);
}

runtime::PostResult Instance::OnResponse(const std::string& request_id, std::string body,
                                         std::string content_type, Clock::time_point received_at) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    Invocation* inv = FindDeliveredLocked(request_id);
    if (inv == nullptr) return UnknownIdLocked(request_id);
    InvokeResult r;
    r.payload = std::move(body);
    r.content_type = std::move(content_type);
    CompleteLocked(*inv, std::move(r), "", "", out, received_at);
    out.freed++;
  }
  Finish(out);
  return runtime::PostResult::kAccepted;
}

runtime::PostResult Instance::OnResponseTooLarge(const std::string& request_id) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    Invocation* inv = FindDeliveredLocked(request_id);
    if (inv == nullptr) return runtime::PostResult::kInvalidRequestId;
    InvokeResult r;
    r.function_error = "Unhandled";
    r.payload = ErrorDocument("Function.ResponseSizeTooLarge",
                              "Response payload size exceeded maximum allowed payload size "
                              "(6291556 bytes).");
    CompleteLocked(*inv, std::move(r), "error", "Function.ResponseSizeTooLarge", out);
    out.freed++;
  }
  Finish(out);
  return runtime::PostResult::kAccepted;
}

runtime::PostResult Instance::OnError(const std::string& request_id, std::string error_type,
                                      std::string body, Clock::time_point received_at) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    Invocation* inv = FindDeliveredLocked(request_id);
    if (inv == nullptr) return UnknownIdLocked(request_id);
    InvokeResult r;
    r.function_error = "Unhandled";
    r.payload = body.empty() ? ErrorDocument(error_type, "") : std::move(body);
    CompleteLocked(*inv, std::move(r), "", "", out, received_at);
    out.freed++;
  }
  Finish(out);
  return runtime::PostResult::kAccepted;
}

runtime::PostResult Instance::OnInitError(std::string error_type, std::string body) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    if (initialized_ || dead_) return runtime::PostResult::kInvalidState;
    EmitLocked(InitReportLine(MillisSince(spawned_at_), error_type));
    while (!active_.empty()) {
      InvokeResult r;
      r.function_error = "Unhandled";
      r.payload = body.empty() ? ErrorDocument(error_type, "") : body;
      CompleteLocked(*active_.begin()->second, std::move(r), "error", error_type, out);
    }
    // The runtime exits after reporting; make sure it does, shortly after it has its answer.
    std::weak_ptr<Instance> weak = weak_from_this();
    env_.loop->After(std::chrono::milliseconds(200), [weak] {
      if (auto self = weak.lock()) self->Kill();
    });
    initialized_ = true;  // never deliver to this instance
    dead_ = true;
  }
  Finish(out);
  return runtime::PostResult::kAccepted;
}

void Instance::WatchDeadlineLocked(int64_t deadline_ms) {
  // Deadlines come in the order they are set (every invocation of an
  // instance has the same timeout), so one armed for an earlier deadline
  // stays: when it fires it arms the timer again for the next.
  if (deadline_timer_ && armed_deadline_ms_ <= deadline_ms) return;
  if (deadline_timer_) deadline_timer_->Cancel();
  armed_deadline_ms_ = deadline_ms;
  std::weak_ptr<Instance> weak = weak_from_this();
  uint64_t generation = ++deadline_generation_;
  // Deadlines are whole milliseconds, set from a clock up to one behind: an
  // invocation times out once its deadline is past, a millisecond after it,
  // so that it always gets its whole timeout.
  deadline_timer_ = env_.loop->After(
      std::chrono::milliseconds(std::max<int64_t>(deadline_ms + 1 - NowEpochMillis(), 0)),
      [weak, generation] {
        if (auto self = weak.lock()) self->OnDeadline(generation);
      });
}

void Instance::OnDeadline(uint64_t generation) {
  std::vector<std::string> expired;
  {
    std::lock_guard lock(mu_);
    if (generation != deadline_generation_) return;  // a timer since replaced
    deadline_timer_.reset();
    int64_t now = NowEpochMillis();
    int64_t next = 0;
    for (const auto& [id, inv] : active_) {
      if (inv->deadline_ms == 0) continue;
      if (inv->deadline_ms < now) {
        expired.push_back(id);
      } else if (next == 0 || inv->deadline_ms < next) {
        next = inv->deadline_ms;
      }
    }
    if (next != 0 && !dead_) WatchDeadlineLocked(next);
  }
  for (const std::string& id : expired) OnTimeout(id);
}

void Instance::OnTimeout(const std::string& request_id) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    auto it = active_.find(request_id);
    if (it == active_.end()) return;
    EmitLocked(fmt::format("{} {} Task timed out after {:.2f} seconds",
                           FormatIso8601Millis(NowEpochMillis()), request_id,
                           static_cast<double>(function_->timeout_s)));
    InvokeResult r;
    r.function_error = "Unhandled";
    r.payload = ErrorDocument("Sandbox.Timedout", TimeoutMessage(request_id, function_->timeout_s));
    CompleteLocked(*it->second, std::move(r), "timeout", "", out);
    if (capacity() == 1 || !initialized_) {
      dead_ = true;
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
  // Under the lock: Teardown hands the process to the janitor, which closes its
  // pidfd, and a signal sent through a reused descriptor would hit another sandbox.
  std::lock_guard lock(mu_);
  if (process_) process_->process->Kill();
}

void Instance::OnOutputReadable() {
  std::lock_guard lock(mu_);
  DrainOutputLocked();
}

void Instance::DrainOutputForLocked(Clock::time_point result_read) {
  if (result_read != Clock::time_point{} && last_drain_ >= result_read) return;
  DrainOutputLocked();
}

void Instance::DrainOutputLocked() {
  if (!output_.valid()) return;
  last_drain_ = Clock::now();  // before the first read: what was written by now is read
  char buf[65536];
  while (true) {
    ssize_t n = ::read(output_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) {  // every writer is gone
        if (output_watcher_) output_watcher_->Stop();
        output_.Reset();
        if (!partial_line_.empty()) EmitLocked(std::exchange(partial_line_, {}));
      }
      return;
    }
    partial_line_.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    while (true) {
      size_t nl = partial_line_.find('\n', start);
      if (nl == std::string::npos) break;
      EmitLocked(partial_line_.substr(start, nl - start));
      start = nl + 1;
    }
    partial_line_.erase(0, start);
    if (partial_line_.size() > kMaxLineBytes) EmitLocked(std::exchange(partial_line_, {}));
  }
}

void Instance::EmitLocked(std::string line, Invocation* owner) {
  // A line belongs to the invocation it is about (START, END, REPORT), to
  // the only invocation running, or, when several are, to the ones whose
  // request id it names (runtimes prefix every line with it).
  auto attach = [&](Invocation& inv) {
    inv.log += line;
    inv.log += '\n';
    if (inv.log.size() > 4 * kTailBytes) inv.log.erase(0, inv.log.size() - 2 * kTailBytes);
  };
  if (owner != nullptr) {
    attach(*owner);
  } else if (active_.size() == 1) {
    attach(*active_.begin()->second);
  } else {
    for (auto& [id, inv] : active_) {
      if (line.find(id) != std::string::npos) attach(*inv);
    }
  }
  env_.logs->Append(log_group_, log_stream_, NowEpochMillis(), std::move(line));
}

std::string Instance::FailureMessageLocked(const sandbox::ExitInfo& exit) const {
  return "Runtime exited with error: " + exit.Describe();
}

void Instance::OnExit() {
  if (exit_watcher_) exit_watcher_->Stop();
  Outcome out;
  {
    std::lock_guard lock(mu_);
    if (!process_) return;
    sandbox::ExitInfo exit = process_->process->Reap();  // the pidfd is readable: no wait
    dead_ = true;
    parked_next_.clear();
    if (init_timer_) out.cancel.push_back(init_timer_);
    if (deadline_timer_) out.cancel.push_back(std::exchange(deadline_timer_, nullptr));
    DrainOutputLocked();
    bool oom = !active_.empty() && process_->cgroup && process_->cgroup->OomKills() > 0;
    while (!active_.empty()) {
      Invocation& inv = *active_.begin()->second;
      std::string type = "Runtime.ExitError";
      if (oom) {
        type = "Runtime.OutOfMemory";
      } else if (!initialized_ && runtime_->family == runtime::RuntimeFamily::kProvided &&
                 exit.kind == sandbox::ExitInfo::Kind::kExited &&
                 (exit.code == 126 || exit.code == 127)) {
        type = "Runtime.InvalidEntrypoint";
      }
      std::string message =
          "RequestId: " + inv.request.request_id + " Error: " + FailureMessageLocked(exit);
      EmitLocked(message);
      if (active_.size() == 1) EmitLocked(type);
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
  // The listeners first, so no request reaches a dead instance; then the
  // process and its cgroup, released off the I/O threads.
  if (exit_watcher_) exit_watcher_->Stop();
  if (runtime_api_) runtime_api_->Close();
  if (aws_endpoint_) aws_endpoint_->Close();
  std::unique_ptr<sandbox::SandboxedProcess> process;
  {
    // Every reader of process_ (Kill, the report's peak memory) holds the lock.
    std::lock_guard lock(mu_);
    if (output_watcher_) output_watcher_->Stop();
    output_.Reset();
    process = std::move(process_);
  }
  if (!credentials_.access_key_id.empty()) env_.credentials->Revoke(credentials_.access_key_id);
  if (process) env_.owner->Dispose(std::move(process));
  env_.owner->OnInstanceDead(shared_from_this());
}

void Instance::Finish(Outcome& out) {
  for (auto& t : out.cancel) t->Cancel();
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
