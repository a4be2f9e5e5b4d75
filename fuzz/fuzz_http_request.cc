// Fuzzes the HTTP request reader: the bytes a client sends on one
// connection, parsed into net::HttpRequest values as net::HttpServer does.
//
// The server's reader (HttpServer's per-connection loop and its ToRequest)
// is private to src/net/http_server.cc and runs on a socket, so this target
// drives the same Boost.Beast request parser with the server's own settings
// (HttpServerOptions' header and body limits, eager parsing, several
// pipelined requests per buffer) and builds each HttpRequest the way
// ToRequest does; then it runs what every request meets next:
// HttpRequest's header and query accessors and ParseSigV4.
//
// The first input byte sets how many bytes each simulated read delivers
// (0: all at once), so requests split at every point are covered.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
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

// As http_server.cc's ToRequest.
HttpRequest ToRequest(bhttp::request_parser<bhttp::string_body>& parser) {
  auto& msg = parser.get();
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
  for (int requests = 0; requests < 64; ++requests) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(options.body_limit);
    parser.eager(true);
    boost::system::error_code ec;
    while (!parser.is_done()) {
      if (buffer.size() > 0) {
        size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec && ec != bhttp::error::need_more) break;
        ec = {};
        if (parser.is_done() || (used > 0 && buffer.size() > 0)) continue;
      }
      if (!read()) {
        parser.put_eof(ec);
        break;
      }
    }
    // A body over the limit: the request goes on without it, flagged, and
    // the connection closes; any other error is answered and closes it.
    const bool too_large = ec == bhttp::error::body_limit;
    if ((ec && !too_large) || (!too_large && !parser.is_done())) return;
    bool keep_alive = parser.get().keep_alive() && !too_large;
    HttpRequest req = ToRequest(parser);
    req.body_too_large = too_large;
    if (!too_large) req.body = std::move(parser.get().body());
    Exercise(req, options);
    if (!keep_alive) return;
  }
}

}  // namespace
}  // namespace nimbus::net

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nimbus::net::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
