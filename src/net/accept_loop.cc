#include "net/accept_loop.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace nimbus::net {
namespace {

namespace asio = boost::asio;

bool OutOfDescriptors(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

}  // namespace

AcceptLoop::AcceptLoop(EventLoop& loop, asio::ip::tcp::acceptor acceptor,
                       std::chrono::milliseconds backoff,
                       std::shared_ptr<std::atomic<size_t>> failures,
                       std::function<void(Socket)> on_accept)
    : loop_(loop),
      acceptor_(std::move(acceptor)),
      timer_(acceptor_.get_executor()),
      backoff_(backoff),
      failures_(std::move(failures)),
      on_accept_(std::move(on_accept)) {}

void AcceptLoop::Start() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->Accept(); });
}

void AcceptLoop::Close() {
  closed_ = true;
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->timer_.cancel();
  });
}

void AcceptLoop::Accept() {
  if (closed_) return;
  acceptor_.async_accept(loop_.context(),  // each connection lives on one thread
                         [self = shared_from_this()](boost::system::error_code ec, Socket socket) {
                           if (ec == asio::error::operation_aborted) return;
                           if (ec) return self->Backoff(ec);
                           if (self->failures_in_burst_ > 0) {
                             spdlog::info("accepting connections again after {} failed accepts",
                                          self->failures_in_burst_);
                             self->failures_in_burst_ = 0;
                           }
                           self->on_accept_(std::move(socket));
                           self->Accept();
                         });
}

void AcceptLoop::Backoff(const boost::system::error_code& ec) {
  failures_->fetch_add(1, std::memory_order_relaxed);
  if (failures_in_burst_++ == 0) {
    spdlog::log(OutOfDescriptors(ec) ? spdlog::level::warn : spdlog::level::info,
                "accept failed ({}); retrying every {} ms until it works", ec.message(),
                backoff_.count());
  }
  timer_.expires_after(backoff_);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code e) {
    if (!e) self->Accept();
  });
}

}  // namespace nimbus::net
