#include "gateway/api_config.h"

#include <re2/re2.h>

#include <limits>
#include <set>
#include <system_error>

#include "core/crypto.h"
#include "core/encoding.h"
#include "gateway/jwk_set.h"
#include "gateway/router.h"

namespace nimbus::gateway {
namespace {

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// Reads an optional member; a wrong type is an error naming it.
Status ReadStrings(const json::object& o, std::string_view key, std::vector<std::string>* out) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return Status::Ok();
  if (it->value().is_string()) {
    out->emplace_back(it->value().get_string());
    return Status::Ok();
  }
  if (!it->value().is_array()) return InvalidArgument(std::string(key) + " must be a list of strings");
  for (const auto& e : it->value().get_array()) {
    if (!e.is_string()) return InvalidArgument(std::string(key) + " must be a list of strings");
    out->emplace_back(e.get_string());
  }
  return Status::Ok();
}

Status ReadString(const json::object& o, std::string_view key, std::string* out) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return Status::Ok();
  if (!it->value().is_string()) return InvalidArgument(std::string(key) + " must be a string");
  *out = std::string(it->value().get_string());
  return Status::Ok();
}

Status ReadBool(const json::object& o, std::string_view key, bool* out) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return Status::Ok();
  if (!it->value().is_bool()) return InvalidArgument(std::string(key) + " must be true or false");
  *out = it->value().get_bool();
  return Status::Ok();
}

// A number member. An integer member must hold a whole number that fits its
// type: 2^32 + 100 must not wrap to 100 and slip past the range checks.
template <typename N>
Status ReadNumber(const json::object& o, std::string_view key, N* out) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return Status::Ok();
  const json::value& v = it->value();
  if (!v.is_number()) return InvalidArgument(std::string(key) + " must be a number");
  std::error_code ec;
  N n = v.to_number<N>(ec);  // integers: fails on fractions and on values out of range
  if (ec) {
    return InvalidArgument(std::string(key) + " must be a whole number from " +
                           std::to_string(std::numeric_limits<N>::min()) + " to " +
                           std::to_string(std::numeric_limits<N>::max()));
  }
  *out = n;
  return Status::Ok();
}

json::object ToJson(const CorsConfig& c) {
  return {{"allow_origins", Strings(c.allow_origins)}, {"allow_headers", Strings(c.allow_headers)},
          {"allow_methods", Strings(c.allow_methods)}, {"expose_headers", Strings(c.expose_headers)},
          {"allow_credentials", c.allow_credentials},  {"max_age", c.max_age}};
}

Result<CorsConfig> CorsFromJson(const json::value& v) {
  if (!v.is_object()) return InvalidArgument("cors must be an object");
  const json::object& o = v.get_object();
  CorsConfig c;
  RETURN_IF_ERROR(ReadStrings(o, "allow_origins", &c.allow_origins));
  RETURN_IF_ERROR(ReadStrings(o, "allow_headers", &c.allow_headers));
  RETURN_IF_ERROR(ReadStrings(o, "allow_methods", &c.allow_methods));
  RETURN_IF_ERROR(ReadStrings(o, "expose_headers", &c.expose_headers));
  RETURN_IF_ERROR(ReadBool(o, "allow_credentials", &c.allow_credentials));
  RETURN_IF_ERROR(ReadNumber(o, "max_age", &c.max_age));
  return c;
}

json::object ToJson(const ThrottleConfig& t) { return {{"rate", t.rate}, {"burst", t.burst}}; }

Status ThrottleFromJson(const json::object& o, std::string_view key, ThrottleConfig* t) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return Status::Ok();
  if (!it->value().is_object()) return InvalidArgument(std::string(key) + " must be an object");
  RETURN_IF_ERROR(ReadNumber(it->value().get_object(), "rate", &t->rate));
  RETURN_IF_ERROR(ReadNumber(it->value().get_object(), "burst", &t->burst));
  if (t->rate < 0 || t->burst < 0) return InvalidArgument(std::string(key) + " must not be negative");
  if (t->enabled() && t->burst == 0) t->burst = static_cast<int>(std::max(1.0, t->rate));
  return Status::Ok();
}

// "<letter>[letters, digits, '-']", at most 128 characters.
bool ValidApiId(std::string_view id) {
  auto letter = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); };
  if (id.empty() || id.size() > 128 || !letter(id[0])) return false;
  for (char ch : id) {
    if (!letter(ch) && !(ch >= '0' && ch <= '9') && ch != '-') return false;
  }
  return true;
}

}  // namespace

