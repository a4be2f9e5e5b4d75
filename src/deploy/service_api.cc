#include "deploy/service_api.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/fs.h"
#include "core/strings.h"
#include "deploy/naming.h"

namespace nimbus::deploy {
namespace {

using gateway::ApiConfig;
using gateway::AuthorizerConfig;
using gateway::CorsConfig;
using gateway::RouteConfig;
using gateway::ThrottleConfig;

// The headers Serverless allows when `cors: true`.
const std::vector<std::string> kHttpApiCorsHeaders = {
    "Content-Type",         "X-Amz-Date",       "Authorization",  "X-Api-Key",
    "X-Amz-Security-Token", "X-Amz-User-Agent", "X-Amzn-Trace-Id"};
const std::vector<std::string> kRestCorsHeaders = {"Content-Type",         "X-Amz-Date",
                                                   "Authorization",        "X-Api-Key",
                                                   "X-Amz-Security-Token", "X-Amz-User-Agent"};

Status Fail(const std::string& where, const std::string& message) {
  return InvalidArgument(where + ": " + message);
}

std::vector<std::string> StringList(const json::value* v) {
  std::vector<std::string> out;
  if (!v) return out;
  if (v->is_string()) out.emplace_back(v->get_string());
  if (v->is_array()) {
    for (const auto& e : v->get_array()) {
      if (e.is_string()) out.emplace_back(e.get_string());
    }
  }
  return out;
}

std::string StringOr(const json::object& o, std::string_view key, std::string fallback = {}) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::move(fallback);
}

int64_t IntOr(const json::object& o, std::string_view key, int64_t fallback) {
  const json::value* v = o.if_contains(key);
  if (!v) return fallback;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  long long n = 0;
  if (v->is_string() && ParseInt64(v->get_string(), &n)) return n;
  return fallback;
}

bool BoolOr(const json::object& o, std::string_view key, bool fallback) {
  const json::value* v = o.if_contains(key);
  if (!v) return fallback;
  if (v->is_bool()) return v->get_bool();
  if (v->is_string()) return v->get_string() == "true";
  return fallback;
}

// {rateLimit, burstLimit} (API Gateway's names) as a token bucket.
ThrottleConfig ReadThrottle(const json::value* v) {
  ThrottleConfig t;
  if (!v || !v->is_object()) return t;
  const json::object& o = v->get_object();
  const json::value* rate = o.if_contains("rateLimit");
  if (rate && rate->is_number()) t.rate = rate->to_number<double>();
  t.burst = static_cast<int>(IntOr(o, "burstLimit", 0));
  if (t.enabled() && t.burst == 0) t.burst = static_cast<int>(std::max(1.0, t.rate));
  return t;
}

Result<CorsConfig> HttpApiCors(const json::value& v) {
  CorsConfig c;
  if (v.is_bool()) {
    c.allow_origins = {"*"};
    c.allow_headers = kHttpApiCorsHeaders;
    return c;
  }
  if (!v.is_object()) return Fail("provider.httpApi.cors", "must be true or a mapping");
  const json::object& o = v.get_object();
  c.allow_origins = StringList(o.if_contains("allowedOrigins"));
  if (c.allow_origins.empty()) c.allow_origins = {"*"};
  c.allow_headers = StringList(o.if_contains("allowedHeaders"));
  if (c.allow_headers.empty()) c.allow_headers = kHttpApiCorsHeaders;
  c.allow_methods = StringList(o.if_contains("allowedMethods"));
  c.expose_headers = StringList(o.if_contains("exposedResponseHeaders"));
  c.allow_credentials = BoolOr(o, "allowCredentials", false);
  c.max_age = static_cast<int>(IntOr(o, "maxAge", -1));
  return c;
}

CorsConfig RestCors(const json::value& v) {
  CorsConfig c;
  c.allow_origins = {"*"};
  c.allow_headers = kRestCorsHeaders;
  if (!v.is_object()) return c;
  const json::object& o = v.get_object();
  auto origins = StringList(o.if_contains("origins"));
  auto origin = StringList(o.if_contains("origin"));
  if (!origins.empty()) c.allow_origins = origins;
  if (!origin.empty()) c.allow_origins = origin;
  auto headers = StringList(o.if_contains("headers"));
  if (!headers.empty()) c.allow_headers = headers;
  c.allow_methods = StringList(o.if_contains("methods"));
  c.allow_credentials = BoolOr(o, "allowCredentials", false);
  c.max_age = static_cast<int>(IntOr(o, "maxAge", -1));
  return c;
}

const manifest::FunctionDef* FunctionByKeyOrName(const manifest::Manifest& m,
                                                 const std::string& k) {
  for (const auto& f : m.functions) {
    if (f.key == k || f.name == k) return &f;
  }
  return nullptr;
}

Result<AuthorizerConfig> HttpApiAuthorizer(const manifest::Manifest& m, const std::string& name,
                                           const json::value& v,
                                           std::vector<std::string>* accepted) {
  std::string where = "provider.httpApi.authorizers." + name;
  if (!v.is_object()) return Fail(where, "must be a mapping");
  const json::object& o = v.get_object();
  AuthorizerConfig a;
  a.name = name;
  a.type = ToLower(StringOr(
      o, "type", o.contains("functionName") || o.contains("functionArn") ? "request" : "jwt"));
  a.identity_source = StringList(o.if_contains("identitySource"));
  if (a.type == "jwt") {
    a.issuer = StringOr(o, "issuerUrl");
    a.audience = StringList(o.if_contains("audience"));
    if (a.identity_source.empty()) a.identity_source = {"$request.header.Authorization"};
    // Offline keys: `jwks` (a JWKS document, e.g. ${file(./jwks.json)}) or
    // `jwksFile` (a path in the service); else the issuer's discovery.
    if (o.contains("jwks") || o.contains("jwksFile")) {
      if (accepted) accepted->push_back("provider.httpApi.authorizers." + name + ".jwks");
    }
    if (const json::value* jwks = o.if_contains("jwks")) {
      a.jwks = jwks->is_string() ? std::string(jwks->get_string()) : json::serialize(*jwks);
    }
    if (std::string file = StringOr(o, "jwksFile"); !file.empty()) {
      auto text = ReadFile(file.starts_with("/") ? file : m.dir + "/" + file);
      if (!text.ok()) return Fail(where + ".jwksFile", text.status().message());
      a.jwks = *text;
    }
  } else if (a.type == "request") {
    std::string fn = StringOr(o, "functionName");
    if (fn.empty())
      return Fail(where, "a Lambda authorizer needs functionName (a function of this service)");
    const auto* def = FunctionByKeyOrName(m, fn);
    if (!def)
      return Fail(where + ".functionName", "'" + fn + "' is not a function of this service");
    a.function = def->name;
    a.result_ttl_s =
        static_cast<int>(IntOr(o, "resultTtlInSeconds", a.identity_source.empty() ? 0 : 300));
    a.simple_responses = BoolOr(o, "enableSimpleResponses", false);
    a.payload_version = StringOr(o, "payloadVersion", "2.0");
  } else {
    return Fail(where + ".type", "'" + a.type + "' is not supported (jwt or request)");
  }
  return a;
}

Result<AuthorizerConfig> RestAuthorizer(const manifest::Manifest& m, const json::object& o,
                                        const std::string& where) {
  AuthorizerConfig a;
  std::string name = StringOr(o, "name");
  if (name.empty()) return Fail(where, "a REST authorizer needs name (a function of this service)");
  const auto* def = FunctionByKeyOrName(m, name);
  if (!def) return Fail(where + ".name", "'" + name + "' is not a function of this service");
  a.type = ToLower(StringOr(o, "type", "token"));
  if (a.type != "token" && a.type != "request") {
    return Fail(where + ".type", "'" + a.type + "' is not supported (token or request)");
  }
  a.name = name + ":" + a.type;
  a.function = def->name;
  // REST writes several sources in one comma-separated string.
  for (const std::string& source : StringList(o.if_contains("identitySource"))) {
    for (std::string_view part : Split(source, ',')) {
      if (!Trim(part).empty()) a.identity_source.emplace_back(Trim(part));
    }
  }
  if (a.identity_source.empty() && a.type == "token") {
    a.identity_source = {"method.request.header.Authorization"};
  }
  a.result_ttl_s = static_cast<int>(IntOr(o, "resultTtlInSeconds", 300));
  a.payload_version = "1.0";
  a.validation_expression = StringOr(o, "identityValidationExpression");
  return a;
}

}  // namespace

