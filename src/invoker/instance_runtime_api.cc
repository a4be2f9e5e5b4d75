// Instance's side of the Runtime API: `next` requests parked until an
// invocation is there for them, events handed out, results taken in. See
// instance.h.
#include <fmt/format.h>

#include <algorithm>

#include "core/time.h"
#include "invoker/instance.h"
#include "invoker/report.h"

namespace nimbus::invoker {

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
    deadlines_->Watch(inv.request.request_id, inv.deadline_ms);
  }
  inv.delivered = true;
  inv.delivered_at = Clock::now();
  output_.Start(inv.request.request_id, function_->version);
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

void Instance::RememberFinishedLocked(const std::string& request_id) {
  finished_ids_.push_back(request_id);
  if (finished_ids_.size() > static_cast<size_t>(std::max(capacity(), 4))) {
    finished_ids_.pop_front();
  }
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
    deadlines_->EndInit();
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
  PostedResult posted;
  posted.result.payload = std::move(body);
  posted.result.content_type = std::move(content_type);
  posted.received_at = received_at;
  return EndWithPosted(request_id, std::move(posted));
}

runtime::PostResult Instance::OnResponseTooLarge(const std::string& request_id) {
  // Lambda's answer for a result above its limit: a function error, which
  // the REPORT line names.
  PostedResult posted;
  posted.result.function_error = "Unhandled";
  posted.result.payload = ErrorDocument(
      "Function.ResponseSizeTooLarge",
      fmt::format("Response payload size exceeded maximum allowed payload size ({} bytes).",
                  runtime::kMaxRuntimeResponseBytes));
  posted.report_status = "error";
  posted.error_type = "Function.ResponseSizeTooLarge";
  return EndWithPosted(request_id, std::move(posted));
}

runtime::PostResult Instance::OnError(const std::string& request_id, std::string error_type,
                                      std::string body, Clock::time_point received_at) {
  PostedResult posted;
  posted.result.function_error = "Unhandled";
  posted.result.payload = body.empty() ? ErrorDocument(error_type, "") : std::move(body);
  posted.received_at = received_at;
  return EndWithPosted(request_id, std::move(posted));
}

runtime::PostResult Instance::EndWithPosted(const std::string& request_id, PostedResult posted) {
  Outcome out;
  {
    std::lock_guard lock(mu_);
    Invocation* inv = FindDeliveredLocked(request_id);
    if (inv == nullptr) return UnknownIdLocked(request_id);
    CompleteLocked(*inv, std::move(posted.result), posted.report_status, posted.error_type, out,
                   posted.received_at);
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
    output_.Emit(InitReportLine(MillisSince(spawned_at_), error_type));
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

}  // namespace nimbus::invoker
