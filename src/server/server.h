// The composition root of `nimbus serve`: opens the data directory, wires the
// production implementations of every layer together, serves the AWS
// endpoint, and shuts everything down in order. The one place that knows all
// the pieces.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/platform.h"
#include "core/status.h"

namespace nimbus::server {

struct ServerOptions {
  std::string data_dir = ".nimbus";
  std::string host = "127.0.0.1";
  int api_port = kDefaultApiPort;
  int gateway_port = kDefaultGatewayPort;  // 0: any free port; -1: no gateway
  int gateway_timeout_ms = 30000;  // API Gateway's integration timeout
  int threads = 2;  // I/O threads of the AWS endpoint (tables, functions' control plane, ...)
  // I/O threads of the gateway, the instances' Runtime API and the invoker.
  // A gateway request is answered by an instance; when both connections sit
  // on one thread, the request never changes threads, and on a small machine
  // that saves more than a second thread gives.
  int function_threads = 1;
  bool dev_credentials = false;
  bool allow_weak_isolation = false;
  int account_concurrency = lambda_limits::kDefaultAccountConcurrency;
  int keep_alive_s = 300;
  // See invoker::InvokerOptions::scale_out_delay; -1: adaptive.
  int scale_out_delay_ms = -1;
  // See invoker::InvokerOptions::max_concurrent_starts; -1: two per CPU core.
  int max_concurrent_starts = -1;
  std::string function_network = "none";  // "none" or "host"
  std::string runtimes_dir;               // empty: next to the binary
  std::string region{kDefaultRegion};
  std::string account_id{kDefaultAccountId};
  int shutdown_grace_s = lambda_limits::kMaxTimeoutSeconds;  // the longest a function may run
};

class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options);
  ~Server();

  // Stops accepting, lets in-flight invocations finish or time out, kills
  // every instance and closes the store. Idempotent.
  void Stop();
  int api_port() const;
  int gateway_port() const;  // 0 when the gateway is off
  std::string endpoint() const;
  std::string gateway_url() const;
  // Sees every function log line as it is written (`nimbus dev`).
  void SetLogTap(std::function<void(const std::string& group, const std::string& stream,
                                    int64_t timestamp_ms, const std::string& message)> tap);

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Finds the runtimes/ folder: beside the binary's directory (a build tree or
// an install prefix), else /usr/share/nimbus/runtimes.
std::string DefaultRuntimesDir();

}  // namespace nimbus::server
