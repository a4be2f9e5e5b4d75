// The HTTP gateway: serves every deployed service's HTTP API and REST API on
// one port, as API Gateway would. A request finds its API by host name
// (`<api>.localhost`), by path prefix (`/_api/<api>/...`), or — for the root
// service — directly; then its route; passes throttles, API keys and the
// route's authorizer; becomes an event; invokes the function; and the result
// becomes the response by API Gateway's mapping rules.
//
// API configurations are kept in the store and reloaded at start; a stored
// API key whose value derives from the public development secret gets a
// random value then.
//
// Ownership: the server owns the gateway. It borrows the store, the event
// loop (its integration-timeout timer) and whatever `invoke` reaches (the
// triggers layer's FunctionInvoker); all must outlive it. Destroy it only
// after the HTTP server calling Handle is closed and the invocations it
// started have ended (the server shuts the invoker down first): a Lambda
// authorizer's answer calls back into the gateway.
//
// Threads: Load is called once, on the starting thread, before serving.
// Handle is called on the gateway HTTP server's I/O threads; Put, Delete,
// Get and List on any thread (the AWS endpoint's, for the /nimbus admin
// API). One reader-writer lock guards the deployed APIs: Handle and the
// readers share it; Put and Delete hold it exclusively across their synced
// store write, so requests arriving meanwhile wait for that write.
// A request's `respond` runs exactly once, on whichever thread ends it: the
// thread calling Handle (refusals, also from cached authorizer results; a
// function that cannot be found), the invoker's threads (a function's
// answer), the JWT key fetcher's thread, or `loop` (the integration
// timeout's 504; a late answer is then dropped).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/platform.h"
#include "core/status.h"
#include "gateway/api_config.h"
#include "invoker/invocation.h"
#include "net/event_loop.h"
#include "net/http.h"
#include "store/kv_store.h"

namespace nimbus::gateway {

class Authorizers;
class RateLimiter;
struct EventInput;

// Runs function `name` with `payload`; the gateway's only way to functions.
// Called on the thread the request is being handled on (the HTTP server's,
// or the one an authorizer answered on); `done` runs exactly once, on that
// thread before the call returns or later on another.
using InvokeFunction =
    std::function<void(const std::string& name, std::string payload, invoker::InvokeCallback done)>;

struct GatewayOptions {
  Platform platform;  // the account and region of events and execute-api ARNs
  std::chrono::milliseconds integration_timeout{30000};
};

// One deployed API as the gateway serves it.
struct ApiInfo {
  std::string id;
  bool root = false;
  std::vector<std::string> routes;  // "GET /users/{id}" (HTTP API) or "REST GET /dev/users/{id}"
};

class Gateway {
 public:
  Gateway(store::KvStore& store, net::EventLoop& loop, InvokeFunction invoke,
          GatewayOptions options = {});
  ~Gateway();

  // Loads the stored APIs; call once before serving.
  Status Load();

  // Creates or replaces an API. `root` puts it at the gateway's root (the
  // previous root keeps its host and prefix addresses); the first API
  // deployed becomes the root by default. API keys without a value keep the
  // value the deployed API has for them, or get a random one (api_keys.h).
  Result<ApiInfo> Put(ApiConfig config, std::optional<bool> root);
  Status Delete(const std::string& id);
  Result<ApiConfig> Get(const std::string& id) const;
  std::vector<ApiInfo> List() const;

  void Handle(net::HttpRequest&& req, net::Responder respond);

 private:
  struct Api;
  struct Call;
  struct Timeouts;

  std::shared_ptr<const Api> Resolve(const net::HttpRequest& req, std::string* path) const;
  void Dispatch(std::shared_ptr<const Api> api, net::HttpRequest&& req, std::string path,
                net::Responder respond);
  void InvokeRoute(std::shared_ptr<Call> call);
  ApiInfo InfoLocked(const Api& api) const;
  void IndexLocked(const std::shared_ptr<const Api>& api);
  void UnindexLocked(const Api& api);
  Result<std::shared_ptr<const Api>> Compile(ApiConfig config) const;

  store::KvStore& store_;
  net::EventLoop& loop_;
  InvokeFunction invoke_;
  GatewayOptions options_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<Authorizers> authorizers_;
  std::shared_ptr<Timeouts> timeouts_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const Api>> apis_;  // by id
  // By the first label of a Host: the lower-cased API id and the HTTP and
  // REST API ids.
  std::map<std::string, std::shared_ptr<const Api>> by_host_;
  std::string root_;
};

}  // namespace nimbus::gateway