Result<std::shared_ptr<const re2::RE2>> CompileValidationExpression(const std::string& expression) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(expression, options);
  if (!re->ok()) {
    return InvalidArgument("identityValidationExpression is not a valid regular expression (" +
                           re->error() + ")");
  }
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

std::string MakeApiId(const std::string& seed) {
  std::string digest = Sha256(seed);
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  for (int i = 0; i < 10; ++i) id += kAlphabet[static_cast<unsigned char>(digest[i]) % 36];
  return id;
}

json::object ToJson(const ApiConfig& c) {
  json::object o{{"id", c.id},
                 {"service", c.service},
                 {"stage", c.stage},
                 {"http_api_id", c.http_api_id},
                 {"rest_api_id", c.rest_api_id},
                 {"throttle", ToJson(c.throttle)},
                 {"binary_media_types", Strings(c.binary_media_types)},
                 {"functions", Strings(c.functions)},
                 {"tables", Strings(c.tables)}};
  if (c.http_cors) o["http_cors"] = ToJson(*c.http_cors);
  json::object authorizers;
  for (const auto& [name, a] : c.authorizers) {
    authorizers[name] = json::object{{"type", a.type},
                                     {"identity_source", Strings(a.identity_source)},
                                     {"issuer", a.issuer},
                                     {"audience", Strings(a.audience)},
                                     {"jwks", a.jwks},
                                     {"function", a.function},
                                     {"result_ttl_s", a.result_ttl_s},
                                     {"simple_responses", a.simple_responses},
                                     {"payload_version", a.payload_version},
                                     {"validation_expression", a.validation_expression}};
  }
  o["authorizers"] = std::move(authorizers);
  json::array routes;
  for (const auto& r : c.routes) {
    json::object ro{{"rest", r.rest},
                    {"method", r.method},
                    {"path", r.path},
                    {"function", r.function},
                    {"payload_version", r.payload_version},
                    {"authorizer", r.authorizer},
                    {"scopes", Strings(r.scopes)},
                    {"api_key_required", r.api_key_required},
                    {"throttle", ToJson(r.throttle)}};
    if (r.cors) ro["cors"] = ToJson(*r.cors);
    routes.push_back(std::move(ro));
  }
  o["routes"] = std::move(routes);
  json::array keys;
  for (const auto& k : c.api_keys) {
    keys.push_back(json::object{
        {"name", k.name}, {"value", k.value}, {"usage_plan", k.usage_plan}, {"enabled", k.enabled}});
  }
  o["api_keys"] = std::move(keys);
  json::array plans;
  for (const auto& p : c.usage_plans) {
    plans.push_back(json::object{{"name", p.name},
                                 {"throttle", ToJson(p.throttle)},
                                 {"quota_limit", p.quota_limit},
                                 {"quota_period", p.quota_period}});
  }
  o["usage_plans"] = std::move(plans);
  return o;
}

