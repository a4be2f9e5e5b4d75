// The route authorizers: JWT (verified in process against the issuer's
// keys), Lambda authorizers (TOKEN and REQUEST, simple and IAM-policy
// responses, with result caching by identity), each answering as API
// Gateway does when access is refused.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/json.h"
#include "gateway/api_config.h"
#include "gateway/events.h"
#include "gateway/gateway.h"
#include "gateway/jwt.h"
#include "gateway/jwt_keys.h"
#include "net/http.h"

namespace nimbus::gateway {

struct AuthDecision {
  int status = 0;           // 0: allowed; else the HTTP status to answer with
  json::value body;         // the error body when refused
  std::string error_type;   // REST's x-amzn-ErrorType when refused
  std::vector<net::Header> headers;  // e.g. www-authenticate
  json::value context;      // requestContext.authorizer when allowed
  std::string usage_key;    // a Lambda authorizer's usageIdentifierKey
};

// What an authorizer needs to know about the request beyond the event input.
struct AuthRequest {
  const AuthorizerConfig* authorizer = nullptr;
  const RouteConfig* route = nullptr;
  const EventInput* event = nullptr;
  std::string arn;  // the method/route ARN of this request
  std::string cache_scope;  // the API's id: caches never cross APIs
};

class Authorizers {
 public:
  explicit Authorizers(InvokeFunction invoke, JwtKeysOptions keys = {});
  ~Authorizers();

  void Authorize(const AuthRequest& request, std::function<void(AuthDecision)> done);

  // Values of an authorizer's identity sources for this request; missing
  // ones are left out, so a size below identity_source.size() means missing.
  static std::vector<std::string> IdentityValues(const AuthorizerConfig& a, const EventInput& in);

 private:
  struct CachedResult {
    int64_t expires_ms = 0;
    json::value response;  // the authorizer function's answer
  };

  void AuthorizeJwt(const AuthRequest& request, std::function<void(AuthDecision)> done);
  static AuthDecision JwtDecision(const AuthRequest& request, const Result<VerifiedToken>& verified);
  AuthDecision Decide(const AuthRequest& request, const json::value& response) const;

  InvokeFunction invoke_;
  std::mutex mu_;
  std::map<std::string, CachedResult> cache_;
  // Last: its fetching thread, which calls back into this object, stops first.
  std::unique_ptr<JwtKeys> keys_;
};

// Whether IAM `pattern` (with * and ? wildcards) matches `arn`.
bool ArnMatches(std::string_view pattern, std::string_view arn);

}  // namespace nimbus::gateway
