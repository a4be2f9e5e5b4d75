#include "net/http_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

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

bhttp::response<bhttp::string_body> ToBeast(HttpResponse&& r, unsigned version,
                                            const std::string& server) {
  bhttp::response<bhttp::string_body> out;
  out.version(version);
  out.result(static_cast<unsigned>(r.status));
  bool has_server = false;
  for (auto& h : r.headers) {
    if (beast::iequals(h.name, "server")) has_server = true;
    out.insert(h.name, h.value);
  }
  if (!has_server && !server.empty()) out.set(bhttp::field::server, server);
  out.body() = std::move(r.body);
  out.prepare_payload();
  return out;
}

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
    asio::co_spawn(executor, Serve(session), [self = shared_from_this(), session](std::exception_ptr) {
      std::lock_guard lock(self->mu);
      self->sessions.erase(session);
    });
  }

  asio::awaitable<void> Serve(std::shared_ptr<Session> session) {
    beast::flat_buffer buffer;
    std::string peer;
    {
      boost::system::error_code ec;
      auto ep = session->socket.remote_endpoint(ec);
      if (!ec) peer = ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    while (true) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(options.body_limit);
      boost::system::error_code ec;
      co_await bhttp::async_read(session->socket, buffer, parser,
                                 asio::redirect_error(asio::use_awaitable, ec));
      bool too_large = false;
      if (ec == bhttp::error::body_limit) {
        too_large = true;
      } else if (ec == bhttp::error::header_limit) {
        co_await WriteError(session, 431, "Request header fields too large (the limit is " +
                                              std::to_string(options.header_limit / 1024) + " KB)");
        co_return;
      } else if (ec) {
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
      HttpResponse response =
          co_await channel->async_receive(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;  // closed while waiting
      if (response.close) keep_alive = false;
      auto out = ToBeast(std::move(response), version, options.server_header);
      out.keep_alive(keep_alive);
      co_await bhttp::async_write(session->socket, out,
                                  asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !keep_alive) {
        session->socket.shutdown(tcp::socket::shutdown_send, ec);
        if (too_large && !ec) co_await DrainUnread(session);
        co_return;
      }
    }
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

  asio::awaitable<void> WriteError(std::shared_ptr<Session> session, int status,
                                   std::string text) {
    HttpResponse r = options.protocol_error ? options.protocol_error(status, text)
                                            : HttpResponse::Text(status, text);
    auto out = ToBeast(std::move(r), 11, options.server_header);
    out.keep_alive(false);
    boost::system::error_code ec;
    co_await bhttp::async_write(session->socket, out,
                                asio::redirect_error(asio::use_awaitable, ec));
    session->socket.shutdown(tcp::socket::shutdown_send, ec);
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

HttpServer::~HttpServer() { Close(); }

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

void HttpServer::Close() { impl_->CloseAll(); }

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