Result<ApiConfig> ApiConfigFromJson(const json::value& v) {
  if (!v.is_object()) return InvalidArgument("the API configuration must be a JSON object");
  const json::object& o = v.get_object();
  ApiConfig c;
  RETURN_IF_ERROR(ReadString(o, "id", &c.id));
  RETURN_IF_ERROR(ReadString(o, "service", &c.service));
  RETURN_IF_ERROR(ReadString(o, "stage", &c.stage));
  RETURN_IF_ERROR(ReadString(o, "http_api_id", &c.http_api_id));
  RETURN_IF_ERROR(ReadString(o, "rest_api_id", &c.rest_api_id));
  RETURN_IF_ERROR(ThrottleFromJson(o, "throttle", &c.throttle));
  RETURN_IF_ERROR(ReadStrings(o, "binary_media_types", &c.binary_media_types));
  RETURN_IF_ERROR(ReadStrings(o, "functions", &c.functions));
  RETURN_IF_ERROR(ReadStrings(o, "tables", &c.tables));
  if (auto it = o.find("http_cors"); it != o.end() && !it->value().is_null()) {
    ASSIGN_OR_RETURN(c.http_cors, CorsFromJson(it->value()));
  }
  if (auto it = o.find("authorizers"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_object()) return InvalidArgument("authorizers must be an object");
    for (const auto& [name, av] : it->value().get_object()) {
      if (!av.is_object()) return InvalidArgument("authorizer " + std::string(name) + " must be an object");
      const json::object& ao = av.get_object();
      AuthorizerConfig a;
      a.name = std::string(name);
      RETURN_IF_ERROR(ReadString(ao, "type", &a.type));
      RETURN_IF_ERROR(ReadStrings(ao, "identity_source", &a.identity_source));
      RETURN_IF_ERROR(ReadString(ao, "issuer", &a.issuer));
      RETURN_IF_ERROR(ReadStrings(ao, "audience", &a.audience));
      RETURN_IF_ERROR(ReadString(ao, "jwks", &a.jwks));
      RETURN_IF_ERROR(ReadString(ao, "function", &a.function));
      RETURN_IF_ERROR(ReadNumber(ao, "result_ttl_s", &a.result_ttl_s));
      RETURN_IF_ERROR(ReadBool(ao, "simple_responses", &a.simple_responses));
      RETURN_IF_ERROR(ReadString(ao, "payload_version", &a.payload_version));
      RETURN_IF_ERROR(ReadString(ao, "validation_expression", &a.validation_expression));
      if (!a.validation_expression.empty()) {
        auto compiled = CompileValidationExpression(a.validation_expression);
        if (!compiled.ok()) {
          return InvalidArgument("authorizer " + a.name + ": " + compiled.status().message());
        }
        a.validation_regex = std::move(*compiled);
      }
      c.authorizers[a.name] = std::move(a);
    }
  }
  if (auto it = o.find("routes"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_array()) return InvalidArgument("routes must be a list");
    for (const auto& rv : it->value().get_array()) {
      if (!rv.is_object()) return InvalidArgument("each route must be an object");
      const json::object& ro = rv.get_object();
      RouteConfig r;
      RETURN_IF_ERROR(ReadBool(ro, "rest", &r.rest));
      RETURN_IF_ERROR(ReadString(ro, "method", &r.method));
      RETURN_IF_ERROR(ReadString(ro, "path", &r.path));
      RETURN_IF_ERROR(ReadString(ro, "function", &r.function));
      RETURN_IF_ERROR(ReadString(ro, "payload_version", &r.payload_version));
      RETURN_IF_ERROR(ReadString(ro, "authorizer", &r.authorizer));
      RETURN_IF_ERROR(ReadStrings(ro, "scopes", &r.scopes));
      RETURN_IF_ERROR(ReadBool(ro, "api_key_required", &r.api_key_required));
      RETURN_IF_ERROR(ThrottleFromJson(ro, "throttle", &r.throttle));
      if (auto cit = ro.find("cors"); cit != ro.end() && !cit->value().is_null()) {
        ASSIGN_OR_RETURN(r.cors, CorsFromJson(cit->value()));
      }
      c.routes.push_back(std::move(r));
    }
  }
  if (auto it = o.find("api_keys"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_array()) return InvalidArgument("api_keys must be a list");
    for (const auto& kv : it->value().get_array()) {
      if (!kv.is_object()) return InvalidArgument("each API key must be an object");
      ApiKeyConfig k;
      RETURN_IF_ERROR(ReadString(kv.get_object(), "name", &k.name));
      RETURN_IF_ERROR(ReadString(kv.get_object(), "value", &k.value));
      RETURN_IF_ERROR(ReadString(kv.get_object(), "usage_plan", &k.usage_plan));
      RETURN_IF_ERROR(ReadBool(kv.get_object(), "enabled", &k.enabled));
      c.api_keys.push_back(std::move(k));
    }
  }
  if (auto it = o.find("usage_plans"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_array()) return InvalidArgument("usage_plans must be a list");
    for (const auto& pv : it->value().get_array()) {
      if (!pv.is_object()) return InvalidArgument("each usage plan must be an object");
      UsagePlanConfig p;
      RETURN_IF_ERROR(ReadString(pv.get_object(), "name", &p.name));
      RETURN_IF_ERROR(ThrottleFromJson(pv.get_object(), "throttle", &p.throttle));
      RETURN_IF_ERROR(ReadNumber(pv.get_object(), "quota_limit", &p.quota_limit));
      RETURN_IF_ERROR(ReadString(pv.get_object(), "quota_period", &p.quota_period));
      c.usage_plans.push_back(std::move(p));
    }
  }
  RETURN_IF_ERROR(Validate(c));
  return c;
}

