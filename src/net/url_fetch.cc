#include "net/url_fetch.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include "core/strings.h"
#include "net/beast_response.h"

// Asio's TLS layer is compiled in this translation unit, its only user, so
// OpenSSL's headers stay out of the rest of the server.
#include <boost/asio/ssl/impl/src.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace nimbus::net {
namespace {

using Parser = bhttp::response_parser<bhttp::string_body>;

// Writes the request and reads the answer on a connected (and, for TLS,
// handshaken) stream; runs the io_context until done or timed out.
template <typename Stream>
void Exchange(Stream& stream, bhttp::request<bhttp::empty_body>& req, beast::flat_buffer& buffer,
              Parser& parser, boost::system::error_code& ec) {
  bhttp::async_write(stream, req, [&](boost::system::error_code e, size_t) {
    ec = e;
    if (ec) return;
    bhttp::async_read(stream, buffer, parser, [&](boost::system::error_code e2, size_t) { ec = e2; });
  });
}

Status FetchError(const std::string& url, const std::string& step, boost::system::error_code ec) {
  if (ec == beast::error::timeout) return Status(Code::kTimeout, url + ": timed out " + step);
  return Unavailable(url + ": " + step + " failed: " + ec.message());
}

}  // namespace

Result<ParsedUrl> ParseFetchUrl(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return InvalidArgument("not an absolute URL: " + url);
  ParsedUrl out;
  std::string scheme = ToLower(std::string(parsed->scheme()));
  if (scheme == "https") {
    out.tls = true;
  } else if (scheme != "http") {
    return InvalidArgument("only http:// and https:// URLs can be fetched: " + url);
  }
  out.host = std::string(parsed->host_address());
  if (out.host.empty()) return InvalidArgument("the URL has no host: " + url);
  out.port = out.tls ? 443 : 80;
  if (parsed->has_port()) {
    long long port = 0;
    if (!ParseInt64(parsed->port(), &port) || port <= 0 || port > 65535) {
      return InvalidArgument("bad port in URL " + url);
    }
    out.port = static_cast<int>(port);
  }
  out.target = std::string(parsed->encoded_path());
  if (out.target.empty()) out.target = "/";
  if (parsed->has_query()) out.target += "?" + std::string(parsed->encoded_query());
  return out;
}

Result<HttpResponse> FetchUrl(const std::string& url, const FetchOptions& options) {
  ASSIGN_OR_RETURN(ParsedUrl u, ParseFetchUrl(url));
  asio::io_context ioc;
  boost::system::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(u.host, std::to_string(u.port), ec);
  if (ec) return Unavailable(url + ": cannot resolve " + u.host + ": " + ec.message());

  bool default_port = u.port == (u.tls ? 443 : 80);
  bool ipv6 = u.host.find(':') != std::string::npos;
  std::string host_header = (ipv6 ? "[" + u.host + "]" : u.host) +
                            (default_port ? "" : ":" + std::to_string(u.port));
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, u.target, 11};
  req.set(bhttp::field::host, host_header);
  req.set(bhttp::field::user_agent, "Nimbus");
  req.set(bhttp::field::accept, "application/json");
  req.set(bhttp::field::connection, "close");
  Parser parser;
  parser.body_limit(options.max_body_bytes);
  beast::flat_buffer buffer;
  std::string step = "connecting";

  if (!u.tls) {
    beast::tcp_stream stream(ioc);
    stream.expires_after(options.timeout);
    stream.async_connect(endpoints, [&](boost::system::error_code e, const tcp::endpoint&) {
      ec = e;
      if (ec) return;
      step = "requesting";
      Exchange(stream, req, buffer, parser, ec);
    });
    ioc.run();
  } else {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_default_verify_paths(ec);  // honours SSL_CERT_FILE / SSL_CERT_DIR
    if (ec) return Unavailable("cannot load the system's trusted certificates: " + ec.message());
    ctx.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    boost::system::error_code ip_ec;
    asio::ip::make_address(u.host, ip_ec);
    if (ip_ec) SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str());  // SNI: names only
    stream.set_verify_callback(ssl::host_name_verification(u.host));
    beast::get_lowest_layer(stream).expires_after(options.timeout);
    beast::get_lowest_layer(stream).async_connect(
        endpoints, [&](boost::system::error_code e, const tcp::endpoint&) {
          ec = e;
          if (ec) return;
          step = "the TLS handshake";
          stream.async_handshake(ssl::stream_base::client, [&](boost::system::error_code e2) {
            ec = e2;
            if (ec) return;
            step = "requesting";
            Exchange(stream, req, buffer, parser, ec);
          });
        });
    ioc.run();
  }
  // A server that closes without a TLS close_notify after a complete answer
  // is common and harmless: the parser knows the answer was whole.
  if (ec && !(ec == ssl::error::stream_truncated && parser.is_done())) {
    return FetchError(url, step, ec);
  }
  return FromBeast(parser.release());
}

}  // namespace nimbus::net
