#include "net/event_loop.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <fcntl.h>

#include <atomic>

namespace asio = boost::asio;

namespace nimbus::net {
namespace {

class AsioTimer : public Timer, public std::enable_shared_from_this<AsioTimer> {
 public:
  AsioTimer(asio::io_context& ctx, std::function<void()> fn)
      : timer_(asio::make_strand(ctx)), fn_(std::move(fn)) {}

  void Arm(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (!self->done_.exchange(true)) {
        auto fn = std::move(self->fn_);
        fn();
      }
    });
  }

  bool Cancel() override {
    if (done_.exchange(true)) return false;
    asio::post(timer_.get_executor(), [self = shared_from_this()] {
      self->timer_.cancel();
      self->fn_ = nullptr;
    });
    return true;
  }

 private:
  asio::steady_timer timer_;
  std::function<void()> fn_;
  std::atomic<bool> done_{false};
};

class AsioFdWatcher : public FdWatcher, public std::enable_shared_from_this<AsioFdWatcher> {
 public:
  // Watches a duplicate of `fd`, so the caller may close its own copy at any
  // time without confusing the reactor.
  AsioFdWatcher(asio::io_context& ctx, int fd, std::function<void()> fn)
      : strand_(asio::make_strand(ctx)), desc_(strand_, ::fcntl(fd, F_DUPFD_CLOEXEC, 0)),
        fn_(std::move(fn)) {}

  void Arm() {
    desc_.async_wait(asio::posix::descriptor_base::wait_read,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       if (ec || self->stopped_) return;
                       self->fn_();
                       if (!self->stopped_) self->Arm();
                     });
  }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    asio::post(strand_, [self = shared_from_this()] {
      boost::system::error_code ec;
      self->desc_.close(ec);
      self->fn_ = nullptr;
    });
  }

 private:
  asio::strand<asio::io_context::executor_type> strand_;
  asio::posix::stream_descriptor desc_;
  std::function<void()> fn_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

struct EventLoop::Impl {
  explicit Impl(int n) : ctx(n), threads_wanted(n < 1 ? 1 : n), guard(ctx.get_executor()) {}
  asio::io_context ctx;
  int threads_wanted;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::vector<std::thread> threads;
};

EventLoop::EventLoop(int threads) : impl_(std::make_unique<Impl>(threads)) {}

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Start() {
  for (int i = 0; i < impl_->threads_wanted; ++i) {
    impl_->threads.emplace_back([this] { impl_->ctx.run(); });
  }
}

void EventLoop::Stop() {
  impl_->guard.reset();
  impl_->ctx.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
  impl_->threads.clear();
}

void EventLoop::Post(std::function<void()> fn) { asio::post(impl_->ctx, std::move(fn)); }

TimerPtr EventLoop::After(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto t = std::make_shared<AsioTimer>(impl_->ctx, std::move(fn));
  t->Arm(delay);
  return t;
}

FdWatcherPtr EventLoop::WatchReadable(int fd, std::function<void()> fn) {
  auto w = std::make_shared<AsioFdWatcher>(impl_->ctx, fd, std::move(fn));
  w->Arm();
  return w;
}

asio::io_context& EventLoop::context() { return impl_->ctx; }

}  // namespace nimbus::net
