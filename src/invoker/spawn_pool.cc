#include "invoker/spawn_pool.h"

#include <algorithm>
#include <utility>

namespace nimbus::invoker {

SpawnPool::SpawnPool(int threads) : max_threads_(std::max(threads, 1)) {}

SpawnPool::~SpawnPool() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    dropped.swap(queue_);
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  // `dropped` goes last, outside the lock: its closures may own anything.
}

void SpawnPool::Submit(std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    queue_.push_back(std::move(work));
    // A thread more when the waiting ones cannot take all the work, up to the bound.
    if (static_cast<int>(queue_.size()) > idle_ &&
        static_cast<int>(threads_.size()) < max_threads_) {
      threads_.emplace_back([this] { Run(); });
    }
  }
  cv_.notify_one();
}

void SpawnPool::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    ++idle_;
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    --idle_;
    if (stop_) return;
    std::function<void()> work = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    work();
    work = nullptr;  // what the work holds is released outside the lock
    lock.lock();
  }
}

}  // namespace nimbus::invoker