Status Validate(const ApiConfig& c) {
  if (!ValidApiId(c.id)) {
    return InvalidArgument("API id '" + c.id + "' must start with a letter and hold only letters, digits and '-'");
  }
  for (const auto& [name, a] : c.authorizers) {
    if (a.type == "jwt") {
      if (a.issuer.empty()) return InvalidArgument("JWT authorizer " + name + " needs an issuerUrl");
      if (a.audience.empty()) return InvalidArgument("JWT authorizer " + name + " needs an audience");
      // A broken inline key set would refuse every token: say so at deploy.
      if (!a.jwks.empty()) {
        if (auto keys = JwkSet::Parse(a.jwks); !keys.ok()) {
          return InvalidArgument("JWT authorizer " + name + ": " + keys.status().message());
        }
      }
    } else if (a.type == "request" || a.type == "token") {
      if (a.function.empty()) return InvalidArgument("Lambda authorizer " + name + " needs a function");
      if (a.result_ttl_s < 0 || a.result_ttl_s > 3600) {
        return InvalidArgument("authorizer " + name + ": resultTtlInSeconds must be 0-3600");
      }
      if (a.type == "request" && a.result_ttl_s > 0 && a.identity_source.empty()) {
        return InvalidArgument("authorizer " + name +
                               ": caching (resultTtlInSeconds > 0) needs an identitySource");
      }
      if (a.payload_version != "1.0" && a.payload_version != "2.0") {
        return InvalidArgument("authorizer " + name + ": payloadVersion must be '1.0' or '2.0'");
      }
      if (!a.validation_expression.empty() &&
          (!a.validation_regex || a.validation_regex->pattern() != a.validation_expression)) {
        auto compiled = CompileValidationExpression(a.validation_expression);
        if (!compiled.ok()) {
          return InvalidArgument("authorizer " + name + ": " + compiled.status().message());
        }
      }
    } else {
      return InvalidArgument("authorizer " + name + " has unsupported type '" + a.type +
                             "' (Nimbus supports jwt, request and token)");
    }
  }
  std::set<std::string> plans;
  for (const auto& p : c.usage_plans) {
    if (p.quota_period != "DAY" && p.quota_period != "WEEK" && p.quota_period != "MONTH") {
      return InvalidArgument("usage plan " + p.name + ": quota period must be DAY, WEEK or MONTH");
    }
    plans.insert(p.name);
  }
  for (const auto& k : c.api_keys) {
    if (!k.value.empty() && k.value.size() < 20) {
      return InvalidArgument("API key " + k.name + ": the value must be at least 20 characters");
    }
    if (!k.usage_plan.empty() && !plans.count(k.usage_plan)) {
      return InvalidArgument("API key " + k.name + " names an unknown usage plan " + k.usage_plan);
    }
  }
  Router http, rest;
  for (const auto& r : c.routes) {
    std::string where = "route " + r.method + " " + r.path + ": ";
    if (r.function.empty()) return InvalidArgument(where + "no function");
    if (!r.rest && r.payload_version != "1.0" && r.payload_version != "2.0") {
      return InvalidArgument(where + "payload must be '1.0' or '2.0'");
    }
    if (r.rest && r.path == "$default") return InvalidArgument(where + "REST APIs have no $default route");
    Status added = (r.rest ? rest : http).Add(r.method, r.path);
    if (!added.ok()) return InvalidArgument(where + added.message());
    if (!r.authorizer.empty()) {
      auto a = c.authorizers.find(r.authorizer);
      if (a == c.authorizers.end()) return InvalidArgument(where + "unknown authorizer " + r.authorizer);
      if (!r.scopes.empty() && a->second.type != "jwt") {
        return InvalidArgument(where + "scopes need a JWT authorizer");
      }
      if (r.rest && a->second.type == "jwt") {
        return InvalidArgument(where + "REST APIs do not take JWT authorizers");
      }
      if (!r.rest && a->second.type == "token") {
        return InvalidArgument(where + "HTTP APIs do not take TOKEN authorizers (use type request)");
      }
    }
    if (r.api_key_required && !r.rest) {
      return InvalidArgument(where + "API keys (private: true) are a REST API feature");
    }
  }
  return Status::Ok();
}

}  // namespace nimbus::gateway
