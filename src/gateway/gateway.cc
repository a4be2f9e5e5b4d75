#include "gateway/gateway.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>

#include "core/ids.h"
#include "core/strings.h"
#include "core/time.h"
#include "gateway/api_keys.h"
#include "gateway/authorizer.h"
#include "gateway/cors.h"
#include "gateway/deadline_list.h"
#include "gateway/events.h"
#include "gateway/rate_limiter.h"
#include "gateway/responses.h"
#include "gateway/router.h"
#include "store/keyspace.h"

namespace nimbus::gateway {
namespace {

constexpr std::string_view kApiPrefix = store::keyspace::kApis;
constexpr std::string_view kRootKey = store::keyspace::kApiRoot;
constexpr std::string_view kPathBase = "/_api/";

std::string RouteKey(const RouteConfig& r) {
  return r.path == "$default" ? "$default" : r.method + " " + r.path;
}

}  // namespace

struct Gateway::Api {
  ApiConfig config;
  Router http, rest;
  std::vector<size_t> http_routes, rest_routes;     // router index -> config.routes index
  std::map<std::string, const ApiKeyConfig*> keys;  // by value
  std::map<std::string, const UsagePlanConfig*> plans;
  bool has_rest = false, has_http = false;
};

// One request on its way through the gateway.
struct Gateway::Call : std::enable_shared_from_this<Call> {
  std::shared_ptr<const Api> api;
  net::HttpRequest request;
  const RouteConfig* route = nullptr;
  EventInput event;
  net::Responder respond;
  std::atomic<bool> answered{false};
  // While its function runs, the call waits in the integration-timeout list.
  std::shared_ptr<Timeouts> timeouts;
  DeadlineList<Call>::Hook deadline_hook;

  ~Call();

  void Answer(net::HttpResponse r) {
    if (answered.exchange(true)) return;
    StopClock();
    const bool rest = route ? route->rest : !api->has_http;
    r.headers.push_back({rest ? "x-amzn-RequestId" : "apigw-requestid", event.request_id});
    if (!rest && api->config.http_cors) AddCorsHeaders(*api->config.http_cors, request, r);
    respond(std::move(r));
  }

  void StopClock();
};

// The calls waiting for their functions, and the one timer that answers
// those still waiting at the integration timeout with a 504.
struct Gateway::Timeouts {
  DeadlineList<Call> calls;
  std::mutex mu;  // guards timer
  net::TimerPtr timer;

