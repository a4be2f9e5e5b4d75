// Fuzzes the HTTP request reader: the bytes a client sends on one
// connection, parsed into net::HttpRequest values as net::HttpServer does.
//
// The server's reader is its per-connection coroutine in
// src/net/http_server.cc, private and bound to a socket, so this target
// drives the same Boost.Beast request parser the same way, without one: the
// request line and headers first (not eager, no body limit yet), then, unless
// the declared length is over HttpServerOptions::body_limit, the body with
// that limit; several pipelined requests per connection; each request built
// as the server builds it. Then it runs what every request meets next:
// HttpRequest's header and query accessors and ParseSigV4. (A server's
// head_filter, which may lower the body limit, is not modelled.)
//
// The first input byte sets how many bytes each simulated read delivers
// (0: all at once), so requests split at every point are covered.
#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "net/http.h"
#include "net/http_server.h"

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace nimbus::net {
namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// The request as the server builds it once the headers are in.
HttpRequest RequestOf(const bhttp::request_parser<bhttp::string_body>& parser) {
  const auto& msg = parser.get();
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.SplitTarget();
  for (const auto& field : msg) {
    req.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  req.peer = "127.0.0.1:1";
  return req;
}

void Exercise(const HttpRequest& req, const HttpServerOptions& options) {
  Check(req.body.size() <= options.body_limit);
  Check(req.path.size() + req.query.size() <= req.target.size());
  for (const Header& h : req.headers) {
    Check(h.value.find_first_of("\r\n") == std::string::npos);
    Check(req.FindHeader(h.name) != nullptr);
  }
  req.HeaderOr("Host");
  req.Query("X-Amz-Algorithm");
  for (const auto& [name, value] : req.QueryParams()) req.Query(name);
  Result<aws::SigV4Auth> auth = aws::ParseSigV4(req);
  if (auth.ok()) aws::CanonicalRequest(req, *auth, auth->service == "s3");
}

void FuzzOne(std::string_view input) {
  if (input.empty()) return;
  const size_t step = static_cast<unsigned char>(input[0]) == 0
                          ? input.size()
                          : static_cast<unsigned char>(input[0]);
  input.remove_prefix(1);
  const HttpServerOptions options;  // the server's defaults
  beast::flat_buffer buffer;
  // Appends the next simulated read to the buffer; false at end of stream.
  auto read = [&] {
    if (input.empty()) return false;
    size_t n = std::min(step, input.size());
    auto dest = buffer.prepare(n);
    std::memcpy(dest.data(), input.data(), n);
    buffer.commit(n);
    input.remove_prefix(n);
    return true;
  };
  using Parser = bhttp::request_parser<bhttp::string_body>;
  // Feeds the buffer to the parser, reading more until `done`; false when
  // the connection ends first or the parser fails (the error in `ec`).
  auto parse_until = [&](Parser& parser, auto done, boost::system::error_code& ec) {
    while (!done()) {
      if (buffer.size() > 0) {
        size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec && ec != bhttp::error::need_more) return false;
        ec = {};
        if (done() || (used > 0 && buffer.size() > 0)) continue;
      }
      if (!read()) return false;
    }
    return true;
  };
  for (int requests = 0; requests < 64; ++requests) {
    Parser parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(boost::none);
    parser.eager(false);
    boost::system::error_code ec;
    if (!parse_until(
            parser, [&] { return parser.is_header_done(); }, ec))
      return;
    bool keep_alive = parser.get().keep_alive();
    HttpRequest req = RequestOf(parser);
    auto length = parser.content_length();
    bool too_large = length && *length > options.body_limit;
    if (!too_large && !parser.is_done()) {
      parser.body_limit(options.body_limit);
      parser.eager(true);
      if (!parse_until(
              parser, [&] { return parser.is_done(); }, ec)) {
        if (ec != bhttp::error::body_limit) return;  // answered with 400 and closed
        too_large = true;
      }
    }
    // A body over the limit: the request goes on without it, flagged, and
    // the connection closes after the answer.
    req.body_too_large = too_large;
    if (!too_large) req.body = std::move(parser.get().body());
    Exercise(req, options);
    if (too_large || !keep_alive) return;
  }
}

}  // namespace
}  // namespace nimbus::net

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nimbus::net::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