Result<ApiConfig> BuildServiceApi(const manifest::Manifest& m, const ServiceApiOptions& options) {
  ApiConfig c;
  c.id = ServiceApiId(m);
  c.service = m.service;
  c.stage = m.stage;
  auto accept = [&](const std::string& key) {
    if (options.accepted) options.accepted->push_back(key);
  };
  const json::object empty;
  const json::value* http_api_v = m.provider.if_contains("httpApi");
  const json::object& http_api =
      http_api_v && http_api_v->is_object() ? http_api_v->get_object() : empty;
  const json::value* rest_v = m.provider.if_contains("apiGateway");
  const json::object& rest = rest_v && rest_v->is_object() ? rest_v->get_object() : empty;

  std::string payload = StringOr(http_api, "payload", "2.0");
  if (const json::value* p = http_api.if_contains("payload"); p && p->is_double()) {
    payload = p->get_double() == 1.0 ? "1.0" : "2.0";
  }
  if (const json::value* cors = http_api.if_contains("cors");
      cors && !(cors->is_bool() && !cors->get_bool())) {
    ASSIGN_OR_RETURN(c.http_cors, HttpApiCors(*cors));
  }
  if (const json::value* auths = http_api.if_contains("authorizers"); auths && auths->is_object()) {
    for (const auto& [name, v] : auths->get_object()) {
      ASSIGN_OR_RETURN(auto a, HttpApiAuthorizer(m, std::string(name), v, options.accepted));
      c.authorizers[a.name] = std::move(a);
    }
  }
  // Nimbus's stage throttle: provider.httpApi.throttle / provider.apiGateway.throttle.
  for (const json::object* block : {&http_api, &rest}) {
    if (const json::value* t = block->if_contains("throttle")) {
      c.throttle = ReadThrottle(t);
      accept(block == &http_api ? "provider.httpApi.throttle" : "provider.apiGateway.throttle");
    }
  }
  c.binary_media_types = StringList(rest.if_contains("binaryMediaTypes"));

  for (const auto& fn : m.functions) {
    for (size_t i = 0; i < fn.http_events.size(); ++i) {
      const auto& e = fn.http_events[i];
      std::string where = e.pos.ToString();
      RouteConfig r;
      r.rest = e.rest;
      r.method = e.method;
      r.path = e.path.empty() ? "$default" : e.path;
      r.function = fn.name;
      r.payload_version = e.rest ? "1.0" : payload;
      const json::object& s = e.settings;
      if (const json::value* t = s.if_contains("throttle")) {
        r.throttle = ReadThrottle(t);
        accept("functions." + fn.key + ".events[" + std::to_string(i) + "]." +
               (e.rest ? "http" : "httpApi") + ".throttle");
      }
      if (const json::value* auth = s.if_contains("authorizer"); auth && auth->is_object()) {
        const json::object& ao = auth->get_object();
        if (!e.rest) {
          if (StringOr(ao, "type") == "aws_iam") {
            return Fail(where,
                        "authorizer type aws_iam (SigV4-signed requests) is not supported yet");
          }
          r.authorizer = StringOr(ao, "name");
          r.scopes = StringList(ao.if_contains("scopes"));
          if (!c.authorizers.count(r.authorizer)) {
            return Fail(where, "authorizer '" + r.authorizer +
                                   "' is not defined under provider.httpApi.authorizers");
          }
          if (!r.scopes.empty() && c.authorizers[r.authorizer].type != "jwt") {
            return Fail(where, "scopes apply only to JWT authorizers");
          }
        } else {
          std::string type = StringOr(ao, "type", "token");
          if (type == "COGNITO_USER_POOLS" || type == "aws_iam" || ao.contains("arn")) {
            return Fail(where, "REST authorizer " +
                                   (ao.contains("arn") ? std::string("by ARN") : type) +
                                   " is not supported yet (use a function of this service)");
          }
          ASSIGN_OR_RETURN(auto a, RestAuthorizer(m, ao, where));
          r.authorizer = a.name;
          c.authorizers[a.name] = std::move(a);
        }
      }
      if (e.rest) {
        if (const json::value* cors = s.if_contains("cors");
            cors && !(cors->is_bool() && !cors->get_bool())) {
          r.cors = RestCors(*cors);
        }
        r.api_key_required = BoolOr(s, "private", false);
        if (BoolOr(s, "async", false)) {
          return Fail(where,
                      "async: true (Event invocations behind REST routes) is not supported yet");
        }
        std::string integration = ToLower(StringOr(s, "integration", "lambda-proxy"));
        if (integration != "lambda-proxy" && integration != "aws_proxy") {
          return Fail(where,
                      "integration '" + integration + "' is not supported (only lambda-proxy)");
        }
      }
      c.routes.push_back(std::move(r));
    }
  }

  // API keys and usage plans (REST).
  std::map<std::string, std::string> plan_of_key;
  if (const json::value* plans = rest.if_contains("usagePlan")) {
    auto add_plan = [&](const std::string& name, const json::value& pv) {
      gateway::UsagePlanConfig p;
      p.name = name;
      if (pv.is_object()) {
        const json::object& po = pv.get_object();
        p.throttle = ReadThrottle(po.if_contains("throttle"));
        if (const json::value* q = po.if_contains("quota"); q && q->is_object()) {
          p.quota_limit = IntOr(q->get_object(), "limit", 0);
          p.quota_period = StringOr(q->get_object(), "period", "MONTH");
          for (char& ch : p.quota_period)
            ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
        }
      }
      c.usage_plans.push_back(std::move(p));
    };
    if (plans->is_array()) {
      for (const auto& item : plans->get_array()) {
        if (item.is_object()) {
          for (const auto& [name, pv] : item.get_object()) add_plan(std::string(name), pv);
        }
      }
    } else {
      add_plan("default", *plans);
    }
  }
  if (const json::value* keys = rest.if_contains("apiKeys"); keys && keys->is_array()) {
    auto add_key = [&](const json::value& kv, const std::string& plan) -> Status {
      gateway::ApiKeyConfig k;
      k.usage_plan = plan;
      if (kv.is_string()) {
        k.name = std::string(kv.get_string());
      } else if (kv.is_object()) {
        k.name = StringOr(kv.get_object(), "name");
        k.value = StringOr(kv.get_object(), "value");
        k.enabled = BoolOr(kv.get_object(), "enabled", true);
      }
      if (k.name.empty()) return Fail("provider.apiGateway.apiKeys", "each key needs a name");
      c.api_keys.push_back(std::move(k));  // without a value: the gateway chooses one
      return Status::Ok();
    };
    for (const auto& kv : keys->get_array()) {
      // The `planName: [keys]` form pairs keys with a list of usage plans.
      bool plan_form = kv.is_object() && kv.get_object().size() == 1 &&
                       kv.get_object().begin()->value().is_array();
      if (plan_form) {
        std::string plan(kv.get_object().begin()->key());
        for (const auto& inner : kv.get_object().begin()->value().get_array()) {
          RETURN_IF_ERROR(add_key(inner, plan));
        }
      } else {
        RETURN_IF_ERROR(add_key(kv, c.usage_plans.empty() ? "" : c.usage_plans.front().name));
      }
    }
  }
  if (c.routes.empty() && c.authorizers.empty()) return c;
  Status valid = gateway::Validate(c);
  if (!valid.ok()) return Fail(m.file.empty() ? "serverless.yml" : m.file, valid.message());
  return c;
}

void KeepDeployedKeyValues(ApiConfig* wanted, const ApiConfig& deployed) {
  for (gateway::ApiKeyConfig& key : wanted->api_keys) {
    if (!key.value.empty()) continue;
    for (const gateway::ApiKeyConfig& old : deployed.api_keys) {
      if (old.name == key.name) key.value = old.value;
    }
  }
}

}  // namespace nimbus::deploy