  // Arms the timer for `deadline`; when it fires it answers the calls that
  // have expired and re-arms itself for the next one, if any.
  static void Arm(const std::shared_ptr<Timeouts>& self, net::EventLoop& loop,
                  DeadlineList<Call>::Clock::time_point deadline) {
    using Clock = DeadlineList<Call>::Clock;
    auto delay = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    std::weak_ptr<Timeouts> weak = self;
    auto timer = loop.After(std::max(delay, std::chrono::milliseconds(0)), [weak, &loop] {
      auto self = weak.lock();
      if (!self) return;
      std::optional<Clock::time_point> next;
      auto expired = self->calls.PopExpired(Clock::now(), &next);
      if (next) Arm(self, loop, *next);
      for (auto& call : expired) call->Answer(GatewayError(504, "Endpoint request timed out"));
    });
    std::lock_guard lock(self->mu);
    self->timer = std::move(timer);
  }
};

Gateway::Call::~Call() {
  StopClock();
}

void Gateway::Call::StopClock() {
  if (timeouts) timeouts->calls.Remove(*this);
}

Gateway::Gateway(store::KvStore& store, net::EventLoop& loop, InvokeFunction invoke,
                 GatewayOptions options)
    : store_(store),
      loop_(loop),
      invoke_(std::move(invoke)),
      options_(std::move(options)),
      limiter_(std::make_unique<RateLimiter>()),
      authorizers_(std::make_unique<Authorizers>(invoke_)),
      timeouts_(std::make_shared<Timeouts>()) {}

Gateway::~Gateway() {
  std::lock_guard lock(timeouts_->mu);
  if (timeouts_->timer) timeouts_->timer->Cancel();
}

Result<std::shared_ptr<const Gateway::Api>> Gateway::Compile(ApiConfig config) const {
  RETURN_IF_ERROR(Validate(config));
  auto api = std::make_shared<Api>();
  api->config = std::move(config);
  for (size_t i = 0; i < api->config.routes.size(); ++i) {
    const RouteConfig& r = api->config.routes[i];
    Router& router = r.rest ? api->rest : api->http;
    RETURN_IF_ERROR(router.Add(r.method, r.path));
    (r.rest ? api->rest_routes : api->http_routes).push_back(i);
    (r.rest ? api->has_rest : api->has_http) = true;
  }
  for (const auto& k : api->config.api_keys) api->keys[k.value] = &k;
  for (const auto& p : api->config.usage_plans) api->plans[p.name] = &p;
  return std::shared_ptr<const Api>(std::move(api));
}

Status Gateway::Load() {
  std::vector<std::string> stored;
  RETURN_IF_ERROR(store_.Scan(kApiPrefix, "", [&](std::string_view, std::string_view value) {
    stored.emplace_back(value);
    return true;
  }));
  std::unique_lock lock(mu_);
  store::WriteBatch rekeyed;
  for (const std::string& text : stored) {
    auto parsed = ParseJson(text);
    if (!parsed.ok()) continue;
    auto config = ApiConfigFromJson(*parsed);
    if (!config.ok()) {
      spdlog::warn("gateway: a stored API no longer validates: {}", config.status().message());
      continue;
    }
    // A key whose value anyone can derive gets a random one, kept from now on.
    if (FillApiKeyValues(&*config, nullptr)) {
      spdlog::warn(
          "gateway: API {}: keys derived from the public development secret replaced "
          "by random values (see them with GET /nimbus/apis/{})",
          config->id, config->id);
      rekeyed.Put(std::string(kApiPrefix) + config->id, nimbus::ToJson(ToJson(*config)));
    }
    auto api = Compile(std::move(*config));
    if (!api.ok()) continue;
    apis_[(*api)->config.id] = *api;
    IndexLocked(*api);
  }
  if (!rekeyed.empty()) RETURN_IF_ERROR(store_.Write(rekeyed, /*sync=*/true));
  auto root = store_.Get(kRootKey);
  if (root.ok() && root->has_value()) root_ = **root;
  return Status::Ok();
}

void Gateway::IndexLocked(const std::shared_ptr<const Api>& api) {
  // Host names are case-insensitive; API ids are already lower case.
  by_host_[ToLower(api->config.id)] = api;
  by_host_[api->config.http_api_id] = api;
  by_host_[api->config.rest_api_id] = api;
}

void Gateway::UnindexLocked(const Api& api) {
  by_host_.erase(ToLower(api.config.id));
  by_host_.erase(api.config.http_api_id);
  by_host_.erase(api.config.rest_api_id);
}

ApiInfo Gateway::InfoLocked(const Api& api) const {
  ApiInfo info;
  info.id = api.config.id;
  info.root = api.config.id == root_;
  for (const auto& r : api.config.routes) {
    info.routes.push_back(r.rest ? "REST " + r.method + " /" + api.config.stage +
                                       (r.path == "/" ? "" : r.path)
                                 : RouteKey(r));
  }
  return info;
}

Result<ApiInfo> Gateway::Put(ApiConfig config, std::optional<bool> root) {
  if (config.http_api_id.empty()) config.http_api_id = MakeApiId("http:" + config.id);
  if (config.rest_api_id.empty()) config.rest_api_id = MakeApiId("rest:" + config.id);
  std::unique_lock lock(mu_);
  // Keys without a value keep the one they have now, or get a random one.
  auto deployed = apis_.find(config.id);
  FillApiKeyValues(&config, deployed == apis_.end() ? nullptr : &deployed->second->config);
  ASSIGN_OR_RETURN(auto api, Compile(std::move(config)));
  store::WriteBatch batch;
  batch.Put(std::string(kApiPrefix) + api->config.id, nimbus::ToJson(ToJson(api->config)));
  bool make_root = root.value_or(root_.empty() || !apis_.count(root_));
  if (make_root) batch.Put(kRootKey, api->config.id);
  if (root && !*root && root_ == api->config.id) batch.Delete(kRootKey);
  RETURN_IF_ERROR(store_.Write(batch, /*sync=*/true));
  if (auto old = apis_.find(api->config.id); old != apis_.end()) UnindexLocked(*old->second);
  apis_[api->config.id] = api;
  IndexLocked(api);
  if (make_root) root_ = api->config.id;
  if (root && !*root && root_ == api->config.id) root_.clear();
  return InfoLocked(*api);
}

Status Gateway::Delete(const std::string& id) {
  std::unique_lock lock(mu_);
  auto it = apis_.find(id);
  if (it == apis_.end()) return Status(Code::kNotFound, "no API named " + id + " is deployed");
  store::WriteBatch batch;
  batch.Delete(std::string(kApiPrefix) + id);
  if (root_ == id) batch.Delete(kRootKey);
  RETURN_IF_ERROR(store_.Write(batch, /*sync=*/true));
  UnindexLocked(*it->second);
  apis_.erase(it);
  if (root_ == id) root_.clear();
  return Status::Ok();
}

Result<ApiConfig> Gateway::Get(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = apis_.find(id);
  if (it == apis_.end()) return Status(Code::kNotFound, "no API named " + id + " is deployed");
  return it->second->config;
}

std::vector<ApiInfo> Gateway::List() const {
  std::shared_lock lock(mu_);
  std::vector<ApiInfo> out;
  for (const auto& [id, api] : apis_) out.push_back(InfoLocked(*api));
  return out;
}

std::shared_ptr<const Gateway::Api> Gateway::Resolve(const net::HttpRequest& req,
                                                     std::string* path) const {
  std::shared_lock lock(mu_);
  // By host: "<api>.localhost:3000", "<api-id>.execute-api.<anything>".
  std::string host = ToLower(req.HeaderOr("host"));
  host = host.substr(0, host.find(':'));
  if (size_t dot = host.find('.'); dot != std::string::npos) {
    if (auto it = by_host_.find(host.substr(0, dot)); it != by_host_.end()) {
      *path = req.path;
      return it->second;
    }
  }
  // By path prefix: "/_api/<api>/rest/of/path".
  if (std::string_view p = req.path; p.starts_with(kPathBase)) {
    p.remove_prefix(kPathBase.size());
    size_t slash = p.find('/');
    std::string id(p.substr(0, slash));
    if (auto it = apis_.find(id); it != apis_.end()) {
      *path = slash == std::string_view::npos ? "/" : std::string(p.substr(slash));
      return it->second;
    }
    return nullptr;
  }
  if (auto it = apis_.find(root_); it != apis_.end()) {
    *path = req.path.empty() ? "/" : req.path;
    return it->second;
  }
  return nullptr;
}

void Gateway::Handle(net::HttpRequest&& req, net::Responder respond) {
  if (req.body_too_large) {
    net::HttpResponse r = GatewayError(413, "Request Too Long");
    r.close = true;
    return respond(std::move(r));
  }
  std::string path;
  auto api = Resolve(req, &path);
  if (!api) return respond(GatewayError(404, "Not Found"));
  Dispatch(std::move(api), std::move(req), std::move(path), std::move(respond));
}

void Gateway::Dispatch(std::shared_ptr<const Api> api, net::HttpRequest&& req, std::string path,
                       net::Responder respond) {
  auto call = std::make_shared<Call>();
  call->api = api;
  call->request = std::move(req);
  call->respond = std::move(respond);
  call->event.request = &call->request;
  call->event.request_id = NewUuid();
  call->event.time_ms = NowEpochMillis();
  call->event.account_id = options_.platform.account_id;
  std::string host = call->request.HeaderOr("host", "localhost");
  call->event.domain_name =
      host.substr(0, host.rfind(':') == std::string::npos || host.back() == ']' ? host.size()
                                                                                : host.rfind(':'));
  const net::HttpRequest& r = call->request;
  const ApiConfig& config = api->config;

  // REST routes live under the stage: /<stage>/...
  std::string stage_prefix = "/" + config.stage;
  if (api->has_rest && (path == stage_prefix || path.starts_with(stage_prefix + "/"))) {
    std::string rest_path =
        path.size() == stage_prefix.size() ? "/" : path.substr(stage_prefix.size());
    if (auto m = api->rest.Match(r.method, rest_path)) {
      call->route = &config.routes[api->rest_routes[m->route]];
      call->event.path = rest_path;
      call->event.path_parameters = std::move(m->path_parameters);
      call->event.stage = config.stage;
      call->event.api_id = config.rest_api_id;
      call->event.resource = call->route->path;
      call->event.binary_media_types = config.binary_media_types;
    } else if (r.method == "OPTIONS") {
      // The mock OPTIONS method `cors: true` adds to a REST resource.
      for (size_t i : api->rest_routes) {
        const RouteConfig& rc = config.routes[i];
        if (!rc.cors) continue;
        Router one;
        if (!one.Add("ANY", rc.path).ok() || !one.Match("GET", rest_path)) continue;
        call->route = &rc;
        return call->Answer(PreflightResponse(*rc.cors, r, api->rest.MethodsFor(rest_path), true));
      }
    }
  }
  if (!call->route) {
    if (config.http_cors && IsPreflight(r)) {
      return call->Answer(
          PreflightResponse(*config.http_cors, r, api->http.MethodsFor(path), false));
    }
    auto m = api->http.Match(r.method, path);
    if (!m) {
      bool rest_only = api->has_rest && !api->has_http;
      return rest_only ? call->Answer(GatewayError(403, "Missing Authentication Token",
                                                   "MissingAuthenticationTokenException"))
                       : call->Answer(GatewayError(404, "Not Found"));
    }
    call->route = &config.routes[api->http_routes[m->route]];
    call->event.path = path;
    call->event.path_parameters = std::move(m->path_parameters);
    call->event.stage = "$default";
    call->event.api_id = config.http_api_id;
    call->event.resource = call->route->path == "$default" ? "$default" : call->route->path;
  }
  const RouteConfig& route = *call->route;
  call->event.route_key = RouteKey(route);

  // Throttles: the route's own, else the stage's.
  const ThrottleConfig& throttle = route.throttle.enabled() ? route.throttle : config.throttle;
  std::string bucket =
      config.id + "|" + (route.throttle.enabled() ? call->event.route_key : "$stage");
  if (!limiter_->Allow(bucket, throttle)) {
    return call->Answer(
        GatewayError(429, "Too Many Requests", route.rest ? "ThrottledException" : ""));
  }
  if (route.api_key_required) {
    const std::string* key = r.FindHeader("x-api-key");
    auto k = key ? api->keys.find(*key) : api->keys.end();
    if (k == api->keys.end() || !k->second->enabled) {
      return call->Answer(GatewayError(403, "Forbidden", "ForbiddenException"));
    }
    const UsagePlanConfig* plan = nullptr;
    if (!k->second->usage_plan.empty()) {
      plan = api->plans.at(k->second->usage_plan);
    } else if (!config.usage_plans.empty()) {
      plan = &config.usage_plans.front();
    }
    if (plan) {
      std::string id = config.id + "|key|" + k->second->name;
      if (!limiter_->Allow(id, plan->throttle)) {
        return call->Answer(GatewayError(429, "Too Many Requests", "ThrottledException"));
      }
      if (!limiter_->CountQuota(id, plan->quota_limit, plan->quota_period, call->event.time_ms)) {
        return call->Answer(GatewayError(429, "Limit Exceeded", "LimitExceededException"));
      }
    }
    call->event.api_key = *key;
    call->event.api_key_id = MakeApiId("key:" + config.id + ":" + k->second->name);
  }
  if (route.authorizer.empty()) return InvokeRoute(std::move(call));

  AuthRequest ar;
  ar.authorizer = &config.authorizers.at(route.authorizer);
  ar.route = &route;
  ar.event = &call->event;
  std::string arn_path = call->event.path.size() > 1 ? call->event.path.substr(1) : "";
  ar.arn = options_.platform.Arn("execute-api", call->event.api_id + "/" + call->event.stage +
                                                     "/" + r.method + "/" + arn_path);
  ar.cache_scope = config.id;
  authorizers_->Authorize(ar, [this, call](AuthDecision d) mutable {
    if (d.status != 0) {
      net::HttpResponse resp = net::HttpResponse::Json(d.status, nimbus::ToJson(d.body));
      for (auto& h : d.headers) resp.headers.push_back(std::move(h));
      if (!d.error_type.empty()) resp.headers.push_back({"x-amzn-ErrorType", d.error_type});
      return call->Answer(std::move(resp));
    }
    call->event.authorizer = std::move(d.context);
    InvokeRoute(std::move(call));
  });
}

void Gateway::InvokeRoute(std::shared_ptr<Call> call) {
  const RouteConfig& route = *call->route;
  bool v1 = route.rest || route.payload_version == "1.0";
  std::string payload = nimbus::ToJson(v1 ? BuildEventV1(call->event) : BuildEventV2(call->event));
  call->timeouts = timeouts_;
  if (auto deadline = timeouts_->calls.Add(*call, options_.integration_timeout)) {
    Timeouts::Arm(timeouts_, loop_, *deadline);
  }
  invoke_(route.function, std::move(payload), [call, v1](invoker::InvokeResult result) {
    if (!result.status.ok()) {
      spdlog::info("gateway: {} {} -> {}: {}", call->request.method, call->request.path,
                   call->route->function, result.status.ToString());
      if (result.status.code() == Code::kResourceExhausted) {
        return call->Answer(GatewayError(503, "Service Unavailable"));
      }
    }
    const RouteConfig& route = *call->route;
    call->Answer(v1 ? MapResponseV1(result, route.rest) : MapResponseV2(result));
  });
}

}  // namespace nimbus::gateway
