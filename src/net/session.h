// One connection of HttpServer and the deadline of what it is reading or
// writing. Internal to src/net (it includes Asio).
//
// The deadline lives in `deadline`; setting it is a store, not a timer
// operation. The connection's one timer is armed for the deadline when no
// wait is pending or when the new deadline is earlier than the pending one;
// when it fires it compares the deadline then current and either ends the
// connection's I/O or waits again. A connection answering many requests so
// touches its timer about once per timeout, not once per request.
#pragma once

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "net/connection_caps.h"
#include "net/http.h"

namespace nimbus::net {

using Clock = std::chrono::steady_clock;
using ResponseChannel =
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code, HttpResponse)>;

constexpr Clock::time_point kNever = Clock::time_point::max();

// `timeout` after `from`, or never for a zero timeout.
inline Clock::time_point Deadline(Clock::time_point from, std::chrono::milliseconds timeout) {
  return timeout.count() > 0 ? from + timeout : kNever;
}

// Its socket, timer and fields are used only from the connection's thread
// (the io_context its socket belongs to).
struct Session {
  Session(boost::asio::ip::tcp::socket s, PeerKey key, std::string p)
      : socket(std::move(s)), timer(socket.get_executor()), peer_key(key), peer(std::move(p)) {}
  boost::asio::ip::tcp::socket socket;
  boost::asio::steady_timer timer;
  PeerKey peer_key;
  std::string peer;                          // "ip:port"
  Clock::time_point deadline = kNever;       // of the read or write under way
  Clock::time_point armed_for = kNever;      // when the timer's pending wait ends
  uint32_t timer_generation = 0;             // tells a superseded wait's wake-up
  bool timed_out = false;                    // a deadline passed and the I/O was cancelled
  std::shared_ptr<ResponseChannel> pending;  // where Responders deliver; reused per request
};

// Sets the deadline of the session's next reads or writes (kNever: none).
// Once it passes, the I/O under way ends with operation_aborted and
// `timed_out` is set.
void SetDeadline(const std::shared_ptr<Session>& s, Clock::time_point deadline);

}  // namespace nimbus::net
