#include "net/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <unordered_set>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace nimbus::net {
namespace {

using ResponseChannel =
    asio::experimental::concurrent_channel<void(boost::system::error_code, HttpResponse)>;

struct Session {
  explicit Session(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::shared_ptr<ResponseChannel> pending;  // where Responders deliver; reused per request
};

bool HasBody(int status) {
  return status / 100 != 1 && status != 204 && status != 304;
}

HttpRequest ToRequest(bhttp::request_parser<bhttp::string_body>& parser, const std::string& peer) {
  auto& msg = parser.get();
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.SplitTarget();
  req.headers.reserve(8);
  for (const auto& field : msg) {
    req.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  req.peer = peer;
  return req;
}

// A line break or NUL, which would split or end the header block.
bool Forbidden(std::string_view text) {
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

// The bytes of a response: status line and header block in `head`, the body
// left in `r.body` (written from there, not copied). The server frames the
// message itself: any Content-Length, Transfer-Encoding or Connection header
// a handler set is replaced, and a header whose name or value holds a line
// break is dropped rather than let it split the header block.
std::string ResponseHead(const HttpResponse& r, unsigned version, const std::string& server,
                         bool keep_alive) {
  std::string head;
  head.reserve(256);
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(r.status);
  head += ' ';
  head += std::string_view(
      bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(r.status))));
  head += "\r\n";
  bool has_server = false;
  for (const auto& h : r.headers) {
    if (beast::iequals(h.name, "content-length") || beast::iequals(h.name, "transfer-encoding") ||
        beast::iequals(h.name, "connection") || h.name.empty() || Forbidden(h.name) ||
        Forbidden(h.value)) {
      continue;
    }
    if (beast::iequals(h.name, "server")) has_server = true;
    head += h.name;
    head += ": ";
    head += h.value;
    head += "\r\n";
  }
  if (!has_server && !server.empty()) {
    head += "Server: ";
    head += server;
    head += "\r\n";
  }
  if (version == 10 && keep_alive) head += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) head += "Connection: close\r\n";
  if (HasBody(r.status)) {
    head += "Content-Length: ";
    head += std::to_string(r.body.size());
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

// What a connection's read buffer holds before its first read.
constexpr size_t kReadBufferBytes = 4096;

// Responses serialised and not yet written, in order. Responses that are
// ready together (a pipelined request answered at once) leave in one write.
struct Outbox {
  std::vector<std::string> parts;
  void Add(HttpResponse&& r, unsigned version, const std::string& server, bool keep_alive) {
    parts.push_back(ResponseHead(r, version, server, keep_alive));
    if (HasBody(r.status) && !r.body.empty()) parts.push_back(std::move(r.body));
  }
  bool empty() const { return parts.empty(); }
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(EventLoop& l, Handler h, HttpServerOptions o)
      : loop(l), handler(std::move(h)), options(std::move(o)) {}

  EventLoop& loop;
  Handler handler;
  HttpServerOptions options;
  mutable std::mutex mu;
  bool closed = false;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
  std::unordered_set<std::shared_ptr<Session>> sessions;

  void StartAccepting(std::shared_ptr<tcp::acceptor> acceptor) {
    acceptor->async_accept(
        loop.context(),  // each connection lives on one thread
        [self = shared_from_this(), acceptor](boost::system::error_code ec, tcp::socket socket) {
          if (ec) {
            if (ec == asio::error::operation_aborted) return;
            spdlog::debug("accept failed: {}", ec.message());
          } else {
            self->StartSession(std::move(socket));
          }
          std::lock_guard lock(self->mu);
          if (!self->closed) self->StartAccepting(acceptor);
        });
  }

  void StartSession(tcp::socket socket) {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto session = std::make_shared<Session>(std::move(socket));
    {
      std::lock_guard lock(mu);
      if (closed) return;
      sessions.insert(session);
    }
    auto executor = session->socket.get_executor();
    asio::co_spawn(executor, Serve(session),
                   [self = shared_from_this(), session](std::exception_ptr) {
                     std::lock_guard lock(self->mu);
                     self->sessions.erase(session);
                   });
  }

  asio::awaitable<void> Serve(std::shared_ptr<Session> session) {
    // Room for a whole typical request from the first read: the buffer
    // grows only when a read fills it, and the parser takes everything it
    // is given, so a buffer that starts small stays small and a request just
    // over its size (a signed AWS API call is ~600 bytes) costs two reads.
    beast::flat_buffer buffer;
    buffer.reserve(kReadBufferBytes);
    std::string peer;
    {
      boost::system::error_code ec;
      auto ep = session->socket.remote_endpoint(ec);
      if (!ec) peer = ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    Outbox outbox;
    // When the last read ended: requests taken from the buffer without a
    // read of their own arrived no later.
    auto last_read = std::chrono::steady_clock::now();
    while (true) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(options.body_limit);
      parser.eager(true);
      boost::system::error_code ec;
      // A request already received whole (pipelined) is taken from the
      // buffer; otherwise what is ready to send goes out before waiting.
      bool whole = false;
      if (buffer.size() > 0) {
        size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == bhttp::error::need_more) ec = {};
        whole = !ec && parser.is_done();
      }
      if (!whole && !ec) {
        if (!co_await Flush(session, outbox)) co_return;
        co_await bhttp::async_read(session->socket, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
        last_read = std::chrono::steady_clock::now();
      }
      bool too_large = false;
      if (ec == bhttp::error::body_limit) {
        too_large = true;
      } else if (ec == bhttp::error::header_limit) {
        if (co_await Flush(session, outbox)) {
          co_await WriteError(session, 431,
                              "Request header fields too large (the limit is " +
                                  std::to_string(options.header_limit / 1024) + " KB)");
        }
        co_return;
      } else if (ec) {
        if (!co_await Flush(session, outbox)) co_return;
        if (ec != bhttp::error::end_of_stream && ec != asio::error::eof &&
            ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
            ec != bhttp::error::partial_message) {
          co_await WriteError(session, 400, "Malformed HTTP request: " + ec.message());
        }
        co_return;
      }
      unsigned version = parser.get().version();
      bool keep_alive = parser.get().keep_alive() && !too_large;
      HttpRequest req = ToRequest(parser, peer);
      req.received_at = last_read;
      req.body_too_large = too_large;
      if (!too_large) req.body = std::move(parser.get().body());

      // One channel per connection, reused: a request's answer always arrives
      // before the next request is read.
      if (!session->pending) {
        session->pending = std::make_shared<ResponseChannel>(session->socket.get_executor(), 1);
      }
      auto channel = session->pending;
      try {
        handler(std::move(req), [channel](HttpResponse r) {
          channel->try_send(boost::system::error_code{}, std::move(r));
        });
      } catch (const std::exception& e) {
        spdlog::error("handler threw: {}", e.what());
        channel->try_send(boost::system::error_code{},
                          HttpResponse::Text(500, "Internal Server Error"));
      }
      HttpResponse response;
      bool answered = channel->try_receive(
          [&](boost::system::error_code, HttpResponse r) { response = std::move(r); });
      if (!answered) {
        // Answers to earlier pipelined requests wait, when so configured, to
        // leave together with this one.
        if (!options.coalesce_answers && !co_await Flush(session, outbox)) co_return;
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

  // Writes what the outbox holds; false when the connection failed.
  asio::awaitable<bool> Flush(std::shared_ptr<Session> session, Outbox& outbox) {
    if (outbox.empty()) co_return true;
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(outbox.parts.size());
    for (const auto& part : outbox.parts) buffers.push_back(asio::buffer(part));
    boost::system::error_code ec;
    co_await asio::async_write(session->socket, buffers,
                               asio::redirect_error(asio::use_awaitable, ec));
    outbox.parts.clear();
    co_return !ec;
  }

  // After refusing a body the client is still sending, reads and drops what
  // it sends for a while before closing: closing a socket with unread data
  // resets the connection, and the client would lose the answer.
  asio::awaitable<void> DrainUnread(std::shared_ptr<Session> session) {
    asio::steady_timer timer(session->socket.get_executor());
    timer.expires_after(std::chrono::seconds(5));
    timer.async_wait([session](boost::system::error_code e) {
      if (!e) {
        boost::system::error_code ignored;
        session->socket.cancel(ignored);
      }
    });
    std::vector<char> scratch(64 * 1024);
    size_t drained = 0;
    boost::system::error_code ec;
    while (!ec && drained < 256 * 1024 * 1024) {
      drained += co_await session->socket.async_read_some(
          asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    }
    timer.cancel();
  }

  asio::awaitable<void> WriteError(std::shared_ptr<Session> session, int status, std::string text) {
    HttpResponse r = options.protocol_error ? options.protocol_error(status, text)
                                            : HttpResponse::Text(status, text);
    Outbox outbox;
    outbox.Add(std::move(r), 11, options.server_header, /*keep_alive=*/false);
    if (co_await Flush(session, outbox)) {
      boost::system::error_code ec;
      session->socket.shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  void CloseAll() {
    std::vector<std::shared_ptr<tcp::acceptor>> accs;
    std::vector<std::shared_ptr<Session>> sess;
    {
      std::lock_guard lock(mu);
      if (closed) return;
      closed = true;
      accs.swap(acceptors);
      sess.assign(sessions.begin(), sessions.end());
    }
    for (auto& a : accs) {
      asio::post(a->get_executor(), [a] {
        boost::system::error_code ec;
        a->close(ec);
      });
    }
    for (auto& s : sess) {
      asio::post(s->socket.get_executor(), [s] {
        boost::system::error_code ec;
        s->socket.shutdown(tcp::socket::shutdown_both, ec);
        s->socket.close(ec);
        if (s->pending) s->pending->close();
      });
    }
  }
};

HttpServer::HttpServer(EventLoop& loop, Handler handler, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(handler), std::move(options))) {}

HttpServer::~HttpServer() {
  Close();
}

Result<int> HttpServer::Listen(const std::string& host, int port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgument("bad listen address " + host + ": " + ec.message());
  auto acceptor = std::make_shared<tcp::acceptor>(asio::make_strand(impl_->loop.context()));
  tcp::endpoint ep(address, static_cast<unsigned short>(port));
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(Code::kUnavailable,
                  "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  int bound = acceptor->local_endpoint().port();
  {
    std::lock_guard lock(impl_->mu);
    impl_->acceptors.push_back(acceptor);
  }
  impl_->StartAccepting(acceptor);
  return bound;
}

Status HttpServer::Adopt(UniqueFd listening_socket) {
  auto acceptor = std::make_shared<tcp::acceptor>(asio::make_strand(impl_->loop.context()));
  boost::system::error_code ec;
  acceptor->assign(tcp::v4(), listening_socket.get(), ec);
  if (ec) return Internal("cannot adopt listening socket: " + ec.message());
  listening_socket.Release();
  {
    std::lock_guard lock(impl_->mu);
    impl_->acceptors.push_back(acceptor);
  }
  impl_->StartAccepting(acceptor);
  return Status::Ok();
}

void HttpServer::Close() {
  impl_->CloseAll();
}

void HttpServer::StopAccepting() {
  std::vector<std::shared_ptr<tcp::acceptor>> accs;
  {
    std::lock_guard lock(impl_->mu);
    accs.swap(impl_->acceptors);
  }
  for (auto& a : accs) {
    asio::post(a->get_executor(), [a] {
      boost::system::error_code ec;
      a->close(ec);
    });
  }
}

size_t HttpServer::connection_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

}  // namespace nimbus::net
