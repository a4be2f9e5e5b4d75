#include "net/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "core/strings.h"
#include "net/beast_response.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace nimbus::net {

struct HttpClient::Impl {
  asio::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(std::string host, int port)
    : host_(std::move(host)), port_(port), impl_(std::make_unique<Impl>()) {}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Send(const HttpRequest& req, std::chrono::milliseconds timeout) {
  bhttp::request<bhttp::string_body> out;
  out.version(11);
  out.method_string(req.method);
  out.target(req.target);
  bool has_host = false;
  for (const auto& h : req.headers) {
    if (EqualsIgnoreCase(h.name, "host")) has_host = true;
    out.insert(h.name, h.value);
  }
  if (!has_host) out.set(bhttp::field::host, host_ + ":" + std::to_string(port_));
  out.body() = req.body;
  out.prepare_payload();
  out.keep_alive(true);

  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = false;
    boost::system::error_code ec;
    if (!impl_->stream) {
      impl_->stream = std::make_unique<beast::tcp_stream>(impl_->ioc);
      impl_->buffer.clear();
      asio::ip::tcp::resolver resolver(impl_->ioc);
      auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
      if (ec) return Status(Code::kUnavailable, "cannot resolve " + host_ + ": " + ec.message());
      impl_->stream->expires_after(timeout);
      impl_->stream->async_connect(endpoints, [&](boost::system::error_code e, auto) { ec = e; });
      impl_->ioc.restart();
      impl_->ioc.run();
      if (ec) {
        impl_->stream.reset();
        return Status(Code::kUnavailable, "cannot connect to " + host_ + ":" +
                                              std::to_string(port_) + ": " + ec.message());
      }
      impl_->stream->socket().set_option(asio::ip::tcp::no_delay(true), ec);
      fresh = true;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1024ull * 1024 * 1024);
    impl_->stream->expires_after(timeout);
    bhttp::async_write(*impl_->stream, out, [&](boost::system::error_code e, size_t) {
      ec = e;
      if (ec) return;
      bhttp::async_read(*impl_->stream, impl_->buffer, parser,
                        [&](boost::system::error_code e2, size_t) { ec = e2; });
    });
    impl_->ioc.restart();
    impl_->ioc.run();
    if (ec) {
      impl_->stream.reset();
      bool retryable = !fresh && (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                                  ec == asio::error::connection_reset ||
                                  ec == asio::error::broken_pipe);
      if (retryable) continue;
      if (ec == beast::error::timeout) return Status(Code::kTimeout, "request timed out");
      return Status(Code::kUnavailable, "HTTP request failed: " + ec.message());
    }
    bool keep_alive = parser.get().keep_alive();
    HttpResponse resp = FromBeast(parser.release());
    if (!keep_alive) impl_->stream.reset();
    return resp;
  }
  return Status(Code::kUnavailable, "HTTP request failed: connection closed");
}

HttpResponse FromBeast(bhttp::response<bhttp::string_body>&& msg) {
  HttpResponse resp;
  resp.status = static_cast<int>(msg.result_int());
  for (const auto& field : msg) {
    resp.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  resp.body = std::move(msg.body());
  return resp;
}

Result<std::pair<std::string, int>> ParseHttpEndpoint(const std::string& url) {
  std::string_view rest(url);
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.find("://") != std::string_view::npos) {
    return InvalidArgument("only http:// endpoints are supported: " + url);
  }
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) rest = rest.substr(0, slash);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return std::make_pair(std::string(rest), 80);
  long long port = 0;
  if (!ParseInt64(rest.substr(colon + 1), &port) || port <= 0 || port > 65535) {
    return InvalidArgument("bad port in endpoint " + url);
  }
  return std::make_pair(std::string(rest.substr(0, colon)), static_cast<int>(port));
}

}  // namespace nimbus::net
