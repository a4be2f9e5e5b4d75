#include "gateway/authorizer.h"

#include <re2/re2.h>
#include <spdlog/spdlog.h>

#include "core/strings.h"
#include "core/time.h"
#include "gateway/jwt.h"
#include "gateway/jwk_set.h"
#include "gateway/jwt_keys.h"

namespace nimbus::gateway {
namespace {

// Cached results are keyed by the client's identity values: without a bound,
// a client sending ever new tokens would grow the cache without end.
constexpr size_t kMaxCachedResults = 10000;

// A TOKEN authorizer's token longer than this is refused as a token that
// fails its validation expression is: 401 without calling the authorizer.
constexpr size_t kMaxTokenLength = 4096;

AuthDecision Refuse(int status, json::value body, std::string error_type = {}) {
  AuthDecision d;
  d.status = status;
  d.body = std::move(body);
  d.error_type = std::move(error_type);
  return d;
}

json::object Message(const char* text) { return {{"message", text}}; }

AuthDecision Unauthorized(bool rest) {
  return Refuse(401, Message("Unauthorized"), rest ? "UnauthorizedException" : "");
}

// Whether `token` may go to a TOKEN authorizer: within the length cap and,
// when the authorizer has an identityValidationExpression, matching it whole.
// The expression is normally compiled with the configuration; one built in
// code without it is compiled here.
bool ValidToken(const AuthorizerConfig& a, const std::string& token) {
  if (token.size() > kMaxTokenLength) return false;
  if (a.validation_expression.empty()) return true;
  std::shared_ptr<const re2::RE2> re = a.validation_regex;
  if (!re || re->pattern() != a.validation_expression) {
    auto compiled = CompileValidationExpression(a.validation_expression);
    if (!compiled.ok()) return false;
    re = std::move(*compiled);
  }
  return RE2::FullMatch(token, *re);
}

AuthDecision AuthorizerFailure(bool rest) {
  return rest ? Refuse(500, json::object{{"message", nullptr}}, "AuthorizerConfigurationException")
              : Refuse(500, Message("Internal Server Error"));
}

// A claim as HTTP APIs pass claims to handlers: every value a string.
std::string ClaimText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_array()) {
    std::string out = "[";
    for (const auto& e : v.get_array()) {
      if (out.size() > 1) out += " ";
      out += e.is_string() ? std::string(e.get_string()) : nimbus::ToJson(e);
    }
    return out + "]";
  }
  return nimbus::ToJson(v);
}

bool ScalarContext(const json::value& context) {
  if (context.is_null()) return true;
  if (!context.is_object()) return false;
  for (const auto& [k, v] : context.get_object()) {
    if (!(v.is_string() || v.is_number() || v.is_bool())) return false;
  }
  return true;
}

std::vector<std::string> StringOrList(const json::value* v) {
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

}  // namespace

