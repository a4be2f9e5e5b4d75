// The clocks of one instance: each invocation's deadline (its function's
// timeout, from when its clock starts) and the init deadline (how long the
// runtime may take to ask for its first event). One timer is armed for the
// earliest invocation deadline at a time; when it fires, every invocation
// past its deadline is reported and the timer is armed for the next.
//
// Lifetime: a member of its Instance, made by Instance::Create with a weak
// reference to it: a timer's callback locks that reference first, so it
// never runs into a destroyed instance, and the callbacks below may use the
// instance freely. Stop() ends every clock for good.
//
// Threads: every method may be called from any thread; state is guarded by
// one mutex, taken after the owning Instance's when both are held. The
// callbacks run on the event loop with that mutex released.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "net/event_loop.h"

namespace nimbus::invoker {

class Deadlines {
 public:
  // Called with the request id of an invocation whose deadline has passed.
  using OnExpired = std::function<void(const std::string& request_id)>;

  Deadlines(net::EventLoop& loop, std::weak_ptr<const void> owner, OnExpired on_expired,
            std::function<void()> on_init_expired);
  ~Deadlines();
  Deadlines(const Deadlines&) = delete;
  Deadlines& operator=(const Deadlines&) = delete;

  // The invocation `request_id` times out once `deadline_ms` (epoch ms) is
  // past: a millisecond after it, so that it always gets its whole timeout
  // (deadlines are whole milliseconds, set from a clock up to one behind).
  void Watch(const std::string& request_id, int64_t deadline_ms);
  // The invocation ended before its deadline.
  void Forget(const std::string& request_id, int64_t deadline_ms);

  // The runtime must ask for its first event within `limit`.
  void StartInit(std::chrono::milliseconds limit);
  // It did (or the instance is gone).
  void EndInit();

  // No clock fires any more.
  void Stop();

 private:
  void ArmLocked(int64_t deadline_ms);
  // The timer armed as `generation` fired.
  void OnTimer(uint64_t generation);

  net::EventLoop& loop_;
  const std::weak_ptr<const void> owner_;
  const OnExpired on_expired_;
  const std::function<void()> on_init_expired_;

  std::mutex mu_;
  bool stopped_ = false;
  std::set<std::pair<int64_t, std::string>> pending_;  // by deadline, then request id
  net::TimerPtr timer_;
  int64_t armed_ms_ = 0;  // the deadline timer_ is armed for
  uint64_t generation_ = 0;
  net::TimerPtr init_timer_;
};

}  // namespace nimbus::invoker
