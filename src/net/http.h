// Plain HTTP/1.1 message types shared by the server, the client and every
// handler. They carry the request exactly as received (raw target, header
// names and values in arrival order) because SigV4 canonicalises from those
// bytes. Nothing here depends on Boost.Beast, so handlers compile without it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nimbus::net {

struct Header {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target: path plus "?query"
  std::string path;    // raw path, still percent-encoded
  std::string query;   // raw query string without '?', still encoded
  std::vector<Header> headers;
  std::string body;
  // The body exceeded the server's hard limit and was not read; `body` is
  // empty. The handler answers with its service's "too large" error and the
  // connection is closed after the response.
  bool body_too_large = false;
  std::string peer;  // "ip:port" of the client
  // When the server had read the whole request (no earlier than the read
  // that brought its last bytes ended); unset for requests made up in code.
  std::chrono::steady_clock::time_point received_at{};

  // First header named `name` (case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;
  std::string HeaderOr(std::string_view name, std::string_view fallback = {}) const;
  // Decoded value of the first query parameter named `name` ('+' stays '+').
  std::optional<std::string> Query(std::string_view name) const;
  // All query parameters, decoded, in order.
  std::vector<std::pair<std::string, std::string>> QueryParams() const;

  // Splits `target` into `path` and `query`.
  void SplitTarget();
};

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;
  std::string body;
  bool close = false;  // close the connection after this response

  // Replaces every header named `name` with one of value `value`.
  void SetHeader(std::string_view name, std::string value);
  const std::string* FindHeader(std::string_view name) const;

  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body);
};

// Delivers the response for one request; callable once, from any thread.
using Responder = std::function<void(HttpResponse)>;
// Handles one request. It may answer inline or later (long polls, invokes).
using Handler = std::function<void(HttpRequest&&, Responder)>;

}  // namespace nimbus::net