bool ArnMatches(std::string_view pattern, std::string_view arn) {
  // Iterative glob match with backtracking on the last '*'.
  size_t p = 0, a = 0, star = std::string_view::npos, mark = 0;
  while (a < arn.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == arn[a])) {
      ++p, ++a;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = a;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      a = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Authorizers::Authorizers(InvokeFunction invoke, JwtKeysOptions keys)
    : invoke_(std::move(invoke)), keys_(std::make_unique<JwtKeys>(std::move(keys))) {}
Authorizers::~Authorizers() = default;

std::vector<std::string> Authorizers::IdentityValues(const AuthorizerConfig& a, const EventInput& in) {
  std::vector<std::string> values;
  for (const std::string& source : a.identity_source) {
    std::string_view s = source;
    const std::string* found = nullptr;
    std::optional<std::string> query;
    for (std::string_view prefix : {"$request.header.", "method.request.header."}) {
      if (s.starts_with(prefix)) found = in.request->FindHeader(s.substr(prefix.size()));
    }
    for (std::string_view prefix : {"$request.querystring.", "method.request.querystring."}) {
      if (s.starts_with(prefix)) query = in.request->Query(s.substr(prefix.size()));
    }
    if (found && !found->empty()) values.push_back(*found);
    if (query && !query->empty()) values.push_back(*query);
  }
  return values;
}

void Authorizers::AuthorizeJwt(const AuthRequest& request,
                               std::function<void(AuthDecision)> done) {
  const AuthorizerConfig& a = *request.authorizer;
  std::vector<std::string> identity = IdentityValues(a, *request.event);
  if (identity.empty()) return done(Unauthorized(false));
  std::string token(StripBearer(identity.front()));
  keys_->Get(a, false, [this, request, token, done = std::move(done)](
                           std::shared_ptr<const JwkSet> keys) mutable {
    if (!keys) return done(Refuse(500, Message("Internal Server Error")));
    const AuthorizerConfig& a = *request.authorizer;
    JwtPolicy policy{a.issuer, a.audience, NowEpochMillis() / 1000, 0};
    auto verified = VerifyJwt(token, *keys, policy);
    if (verified.ok() || !a.jwks.empty()) return done(JwtDecision(request, verified));
    // A key rotated since the keys were fetched: ask for them once more.
    keys_->Get(a, true, [request, token, keys, policy, verified = std::move(verified),
                         done = std::move(done)](std::shared_ptr<const JwkSet> fresh) mutable {
      if (fresh && fresh != keys) verified = VerifyJwt(token, *fresh, policy);
      done(JwtDecision(request, verified));
    });
  });
}

AuthDecision Authorizers::JwtDecision(const AuthRequest& request,
                                      const Result<VerifiedToken>& verified) {
  if (!verified.ok()) {
    AuthDecision d = Unauthorized(false);
    d.headers.push_back({"www-authenticate", "Bearer scope=\"\" error=\"invalid_token\" error_description=\"" +
                                                 verified.status().message() + "\""});
    return d;
  }
  const auto& required = request.route->scopes;
  if (!required.empty()) {
    bool any = false;
    for (const auto& s : required) {
      any = any || std::find(verified->scopes.begin(), verified->scopes.end(), s) != verified->scopes.end();
    }
    if (!any) {
      std::string wanted;
      for (const auto& s : required) wanted += (wanted.empty() ? "" : " ") + s;
      AuthDecision d = Refuse(403, Message("Forbidden"));
      d.headers.push_back({"www-authenticate", "Bearer scope=\"" + wanted +
                                                   "\" error=\"insufficient_scope\" "
                                                   "error_description=\"the token does not have the required scopes\""});
      return d;
    }
  }
  json::object claims;
  for (const auto& [k, v] : verified->claims) claims[k] = ClaimText(v);
  json::value scopes = nullptr;
  if (!verified->scopes.empty()) {
    json::array list;
    for (const auto& s : verified->scopes) list.emplace_back(s);
    scopes = std::move(list);
  }
  AuthDecision d;
  d.context = json::object{{"jwt", json::object{{"claims", std::move(claims)}, {"scopes", std::move(scopes)}}}};
  return d;
}

void Authorizers::Authorize(const AuthRequest& request, std::function<void(AuthDecision)> done) {
  const AuthorizerConfig& a = *request.authorizer;
  const bool rest = request.route->rest;
  if (a.type == "jwt") return AuthorizeJwt(request, std::move(done));

  // Lambda authorizers.
  std::vector<std::string> identity = IdentityValues(a, *request.event);
  std::string token;
  if (a.type == "token") {
    if (identity.empty()) return done(Unauthorized(rest));
    token = identity.front();
    if (!ValidToken(a, token)) return done(Unauthorized(rest));
  } else if (!a.identity_source.empty() && identity.size() < a.identity_source.size()) {
    return done(Unauthorized(rest));
  }
  std::string cache_key;
  if (a.result_ttl_s > 0) {
    cache_key = request.cache_scope + "|" + a.name;
    for (const auto& v : identity) cache_key += "|" + v;
    std::lock_guard lock(mu_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end() && it->second.expires_ms > NowEpochMillis()) {
      return done(Decide(request, it->second.response));
    }
  }
  json::object event;
  if (a.type == "token") {
    event = BuildTokenAuthorizerEvent(token, request.arn);
  } else if (!rest && a.payload_version == "2.0") {
    event = BuildAuthorizerEventV2(*request.event, identity, request.arn);
  } else {
    event = BuildRequestAuthorizerEventV1(*request.event, request.arn);
  }
  invoke_(a.function, nimbus::ToJson(event),
          [this, request, cache_key, ttl = a.result_ttl_s, done = std::move(done),
           rest](invoker::InvokeResult result) {
            if (!result.status.ok()) return done(AuthorizerFailure(rest));
            auto parsed = ParseJson(result.payload);
            if (!result.function_error.empty()) {
              // Throwing "Unauthorized" is how an authorizer says 401.
              if (parsed.ok() && parsed->is_object()) {
                auto* msg = parsed->get_object().if_contains("errorMessage");
                if (msg && msg->is_string() && msg->get_string() == "Unauthorized") {
                  return done(Unauthorized(rest));
                }
              }
              return done(AuthorizerFailure(rest));
            }
            if (!parsed.ok()) return done(AuthorizerFailure(rest));
            AuthDecision d = Decide(request, *parsed);
            if (!cache_key.empty() && (d.status == 0 || d.status == 403)) {
              int64_t now = NowEpochMillis();
              std::lock_guard lock(mu_);
              if (cache_.size() >= kMaxCachedResults && !cache_.contains(cache_key)) {
                std::erase_if(cache_, [now](const auto& e) { return e.second.expires_ms <= now; });
                if (cache_.size() >= kMaxCachedResults) cache_.clear();  // only a cache
              }
              cache_[cache_key] = {now + ttl * 1000LL, *parsed};
            }
            done(std::move(d));
          });
}

AuthDecision Authorizers::Decide(const AuthRequest& request, const json::value& response) const {
  const AuthorizerConfig& a = *request.authorizer;
  const bool rest = request.route->rest;
  if (!response.is_object()) {
    if (response.is_string() && response.get_string() == "Unauthorized") return Unauthorized(rest);
    return AuthorizerFailure(rest);
  }
  const json::object& o = response.get_object();
  const json::value* context = o.if_contains("context");
  if (context && !ScalarContext(*context)) return AuthorizerFailure(rest);
  if (!rest && a.simple_responses) {
    const json::value* ok = o.if_contains("isAuthorized");
    if (!ok || !ok->is_bool()) return AuthorizerFailure(rest);
    if (!ok->get_bool()) return Refuse(403, Message("Forbidden"));
    AuthDecision d;
    d.context = json::object{{"lambda", context && !context->is_null() ? *context : json::object()}};
    return d;
  }
  // An IAM policy: an explicit Deny wins; otherwise an Allow must match.
  const json::value* doc = o.if_contains("policyDocument");
  if (!doc || !doc->is_object()) return AuthorizerFailure(rest);
  const json::value* statements = doc->get_object().if_contains("Statement");
  std::vector<const json::object*> list;
  if (statements && statements->is_object()) list.push_back(&statements->get_object());
  if (statements && statements->is_array()) {
    for (const auto& s : statements->get_array()) {
      if (!s.is_object()) return AuthorizerFailure(rest);
      list.push_back(&s.get_object());
    }
  }
  bool allowed = false, denied = false;
  for (const json::object* s : list) {
    const json::value* effect = s->if_contains("Effect");
    if (!effect || !effect->is_string()) return AuthorizerFailure(rest);
    bool action_ok = false;
    for (const auto& action : StringOrList(s->if_contains("Action"))) {
      action_ok = action_ok || ArnMatches(action, "execute-api:Invoke");
    }
    bool resource_ok = false;
    for (const auto& resource : StringOrList(s->if_contains("Resource"))) {
      resource_ok = resource_ok || ArnMatches(resource, request.arn);
    }
    if (!action_ok || !resource_ok) continue;
    if (effect->get_string() == "Deny") denied = true;
    if (effect->get_string() == "Allow") allowed = true;
  }
  if (denied || !allowed) {
    if (!rest) return Refuse(403, Message("Forbidden"));
    return Refuse(403,
                  json::object{{"Message", denied ? "User is not authorized to access this resource "
                                                    "with an explicit deny"
                                                  : "User is not authorized to access this resource"}},
                  "AccessDeniedException");
  }
  AuthDecision d;
  json::object ctx;
  if (context && context->is_object()) ctx = context->get_object();
  if (const json::value* principal = o.if_contains("principalId")) {
    if (rest || a.payload_version == "1.0") ctx["principalId"] = *principal;
  }
  if (rest) {
    ctx["integrationLatency"] = 0;
    d.context = std::move(ctx);
  } else {
    d.context = json::object{{"lambda", std::move(ctx)}};
  }
  if (const json::value* key = o.if_contains("usageIdentifierKey"); key && key->is_string()) {
    d.usage_key = std::string(key->get_string());
  }
  return d;
}

}  // namespace nimbus::gateway
