// The server's I/O loop: one Boost.Asio io_context per thread, with
// thread-safe posting, one-shot timers and fd watchers. Only
// the .cc files of src/net include Asio; everything above sees this API.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace nimbus::net {

// A one-shot timer. Cancel() may be called from any thread; the callback runs
// at most once, and never after Cancel() has returned true.
class Timer {
 public:
  virtual ~Timer() = default;
  // True if this call stopped the callback from running.
  virtual bool Cancel() = 0;
};
using TimerPtr = std::shared_ptr<Timer>;

// Calls back each time a file descriptor becomes readable (level-triggered:
// re-armed after each callback until Stop()). It watches its own duplicate of
// the descriptor; the caller keeps and closes the original.
class FdWatcher {
 public:
  virtual ~FdWatcher() = default;
  virtual void Stop() = 0;
};
using FdWatcherPtr = std::shared_ptr<FdWatcher>;

class EventLoop {
 public:
  explicit EventLoop(int threads);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Starts the worker threads; returns immediately.
  void Start();
  // Stops the loop and joins the threads. Pending handlers are dropped.
  void Stop();

  void Post(std::function<void()> fn);
  TimerPtr After(std::chrono::milliseconds delay, std::function<void()> fn);
  // `fn` runs on the loop each time `fd` is readable, until the watcher stops.
  FdWatcherPtr WatchReadable(int fd, std::function<void()> fn);

  // One of the loop's contexts (each run by its own thread), round robin.
  boost::asio::io_context& context();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::net
