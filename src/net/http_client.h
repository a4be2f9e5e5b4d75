// A small blocking HTTP/1.1 client (keep-alive, one connection) for the CLI,
// tests and benchmarks. Not for the server's hot path.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/status.h"
#include "net/http.h"

namespace nimbus::net {

class HttpClient {
 public:
  HttpClient(std::string host, int port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `req` (method, target, headers, body; Host and Content-Length are
  // added when absent) and reads the whole response. Reconnects once if a
  // kept-alive connection turns out to be closed.
  Result<HttpResponse> Send(const HttpRequest& req,
                            std::chrono::milliseconds timeout = std::chrono::seconds(60));

  const std::string& host() const { return host_; }
  int port() const { return port_; }

 private:
  struct Impl;
  std::string host_;
  int port_;
  std::unique_ptr<Impl> impl_;
};

// Splits "http://host:port[/...]" into host and port; only plain http.
Result<std::pair<std::string, int>> ParseHttpEndpoint(const std::string& url);

}  // namespace nimbus::net
