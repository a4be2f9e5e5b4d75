#include "net/http_server.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <unordered_set>

#include "net/accept_loop.h"
#include "net/outbox.h"
#include "net/session.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace nimbus::net {
namespace {

using RequestParser = bhttp::request_parser<bhttp::string_body>;

PeerKey KeyOf(const asio::ip::address& address) {
  auto v6 = address.is_v4() ? asio::ip::make_address_v6(asio::ip::v4_mapped, address.to_v4())
                            : address.to_v6();
  auto bytes = v6.to_bytes();
  PeerKey key;
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

// Feeds what the buffer holds to the parser; needing more is not an error.
void Parse(RequestParser& parser, beast::flat_buffer& buffer, boost::system::error_code& ec) {
  size_t used = parser.put(buffer.data(), ec);
  buffer.consume(used);
  if (ec == bhttp::error::need_more) ec = {};
}

// What a connection's read buffer holds before its first read.
constexpr size_t kReadBufferBytes = 4096;

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(EventLoop& l, Handler h, HttpServerOptions o)
      : loop(l), handler(std::move(h)), options(std::move(o)) {
    HttpResponse full =
        options.protocol_error
            ? options.protocol_error(503, "The server has too many connections; try again later")
            : HttpResponse::Text(503, "Too many connections; try again later");
    refusal = ResponseHead(full, 11, options.server_header, /*keep_alive=*/false);
    if (StatusHasBody(full.status)) refusal += full.body;
  }

  EventLoop& loop;
  Handler handler;
  HttpServerOptions options;
  std::string refusal;  // the 503 sent past a connection cap
  std::shared_ptr<std::atomic<size_t>> accept_failures = std::make_shared<std::atomic<size_t>>(0);
  mutable std::mutex mu;
  bool closed = false;
  size_t refused = 0;
  Clock::time_point refusals_logged{};  // refusals are logged at most every 10 s
  std::vector<std::shared_ptr<AcceptLoop>> listeners;
  std::unordered_set<std::shared_ptr<Session>> sessions;
  PeerCounts peers;

  // Counts the connection against the caps, runs the accept filter and
  // starts serving it; or refuses it.
  void Admit(tcp::socket socket) {
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (ec) return;  // gone already
    PeerKey key = KeyOf(ep.address());
    const char* full = nullptr;
    {
      std::lock_guard lock(mu);
      if (closed) return;
      if (options.max_connections != 0 && sessions.size() >= options.max_connections) {
        full = "the server's";
      } else if (!peers.TryAdd(key, options.max_connections_per_peer)) {
        full = "the per-client";
      } else if (options.connection_budget && !options.connection_budget->TryAcquire()) {
        peers.Remove(key);
        full = "the process's";
      }
      if (full) {
        ++refused;
        auto now = Clock::now();
        if (now - refusals_logged >= std::chrono::seconds(10)) {
          refusals_logged = now;
          spdlog::warn(
              "refusing connections ({} so far; the last from {}): {} connection cap "
              "is reached",
              refused, ep.address().to_string(), full);
        }
      }
    }
    if (full) return Refuse(socket);
    if (options.accept_filter && !options.accept_filter(socket.native_handle())) {
      std::lock_guard lock(mu);
      Forget(key);
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto session = std::make_shared<Session>(
        std::move(socket), key, ep.address().to_string() + ":" + std::to_string(ep.port()));
    {
      std::lock_guard lock(mu);
      if (closed) {
        Forget(key);
        return;
      }
      sessions.insert(session);
    }
    auto executor = session->socket.get_executor();
    asio::co_spawn(executor, Serve(session),
                   [self = shared_from_this(), session](std::exception_ptr) {
                     session->timer.cancel();
                     std::lock_guard lock(self->mu);
                     self->sessions.erase(session);
                     self->Forget(session->peer_key);
                   });
  }

  // Gives back what Admit took for a connection from `key`. Under mu.
  void Forget(const PeerKey& key) {
    peers.Remove(key);
    if (options.connection_budget) options.connection_budget->Release();
  }

  // Past a cap: one non-blocking write of the 503, then close. What the
  // client sent already is read first, so that the close is not a reset
  // that would take the 503 with it.
  void Refuse(tcp::socket& socket) {
    int fd = socket.native_handle();
    [[maybe_unused]] ssize_t sent =
        ::send(fd, refusal.data(), refusal.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    char scratch[4096];
    for (int i = 0; i < 4 && ::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0; ++i) {
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  asio::awaitable<void> Serve(std::shared_ptr<Session> session);
  asio::awaitable<bool> Flush(std::shared_ptr<Session> session, Outbox& outbox);
  asio::awaitable<void> DrainUnread(std::shared_ptr<Session> session);
  asio::awaitable<void> EndOnError(std::shared_ptr<Session> session, Outbox& outbox,
                                   boost::system::error_code ec);
  asio::awaitable<void> WriteError(std::shared_ptr<Session> session, Outbox& outbox, int status,
                                   std::string text);

  void CloseAll() {
    std::vector<std::shared_ptr<AcceptLoop>> ls;
    std::vector<std::shared_ptr<Session>> sess;
    {
      std::lock_guard lock(mu);
      if (closed) return;
      closed = true;
      ls.swap(listeners);
      sess.assign(sessions.begin(), sessions.end());
    }
    for (auto& l : ls) l->Close();
    for (auto& s : sess) {
      asio::post(s->socket.get_executor(), [s] {
        boost::system::error_code ec;
        s->socket.shutdown(tcp::socket::shutdown_both, ec);
        s->socket.close(ec);
        if (s->pending) s->pending->close();
      });
    }
  }

  Status AddListener(tcp::acceptor acceptor) {
    auto l = std::make_shared<AcceptLoop>(loop, std::move(acceptor), options.accept_backoff,
                                          accept_failures,
                                          [weak = weak_from_this()](tcp::socket socket) {
                                            if (auto self = weak.lock())
                                              self->Admit(std::move(socket));
                                          });
    {
      std::lock_guard lock(mu);
      if (closed) return Status(Code::kUnavailable, "the server is closed");
      listeners.push_back(l);
    }
    l->Start();
    return Status::Ok();
  }
};

asio::awaitable<void> HttpServer::Impl::Serve(std::shared_ptr<Session> session) {
  // Room for a whole typical request from the first read: the buffer grows
  // only when a read fills it, and the parser takes everything it is given,
  // so a buffer that starts small stays small and a request just over its
  // size (a signed AWS API call is ~600 bytes) costs two reads.
  beast::flat_buffer buffer;
  buffer.reserve(kReadBufferBytes);
  Outbox outbox;
  // When the last read ended: requests taken from the buffer without a
  // read of their own arrived no later.
  auto last_read = Clock::now();
  // The first request's headers are due header_timeout after the accept.
  Clock::time_point header_deadline = Deadline(last_read, options.header_timeout);
  boost::system::error_code ec;
  // One read into the buffer; the end of the stream becomes the parser's
  // error (a request cut short, or none begun).
  auto read = [&](RequestParser& parser) -> asio::awaitable<void> {
    size_t n =
        co_await session->socket.async_read_some(buffer.prepare(beast::read_size(buffer, 65536)),
                                                 asio::redirect_error(asio::use_awaitable, ec));
    buffer.commit(n);
    last_read = Clock::now();
    if (ec == asio::error::eof) {
      ec = parser.got_some() || buffer.size() > 0 ? bhttp::error::partial_message
                                                  : bhttp::error::end_of_stream;
    }
  };
  while (true) {
    RequestParser parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(boost::none);  // chosen once the head filter has seen the headers
    parser.eager(false);             // stop after the headers
    ec = {};
    // The request line and headers. What is ready to send goes out before
    // waiting; a request already received (pipelined) is taken from the
    // buffer without a wait.
    if (buffer.size() > 0) Parse(parser, buffer, ec);
    while (!ec && !parser.is_header_done()) {
      if (!co_await Flush(session, outbox)) co_return;
      if (header_deadline == Clock::time_point{} && (parser.got_some() || buffer.size() > 0)) {
        header_deadline = Deadline(last_read, options.header_timeout);
      }
      SetDeadline(session, header_deadline != Clock::time_point{}
                               ? header_deadline
                               : Deadline(Clock::now(), options.idle_timeout));
      co_await read(parser);
      if (!ec) Parse(parser, buffer, ec);
    }
    header_deadline = {};  // the next request's starts with its first bytes
    if (ec == bhttp::error::header_limit) {
      co_await WriteError(session, outbox, 431,
                          "Request header fields too large (the limit is " +
                              std::to_string(options.header_limit / 1024) + " KB)");
      co_return;
    }
    if (ec) {
      co_await EndOnError(session, outbox, ec);
      co_return;
    }
    unsigned version = parser.get().version();
    bool keep_alive = parser.get().keep_alive();
    HttpRequest req;
    req.method = std::string(parser.get().method_string());
    req.target = std::string(parser.get().target());
    req.SplitTarget();
    req.headers.reserve(8);
    for (const auto& field : parser.get()) {
      req.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    req.peer = session->peer;

    size_t body_limit = options.body_limit;
    if (options.head_filter) {
      HeadVerdict verdict = options.head_filter(req);
      if (verdict.answer) {
        outbox.Add(std::move(*verdict.answer), version, options.server_header, false);
        bool sent = co_await Flush(session, outbox);
        session->socket.shutdown(tcp::socket::shutdown_send, ec);
        if (sent && !parser.is_done()) co_await DrainUnread(session);
        co_return;
      }
      if (verdict.body_limit != 0 && verdict.body_limit < body_limit) {
        body_limit = verdict.body_limit;
      }
    }

    // The body, unless its declared length is over the limit already.
    auto length = parser.content_length();
    bool too_large = length && *length > body_limit;
    if (!too_large && !parser.is_done()) {
      parser.body_limit(body_limit);  // for chunked bodies, checked as they come
      parser.eager(true);
      if (buffer.size() > 0) Parse(parser, buffer, ec);
      Clock::time_point body_deadline{};
      while (!ec && !parser.is_done()) {
        if (!co_await Flush(session, outbox)) co_return;
        if (body_deadline == Clock::time_point{}) {
          body_deadline = Deadline(last_read, options.body_timeout);
          if (length && options.body_min_rate > 0 && body_deadline != kNever) {
            body_deadline += std::chrono::seconds(*length / options.body_min_rate);
          }
        }
        SetDeadline(session, body_deadline);
        co_await read(parser);
        if (!ec) Parse(parser, buffer, ec);
      }
      if (ec == bhttp::error::body_limit) {
        too_large = true;
      } else if (ec) {
        co_await EndOnError(session, outbox, ec);
        co_return;
      }
    }
    // Waiting for the handler is never timed.
    SetDeadline(session, kNever);
    if (too_large) keep_alive = false;
    req.received_at = last_read;
    req.body_too_large = too_large;
    if (!too_large) req.body = std::move(parser.get().body());

    // One channel per connection, reused: a request's answer always arrives
    // before the next request is read.
    if (!session->pending) {
      session->pending = std::make_shared<ResponseChannel>(session->socket.get_executor(), 1);
    }
    auto channel = session->pending;
    // The last guard: handlers answer errors as values (Status), never by
    // throwing. One that throws is a bug, reported loudly with the request
    // that found it (read after the throw, so nothing is copied per request:
    // a handler that moved from it leaves the fields empty, never invalid);
    // the client gets a 500 and the server goes on.
    auto guard = [&](const char* what) {
      spdlog::critical("BUG: the handler of {} {} threw ({}); answered 500. Handlers must "
                       "return errors, not throw them.",
                       req.method, req.target.substr(0, 200), what);
      channel->try_send(boost::system::error_code{},
                        HttpResponse::Text(500, "Internal Server Error"));
    };
    try {
      handler(std::move(req), [channel](HttpResponse r) {
        channel->try_send(boost::system::error_code{}, std::move(r));
      });
    } catch (const std::exception& e) {
      guard(e.what());
    } catch (...) {
      guard("an exception of unknown type");
    }
    HttpResponse response;
    bool answered = channel->try_receive(
        [&](boost::system::error_code, HttpResponse r) { response = std::move(r); });
    if (!answered) {
      // Answers to earlier pipelined requests wait, when so configured, to
      // leave together with this one.
      if (!options.coalesce_answers && !co_await Flush(session, outbox)) co_return;
      SetDeadline(session, kNever);
      response = co_await channel->async_receive(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;  // closed while waiting
    }
    if (response.close) keep_alive = false;
    outbox.Add(std::move(response), version, options.server_header, keep_alive);
    if (!keep_alive) {
      bool sent = co_await Flush(session, outbox);
      session->socket.shutdown(tcp::socket::shutdown_send, ec);
      if (too_large && sent && !ec) co_await DrainUnread(session);
      co_return;
    }
  }
}

// Writes what the outbox holds, within the write deadline; false when the
// connection failed or the client did not take it in time.
asio::awaitable<bool> HttpServer::Impl::Flush(std::shared_ptr<Session> session, Outbox& outbox) {
  if (outbox.empty()) co_return true;
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(outbox.parts.size());
  for (const auto& part : outbox.parts) buffers.push_back(asio::buffer(part));
  SetDeadline(session, Deadline(Clock::now(), options.write_timeout));
  boost::system::error_code ec;
  co_await asio::async_write(session->socket, buffers,
                             asio::redirect_error(asio::use_awaitable, ec));
  outbox.parts.clear();
  co_return !ec;
}

// After refusing a body the client is still sending, reads and drops what
// it sends for a while before closing: closing a socket with unread data
// resets the connection, and the client would lose the answer.
asio::awaitable<void> HttpServer::Impl::DrainUnread(std::shared_ptr<Session> session) {
  SetDeadline(session, Clock::now() + std::chrono::seconds(5));
  std::vector<char> scratch(64 * 1024);
  size_t drained = 0;
  boost::system::error_code ec;
  while (!ec && drained < 256 * 1024 * 1024) {
    drained += co_await session->socket.async_read_some(
        asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
  }
}

// Ends a connection whose request could not be read: quietly when the
// client left or missed a deadline, with a 400 when it sent something that
// is not HTTP. Answers to earlier requests still go out first.
asio::awaitable<void> HttpServer::Impl::EndOnError(std::shared_ptr<Session> session, Outbox& outbox,
                                                   boost::system::error_code ec) {
  if (session->timed_out) co_return;
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
    co_await Flush(session, outbox);
  } else {
    co_await WriteError(session, outbox, 400, "Malformed HTTP request: " + ec.message());
  }
}

// Sends what the outbox holds, then the error (in the service's shape), and
// ends the connection's sending side.
asio::awaitable<void> HttpServer::Impl::WriteError(std::shared_ptr<Session> session, Outbox& outbox,
                                                   int status, std::string text) {
  HttpResponse r = options.protocol_error ? options.protocol_error(status, text)
                                          : HttpResponse::Text(status, text);
  outbox.Add(std::move(r), 11, options.server_header, /*keep_alive=*/false);
  if (co_await Flush(session, outbox)) {
    boost::system::error_code ec;
    session->socket.shutdown(tcp::socket::shutdown_send, ec);
  }
}

HttpServer::HttpServer(EventLoop& loop, Handler handler, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(handler), std::move(options))) {}

HttpServer::~HttpServer() {
  Close();
}

Result<int> HttpServer::Listen(const std::string& host, int port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgument("bad listen address " + host + ": " + ec.message());
  tcp::acceptor acceptor(asio::make_strand(impl_->loop.context()));
  tcp::endpoint ep(address, static_cast<unsigned short>(port));
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(Code::kUnavailable,
                  "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  int bound = acceptor.local_endpoint().port();
  RETURN_IF_ERROR(impl_->AddListener(std::move(acceptor)));
  return bound;
}

Status HttpServer::Adopt(UniqueFd listening_socket) {
  tcp::acceptor acceptor(asio::make_strand(impl_->loop.context()));
  boost::system::error_code ec;
  acceptor.assign(tcp::v4(), listening_socket.get(), ec);
  if (ec) return Internal("cannot adopt listening socket: " + ec.message());
  listening_socket.Release();
  return impl_->AddListener(std::move(acceptor));
}

void HttpServer::Close() {
  impl_->CloseAll();
}

void HttpServer::StopAccepting() {
  std::vector<std::shared_ptr<AcceptLoop>> ls;
  {
    std::lock_guard lock(impl_->mu);
    ls.swap(impl_->listeners);
  }
  for (auto& l : ls) l->Close();
}

size_t HttpServer::connection_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

size_t HttpServer::accept_failures() const {
  return impl_->accept_failures->load(std::memory_order_relaxed);
}

size_t HttpServer::refused_connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->refused;
}

}  // namespace nimbus::net
