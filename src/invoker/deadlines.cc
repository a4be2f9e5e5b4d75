#include "invoker/deadlines.h"

#include <algorithm>
#include <vector>

#include "core/time.h"

namespace nimbus::invoker {

Deadlines::Deadlines(net::EventLoop& loop, std::weak_ptr<const void> owner, OnExpired on_expired,
                     std::function<void()> on_init_expired)
    : loop_(loop),
      owner_(std::move(owner)),
      on_expired_(std::move(on_expired)),
      on_init_expired_(std::move(on_init_expired)) {}

Deadlines::~Deadlines() {
  Stop();
}

void Deadlines::Watch(const std::string& request_id, int64_t deadline_ms) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  pending_.emplace(deadline_ms, request_id);
  // Deadlines mostly come in the order they are set (every invocation of an
  // instance has the same timeout), so a timer armed for an earlier one
  // stays: when it fires it arms itself again for the next.
  if (!timer_ || deadline_ms < armed_ms_) ArmLocked(deadline_ms);
}

void Deadlines::Forget(const std::string& request_id, int64_t deadline_ms) {
  std::lock_guard lock(mu_);
  pending_.erase({deadline_ms, request_id});
}

void Deadlines::ArmLocked(int64_t deadline_ms) {
  if (timer_) timer_->Cancel();
  armed_ms_ = deadline_ms;
  uint64_t generation = ++generation_;
  timer_ = loop_.After(
      std::chrono::milliseconds(std::max<int64_t>(deadline_ms + 1 - NowEpochMillis(), 0)),
      [this, owner = owner_, generation] {
        if (auto alive = owner.lock()) OnTimer(generation);
      });
}

void Deadlines::OnTimer(uint64_t generation) {
  std::vector<std::string> expired;
  {
    std::lock_guard lock(mu_);
    if (stopped_ || generation != generation_) return;  // a timer since replaced
    timer_.reset();
    int64_t now = NowEpochMillis();
    while (!pending_.empty() && pending_.begin()->first < now) {
      expired.push_back(std::move(pending_.begin()->second));
      pending_.erase(pending_.begin());
    }
    if (!pending_.empty()) ArmLocked(pending_.begin()->first);
  }
  for (const std::string& id : expired) on_expired_(id);
}

void Deadlines::StartInit(std::chrono::milliseconds limit) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  if (init_timer_) init_timer_->Cancel();
  init_timer_ = loop_.After(limit, [this, owner = owner_] {
    if (auto alive = owner.lock()) on_init_expired_();
  });
}

void Deadlines::EndInit() {
  std::lock_guard lock(mu_);
  if (init_timer_) init_timer_->Cancel();
  init_timer_.reset();
}

void Deadlines::Stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  pending_.clear();
  if (timer_) timer_->Cancel();
  if (init_timer_) init_timer_->Cancel();
  timer_.reset();
  init_timer_.reset();
}

}  // namespace nimbus::invoker
