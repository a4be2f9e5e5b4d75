// What one deployed service exposes through the gateway: its HTTP API and
// REST API routes, authorizers, CORS, throttles, API keys and usage plans.
// `nimbus deploy` builds it from serverless.yml and sends it as JSON; the
// gateway validates it, keeps it in the store and serves it. The JSON form
// (ToJson/ApiConfigFromJson) is the one format for both.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace re2 {
class RE2;
}

namespace nimbus::gateway {

struct CorsConfig {
  std::vector<std::string> allow_origins;  // "*" allowed
  std::vector<std::string> allow_headers;
  std::vector<std::string> allow_methods;  // empty: the methods of the matching routes
  std::vector<std::string> expose_headers;
  bool allow_credentials = false;
  int max_age = -1;  // seconds; -1: not sent
};

// A token bucket: `rate` requests per second refill, `burst` capacity.
// rate <= 0 means unlimited.
struct ThrottleConfig {
  double rate = 0;
  int burst = 0;
  bool enabled() const { return rate > 0; }
};

struct AuthorizerConfig {
  std::string name;
  std::string type;  // "jwt", "request" (Lambda REQUEST) or "token" (Lambda TOKEN)
  // Where the identity comes from, in API Gateway's notation:
  // "$request.header.Authorization" (HTTP API) or
  // "method.request.header.Authorization" (REST).
  std::vector<std::string> identity_source;
  // jwt
  std::string issuer;
  std::vector<std::string> audience;
  std::string jwks;  // a JWKS document given at deploy (offline); else discovered from the issuer
  // Lambda authorizers
  std::string function;  // the Lambda function name
  int result_ttl_s = 300;
  bool simple_responses = false;
  std::string payload_version = "2.0";  // HTTP API request authorizers
  // REST TOKEN: a regular expression (RE2 syntax) the whole token must match,
  // and its compiled form, made once when the configuration is read
  // (ApiConfigFromJson) and shared by every copy.
  std::string validation_expression;
  std::shared_ptr<const re2::RE2> validation_regex;
};

struct RouteConfig {
  bool rest = false;  // REST API (`http` event, payload 1.0) or HTTP API (`httpApi`)
  std::string method;  // upper case, "ANY" for any
  std::string path;    // "/users/{id}", or "$default" for the HTTP API catch-all
  std::string function;
  std::string payload_version = "2.0";  // HTTP API routes: "2.0" or "1.0"; REST always "1.0"
  std::string authorizer;               // a key of ApiConfig::authorizers, or ""
  std::vector<std::string> scopes;      // JWT scopes the route requires
  bool api_key_required = false;        // REST `private: true`
  std::optional<CorsConfig> cors;       // REST per-route CORS
  ThrottleConfig throttle;              // per-route; else the stage's
};

struct ApiKeyConfig {
  std::string name;
  std::string value;  // empty: the gateway gives the key one (api_keys.h)
  std::string usage_plan;  // a UsagePlanConfig name, or "" for the first plan
  bool enabled = true;
};

struct UsagePlanConfig {
  std::string name;
  ThrottleConfig throttle;
  int64_t quota_limit = 0;        // 0: no quota
  std::string quota_period = "MONTH";  // DAY, WEEK or MONTH
};

struct ApiConfig {
  std::string id;  // "<service>-<stage>", the base name in URLs
  std::string service;
  std::string stage;
  std::string http_api_id;  // ten lower-case characters, as API Gateway's ids
  std::string rest_api_id;
  std::optional<CorsConfig> http_cors;  // provider.httpApi.cors
  ThrottleConfig throttle;              // the stage's default route throttle
  std::map<std::string, AuthorizerConfig> authorizers;
  std::vector<RouteConfig> routes;
  std::vector<ApiKeyConfig> api_keys;
  std::vector<UsagePlanConfig> usage_plans;
  std::vector<std::string> binary_media_types;  // REST: what arrives base64
  // What the service's deploy created, so that the next deploy can delete
  // what left the file and `nimbus remove` can delete everything.
  std::vector<std::string> functions;
  std::vector<std::string> tables;
};

json::object ToJson(const ApiConfig& config);
// Reads and validates a configuration: route templates, unknown authorizers,
// authorizer settings the gateway cannot honour (an error, never a bypass).
// TOKEN authorizers' validation expressions come back compiled.
Result<ApiConfig> ApiConfigFromJson(const json::value& v);
Status Validate(const ApiConfig& config);

// Compiles an identityValidationExpression. RE2 matches in time linear in
// the token's length, whatever the expression; expressions RE2 does not
// support (back-references, look-arounds) are an error.
Result<std::shared_ptr<const re2::RE2>> CompileValidationExpression(const std::string& expression);

// A stable ten-character id, as API Gateway's API ids look ("a1b2c3d4e5").
std::string MakeApiId(const std::string& seed);

}  // namespace nimbus::gateway
