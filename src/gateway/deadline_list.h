// The integration timeouts of the gateway's calls in flight, under one timer
// instead of a timer per call. Every call gets the same timeout, so calls
// expire in the order they started: the list keeps them in that order, and
// a single timer only ever needs to be armed for the head's deadline.
//
// Items are linked through a `DeadlineList<T>::Hook` they carry, and are
// owned elsewhere by shared_ptr (T derives from enable_shared_from_this). An
// item must leave the list (Remove) before it dies; an expired item is
// handed out only if it is still alive, so one whose destructor is waiting
// to remove it is skipped. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace nimbus::gateway {

template <class T>
class DeadlineList {
 public:
  using Clock = std::chrono::steady_clock;

  struct Hook {
    T* prev = nullptr;
    T* next = nullptr;
    Clock::time_point deadline;
    bool linked = false;
  };

  // Appends `item`, due `timeout` from now (the same timeout for every item,
  // so the list stays in deadline order). Returns the deadline to arm the
  // timer for when no timer is armed, else nothing.
  std::optional<Clock::time_point> Add(T& item, Clock::duration timeout) {
    std::lock_guard lock(mu_);
    Hook& h = item.deadline_hook;
    h.deadline = Clock::now() + timeout;
    h.prev = tail_;
    h.next = nullptr;
    h.linked = true;
    (tail_ ? tail_->deadline_hook.next : head_) = &item;
    tail_ = &item;
    if (std::exchange(armed_, true)) return std::nullopt;
    return h.deadline;
  }

  // Takes `item` off the list, if it is on it.
  void Remove(T& item) {
    std::lock_guard lock(mu_);
    UnlinkLocked(item);
  }

  // For the timer: takes off every item whose deadline is at or before
  // `now` and returns those still alive. `next` is the deadline to arm the
  // timer for, or empty when the list is empty (the timer is then unarmed).
  std::vector<std::shared_ptr<T>> PopExpired(Clock::time_point now,
                                             std::optional<Clock::time_point>* next) {
    std::vector<std::shared_ptr<T>> expired;
    std::lock_guard lock(mu_);
    while (head_ && head_->deadline_hook.deadline <= now) {
      T& item = *head_;
      UnlinkLocked(item);
      if (auto alive = item.weak_from_this().lock()) expired.push_back(std::move(alive));
    }
    if (head_) {
      *next = head_->deadline_hook.deadline;
    } else {
      next->reset();
      armed_ = false;
    }
    return expired;
  }

  bool empty() const {
    std::lock_guard lock(mu_);
    return head_ == nullptr;
  }

 private:
  void UnlinkLocked(T& item) {
    Hook& h = item.deadline_hook;
    if (!h.linked) return;
    (h.prev ? h.prev->deadline_hook.next : head_) = h.next;
    (h.next ? h.next->deadline_hook.prev : tail_) = h.prev;
    h = Hook{};
  }

  mutable std::mutex mu_;
  T* head_ = nullptr;
  T* tail_ = nullptr;
  bool armed_ = false;  // a timer is set for the head (or for an item since removed)
};

}  // namespace nimbus::gateway
