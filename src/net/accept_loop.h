// Accepts connections on one listening socket for HttpServer. Internal to
// src/net (it includes Asio).
//
// An accept that fails (out of descriptors, above all: EMFILE, ENFILE)
// leaves the connection in the listen queue, so the socket stays readable
// and accepting again at once would spin. The next attempt waits `backoff`
// instead; a burst of failures is logged once, and again when accepts work.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "net/event_loop.h"

namespace nimbus::net {

class AcceptLoop : public std::enable_shared_from_this<AcceptLoop> {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  // `acceptor` listens and runs on a strand; each accepted socket belongs to
  // one of `loop`'s contexts (round robin) and goes to `on_accept`, called
  // on the acceptor's strand. Failed accepts are counted in `failures`.
  AcceptLoop(EventLoop& loop, boost::asio::ip::tcp::acceptor acceptor,
             std::chrono::milliseconds backoff, std::shared_ptr<std::atomic<size_t>> failures,
             std::function<void(Socket)> on_accept);

  void Start();
  // Stops accepting and closes the listening socket. From any thread.
  void Close();

 private:
  void Accept();
  void Backoff(const boost::system::error_code& ec);

  EventLoop& loop_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer timer_;
  const std::chrono::milliseconds backoff_;
  std::shared_ptr<std::atomic<size_t>> failures_;
  std::function<void(Socket)> on_accept_;
  std::atomic<bool> closed_{false};
  size_t failures_in_burst_ = 0;  // on the strand: failed accepts since the last that worked
};

}  // namespace nimbus::net
