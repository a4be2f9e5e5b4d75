// A few threads that spawn sandboxes, so that the work of a cold start
// (clone, namespaces, mounts, cgroup) never stalls an event loop: requests
// already being served on the loop that launched an instance go on while
// its sandbox is built. Work runs in the order it is submitted, at most
// `threads` at once; threads are made as work needs them and kept.
//
// Lifetime: owned by the Invoker. The destructor waits for the work
// running; work not begun by then is dropped (destroyed, not run).
//
// Threads: Submit may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace nimbus::invoker {

class SpawnPool {
 public:
  explicit SpawnPool(int threads);
  ~SpawnPool();
  SpawnPool(const SpawnPool&) = delete;
  SpawnPool& operator=(const SpawnPool&) = delete;

  // Runs `work` on one of the pool's threads. It may block; it must hand
  // its result back to whichever loop needs it itself (EventLoop::Post).
  void Submit(std::function<void()> work);

 private:
  void Run();

  const int max_threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  int idle_ = 0;  // threads waiting for work
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace nimbus::invoker
