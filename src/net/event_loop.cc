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

// An io_context whose shutdown (which destroys the operations still
// pending in it) can be run before any context is destroyed.
class Context : public asio::io_context {
 public:
  using asio::io_context::io_context;
  void Shutdown() { shutdown(); }
};

}  // namespace

// One io_context per thread: a connection, timer or watcher stays on the
// thread whose context it was given, so its handlers never hop threads and
// no scheduler is shared between threads. Work is spread round robin.
struct EventLoop::Impl {
  explicit Impl(int n) {
    for (int i = 0; i < (n < 1 ? 1 : n); ++i) {
      contexts.push_back(std::make_unique<Context>(1));
      guards.emplace_back(contexts.back()->get_executor());
      // A context opens its epoll and timer descriptors with its first timer
      // or socket; opened here, at start, so that a context whose first
      // socket arrives while the process is out of descriptors does not
      // throw from inside an accept.
      asio::steady_timer warm(*contexts.back());
    }
  }
  // A pending operation of one context may hold an object of another (an
  // accept on one thread's acceptor makes the new socket on another
  // thread's context): every context drops its pending operations while all
  // of them still exist, and only then are they destroyed.
  ~Impl() {
    guards.clear();
    for (auto& c : contexts) c->Shutdown();
  }
  asio::io_context& Next() { return *contexts[next.fetch_add(1) % contexts.size()]; }

  std::vector<std::unique_ptr<Context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
};

EventLoop::EventLoop(int threads) : impl_(std::make_unique<Impl>(threads)) {}

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Start() {
  for (auto& ctx : impl_->contexts) {
    asio::io_context* c = ctx.get();
    impl_->threads.emplace_back([c] { c->run(); });
  }
}

void EventLoop::Stop() {
  impl_->guards.clear();
  for (auto& ctx : impl_->contexts) ctx->stop();
  for (auto& t : impl_->threads) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
  impl_->threads.clear();
}

void EventLoop::Post(std::function<void()> fn) { asio::post(impl_->Next(), std::move(fn)); }

TimerPtr EventLoop::After(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto t = std::make_shared<AsioTimer>(impl_->Next(), std::move(fn));
  t->Arm(delay);
  return t;
}

FdWatcherPtr EventLoop::WatchReadable(int fd, std::function<void()> fn) {
  auto w = std::make_shared<AsioFdWatcher>(impl_->Next(), fd, std::move(fn));
  w->Arm();
  return w;
}

asio::io_context& EventLoop::context() { return impl_->Next(); }

}  // namespace nimbus::net
