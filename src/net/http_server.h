// An HTTP/1.1 server on Boost.Beast. Each connection is one coroutine that
// reads a request, hands it to the Handler and writes the response the
// Handler's Responder delivers (from any thread, now or later), keeping the
// connection alive between requests.
//
// Defences against clients that hold the server's memory or descriptors:
// reading and writing have deadlines (waiting for the handler's answer has
// none, so long polls are never cut), the number of connections is capped
// per server, per remote address and across servers, a request's headers
// can be judged (and refused) before its body is read, and an accept that
// fails for want of descriptors is retried after a pause instead of at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/fs.h"
#include "core/status.h"
#include "net/connection_caps.h"
#include "net/event_loop.h"
#include "net/http.h"

namespace nimbus::net {

// What HttpServerOptions::head_filter decides about a request whose method,
// target and headers have been read and whose body has not.
struct HeadVerdict {
  // Set: this is the answer, sent at once; the body is not read (whatever
  // of it arrives is dropped for a few seconds, so that the client sees the
  // answer rather than a reset) and the connection is closed.
  std::optional<HttpResponse> answer;
  // Nonzero and below HttpServerOptions::body_limit: this request's body
  // limit (larger bodies are flagged HttpRequest::body_too_large, unread).
  size_t body_limit = 0;
};

struct HttpServerOptions {
  size_t header_limit = 64 * 1024;       // larger requests get 431
  size_t body_limit = 16 * 1024 * 1024;  // larger bodies: HttpRequest::body_too_large
  std::string server_header = "Nimbus";
  // Renders the response to a request that could not be parsed (400), whose
  // headers are too large (431), or that found the server full (503), so
  // that each service answers in its own shape.
  std::function<HttpResponse(int status, const std::string& message)> protocol_error;
  // When a request's answer is not ready at once, answers to the requests
  // the client sent before it (pipelined) wait and leave in the same write
  // as this one, instead of going out first. A client that pipelines has
  // shown it does not wait for those answers to go on; the Runtime API's
  // clients send a result together with their next `next`, whose answer (the
  // next event) may be far off, and the result's 202 is of no use to them
  // before it. Saves a write and a wake-up of the client per invocation.
  bool coalesce_answers = false;

  // Deadlines; a connection that misses one is closed without an answer.
  // Zero means none. Only the server's own reading and writing are timed:
  // the time a handler takes to answer (a long poll) never is.
  //
  // A new connection's first request must have sent its headers within
  // header_timeout of the accept.
  std::chrono::milliseconds header_timeout{10'000};
  // Between requests of a kept-alive connection: the next request's first
  // bytes must come within idle_timeout of the previous answer, and its
  // headers within header_timeout of those first bytes.
  std::chrono::milliseconds idle_timeout{60'000};
  // A body must have arrived within body_timeout plus one second per
  // body_min_rate bytes of its declared Content-Length, counted from the end
  // of its headers: a total bound that grows with the size (60 s + 50 s for
  // 50 MB by default). A chunked body has body_timeout alone.
  std::chrono::milliseconds body_timeout{60'000};
  size_t body_min_rate = 1024 * 1024;  // bytes per second; 0: body_timeout alone
  // Each write of answers must be taken by the client within write_timeout.
  std::chrono::milliseconds write_timeout{60'000};

  // Connection caps; 0 means no cap. Past a cap, the new connection is sent
  // a 503 (protocol_error's shape, Connection: close) in one non-blocking
  // write and closed at once: a client learns why and may retry, and the
  // refusal costs the server no waiting.
  size_t max_connections = 1024;                        // this server, over all its listeners
  size_t max_connections_per_peer = 256;                // per remote IP address
  std::shared_ptr<ConnectionBudget> connection_budget;  // shared by several servers
  // After an accept fails (out of descriptors, above all), the next one
  // waits this long instead of spinning on the connection still queued.
  std::chrono::milliseconds accept_backoff{100};

  // Called with each accepted socket (still in its listen queue's order)
  // before anything is read from it: false closes it at once, unanswered.
  // Runs on the accepting thread; keep it short.
  std::function<bool(int fd)> accept_filter;
  // Called once a request's line and headers are read and before its body
  // is (HttpRequest::body is empty): may answer at once without reading the
  // body, or lower this request's body limit. Runs on the connection's
  // thread, for every request.
  std::function<HeadVerdict(const HttpRequest&)> head_filter;
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
  // Accepts that failed (for want of descriptors, above all) and connections
  // refused for a cap, since the server started (for tests and health).
  size_t accept_failures() const;
  size_t refused_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace nimbus::net
