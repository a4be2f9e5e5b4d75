// An HTTP/1.1 server on Boost.Beast. Each connection is one coroutine that
// reads a request, hands it to the Handler and writes the response the
// Handler's Responder delivers (from any thread, now or later), keeping the
// connection alive between requests.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/fs.h"
#include "core/status.h"
#include "net/event_loop.h"
#include "net/http.h"

namespace nimbus::net {

struct HttpServerOptions {
  size_t header_limit = 64 * 1024;          // larger requests get 431
  size_t body_limit = 96 * 1024 * 1024;     // larger bodies: HttpRequest::body_too_large
  std::string server_header = "Nimbus";
  // Renders the response to a request that could not be parsed (400) or whose
  // headers are too large (431), so that each service answers in its own shape.
  std::function<HttpResponse(int status, const std::string& message)> protocol_error;
  // When a request's answer is not ready at once, answers to the requests
  // the client sent before it (pipelined) wait and leave in the same write
  // as this one, instead of going out first. A client that pipelines has
  // shown it does not wait for those answers to go on; the Runtime API's
  // clients send a result together with their next `next`, whose answer (the
  // next event) may be far off, and the result's 202 is of no use to them
  // before it. Saves a write and a wake-up of the client per invocation.
  bool coalesce_answers = false;
};

class HttpServer {
 public:
  HttpServer(EventLoop& loop, Handler handler, HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0 picks a free one) and starts accepting.
  // Returns the bound port.
  Result<int> Listen(const std::string& host, int port);
  // Starts accepting on an already listening socket (for example one created
  // inside a function instance's network namespace).
  Status Adopt(UniqueFd listening_socket);
  // Stops accepting new connections; open ones keep being served.
  void StopAccepting();
  // Stops accepting and closes every connection, including ones whose
  // handler has not answered yet. Safe to call from any thread, more than once.
  void Close();
  // Number of open connections (for tests and health).
  size_t connection_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace nimbus::net
