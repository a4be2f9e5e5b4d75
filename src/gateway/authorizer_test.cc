#include "gateway/authorizer.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"

namespace nimbus::gateway {
namespace {

const char* const kArn =
    "arn:aws:execute-api:us-east-1:123456789012:abc123defg/$default/GET/users/42";
const char* const kRestArn =
    "arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/GET/users/42";

json::value Parse(std::string_view text) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString() << ": " << text;
  return v.ok() ? *v : json::value();
}

// A Lambda authorizer function: records each event and answers a canned
// payload synchronously.
struct FakeFunction {
  std::vector<std::string> names;
  std::vector<json::value> events;
  std::string payload = R"({"isAuthorized": true})";
  std::string function_error;
  Status status;

  InvokeFunction Invoke() {
    return [this](const std::string& name, std::string event, invoker::InvokeCallback done) {
      names.push_back(name);
      events.push_back(Parse(event));
      invoker::InvokeResult r;
      r.status = status;
      r.payload = payload;
      r.function_error = function_error;
      done(std::move(r));
    };
  }
};

// One request to GET /users/42 of an HTTP API (or, with Rest(), a REST API's
// stage "dev") and the authorizer guarding it.
class AuthorizerTest : public ::testing::Test {
 protected:
  AuthorizerTest() : authorizers_(fn_.Invoke()) {
    request_.method = "GET";
    request_.path = "/users/42";
    request_.query = "tenant=t1";
    request_.headers = {{"Authorization", "Bearer abc"}, {"Host", "abc123defg.example.com"}};
    request_.peer = "127.0.0.1:4000";
    event_.request = &request_;
    event_.path = "/users/42";
    event_.stage = "$default";
    event_.route_key = "GET /users/{id}";
    event_.resource = "/users/{id}";
    event_.path_parameters = {{"id", "42"}};
    event_.api_id = "abc123defg";
    event_.time_ms = NowEpochMillis();
    config_.name = "auth";
    config_.type = "request";
    config_.function = "authorizer-fn";
    config_.identity_source = {"$request.header.Authorization"};
    config_.result_ttl_s = 0;
    route_.method = "GET";
    route_.path = "/users/{id}";
    route_.function = "handler";
    route_.authorizer = "auth";
    arn_ = kArn;
  }

  void Rest(std::string type) {
    route_.rest = true;
    event_.stage = "dev";
    config_.type = std::move(type);
    config_.identity_source = {"method.request.header.Authorization"};
    arn_ = kRestArn;
  }

  AuthDecision Authorize() {
    AuthRequest r;
    r.authorizer = &config_;
    r.route = &route_;
    r.event = &event_;
    r.arn = arn_;
    r.cache_scope = cache_scope_;
    std::optional<AuthDecision> decision;
    authorizers_.Authorize(r, [&](AuthDecision d) { decision = std::move(d); });
    EXPECT_TRUE(decision.has_value()) << "the decision did not come synchronously";
    return decision.value_or(AuthDecision{});
  }

  // A policy answer with one statement per (effect, resource).
  static std::string Policy(const std::vector<std::pair<std::string, std::string>>& statements,
                            const std::string& context = R"({"role": "admin"})") {
    json::array list;
    for (const auto& [effect, resource] : statements) {
      list.push_back(json::object{
          {"Action", "execute-api:Invoke"}, {"Effect", effect}, {"Resource", resource}});
    }
    json::object o{{"principalId", "user-1"},
                   {"policyDocument", json::object{{"Version", "2012-10-17"}, {"Statement", list}}},
                   {"context", Parse(context)}};
    return nimbus::ToJson(o);
  }

  FakeFunction fn_;
  Authorizers authorizers_;
  net::HttpRequest request_;
  EventInput event_;
  AuthorizerConfig config_;
  RouteConfig route_;
  std::string arn_;
  std::string cache_scope_ = "svc-dev";
};

void ExpectRefused(const AuthDecision& d, int status, const std::string& body,
                   const std::string& error_type = "") {
  EXPECT_EQ(d.status, status);
  EXPECT_EQ(nimbus::ToJson(d.body), body);
  EXPECT_EQ(d.error_type, error_type);
}

// ---- HTTP API, simple responses ------------------------------------------------------

TEST_F(AuthorizerTest, SimpleResponseAllowsWithContext) {
  config_.simple_responses = true;
  fn_.payload = R"({"isAuthorized": true, "context": {"userId": "u-1", "admin": false, "n": 3}})";
  AuthDecision d = Authorize();
  EXPECT_EQ(d.status, 0);
  EXPECT_EQ(d.context, Parse(R"({"lambda": {"userId": "u-1", "admin": false, "n": 3}})"));
  ASSERT_EQ(fn_.events.size(), 1u);
  EXPECT_EQ(fn_.names[0], "authorizer-fn");
  const json::object& e = fn_.events[0].as_object();
  EXPECT_EQ(e.at("version"), "2.0");
  EXPECT_EQ(e.at("type"), "REQUEST");
  EXPECT_EQ(e.at("routeArn"), kArn);
  EXPECT_EQ(e.at("identitySource"), Parse(R"(["Bearer abc"])"));
  EXPECT_EQ(e.at("routeKey"), "GET /users/{id}");
  EXPECT_EQ(e.at("pathParameters"), Parse(R"({"id": "42"})"));
  EXPECT_FALSE(e.contains("body"));
}

TEST_F(AuthorizerTest, SimpleResponseWithoutContextHasAnEmptyOne) {
  config_.simple_responses = true;
  fn_.payload = R"({"isAuthorized": true})";
  EXPECT_EQ(Authorize().context, Parse(R"({"lambda": {}})"));
}

TEST_F(AuthorizerTest, SimpleResponseDenies) {
  config_.simple_responses = true;
  fn_.payload = R"({"isAuthorized": false, "context": {"why": "no"}})";
  ExpectRefused(Authorize(), 403, R"({"message":"Forbidden"})");
}

TEST_F(AuthorizerTest, MalformedSimpleResponsesAre500) {
  config_.simple_responses = true;
  for (const char* bad : {R"({})", R"({"isAuthorized": "true"})", R"([true])", "42",
                          R"({"isAuthorized": true, "context": {"o": {"a": 1}}})",
                          R"({"isAuthorized": true, "context": {"l": [1]}})",
                          R"({"isAuthorized": true, "context": {"n": null}})",
                          R"({"isAuthorized": true, "context": "text"})", "not json"}) {
    SCOPED_TRACE(bad);
    fn_.payload = bad;
    ExpectRefused(Authorize(), 500, R"({"message":"Internal Server Error"})");
  }
}

// ---- HTTP API, IAM policies -------------------------------------------------------------

TEST_F(AuthorizerTest, HttpPolicyAllowPutsContextUnderLambda) {
  fn_.payload = Policy({{"Allow", "arn:aws:execute-api:us-east-1:123456789012:abc123defg/*"}});
  AuthDecision d = Authorize();
  EXPECT_EQ(d.status, 0);
  EXPECT_EQ(d.context, Parse(R"({"lambda": {"role": "admin"}})"));
}

TEST_F(AuthorizerTest, HttpPayload1SendsTheRequestEventAndPrincipal) {
  config_.payload_version = "1.0";
  fn_.payload = Policy({{"Allow", kArn}});
  AuthDecision d = Authorize();
  EXPECT_EQ(d.status, 0);
  EXPECT_EQ(d.context, Parse(R"({"lambda": {"role": "admin", "principalId": "user-1"}})"));
  ASSERT_EQ(fn_.events.size(), 1u);
  const json::object& e = fn_.events[0].as_object();
  EXPECT_EQ(e.at("type"), "REQUEST");
  EXPECT_EQ(e.at("methodArn"), kArn);
  EXPECT_EQ(e.at("multiValueHeaders").at("Authorization"), Parse(R"(["Bearer abc"])"));
  EXPECT_FALSE(e.contains("routeArn"));
}

TEST_F(AuthorizerTest, HttpPolicyDenyIsForbidden) {
  fn_.payload = Policy({{"Deny", kArn}});
  ExpectRefused(Authorize(), 403, R"({"message":"Forbidden"})");
  fn_.payload = Policy({{"Allow", "arn:aws:execute-api:us-east-1:123456789012:other/*"}});
  ExpectRefused(Authorize(), 403, R"({"message":"Forbidden"})");
}

// ---- REST API, IAM policies ------------------------------------------------------------

TEST_F(AuthorizerTest, TokenAuthorizerAllows) {
  Rest("token");
  fn_.payload =
      Policy({{"Allow", "arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/GET/users/*"}},
             R"({"role": "admin", "n": 1, "ok": true})");
  AuthDecision d = Authorize();
  EXPECT_EQ(d.status, 0);
  EXPECT_EQ(d.context, Parse(R"({"role": "admin", "n": 1, "ok": true, "principalId": "user-1",
                                  "integrationLatency": 0})"));
  ASSERT_EQ(fn_.events.size(), 1u);
  EXPECT_EQ(fn_.events[0],
            Parse(std::string(R"({"type": "TOKEN", "authorizationToken": "Bearer abc",
                                                  "methodArn": ")") +
                  kRestArn + "\"}"));
}

TEST_F(AuthorizerTest, RequestAuthorizerGetsTheRestEvent) {
  Rest("request");
  fn_.payload = Policy({{"Allow", "*"}});
  EXPECT_EQ(Authorize().status, 0);
  ASSERT_EQ(fn_.events.size(), 1u);
  const json::object& e = fn_.events[0].as_object();
  EXPECT_EQ(e.at("type"), "REQUEST");
  EXPECT_EQ(e.at("methodArn"), kRestArn);
  EXPECT_EQ(e.at("resource"), "/users/{id}");
  EXPECT_EQ(e.at("requestContext").at("path"), "/dev/users/42");
  EXPECT_EQ(e.at("queryStringParameters"), Parse(R"({"tenant": "t1"})"));
  EXPECT_FALSE(e.contains("version"));
  EXPECT_FALSE(e.contains("body"));
}

TEST_F(AuthorizerTest, RestExplicitDenyWins) {
  Rest("token");
  fn_.payload = Policy({{"Allow", "*"}, {"Deny", "arn:aws:execute-api:*:*:abc123defg/dev/GET/*"}});
  ExpectRefused(
      Authorize(), 403,
      R"({"Message":"User is not authorized to access this resource with an explicit deny"})",
      "AccessDeniedException");
}

TEST_F(AuthorizerTest, RestImplicitDeny) {
  Rest("token");
  // Allows another method only.
  fn_.payload =
      Policy({{"Allow", "arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/POST/*"}});
  ExpectRefused(Authorize(), 403, R"({"Message":"User is not authorized to access this resource"})",
                "AccessDeniedException");
  // A Deny of something else is not an explicit deny of this request.
  fn_.payload = Policy({{"Deny", "arn:aws:execute-api:us-east-1:123456789012:other/*"}});
  ExpectRefused(Authorize(), 403, R"({"Message":"User is not authorized to access this resource"})",
                "AccessDeniedException");
  fn_.payload = Policy({});
  EXPECT_EQ(Authorize().status, 403);
}

TEST_F(AuthorizerTest, PolicyActionsAndResourceLists) {
  Rest("token");
  auto with_statement = [&](const std::string& statement) {
    fn_.payload =
        std::string(R"({"principalId": "p", "policyDocument": {"Statement": )") + statement + "}}";
    return Authorize().status;
  };
  EXPECT_EQ(
      with_statement(R"({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"})"),
      0);  // a single statement object
  EXPECT_EQ(with_statement(R"([{"Effect": "Allow", "Action": ["s3:GetObject", "execute-api:*"],
                                "Resource": ["arn:other", ")" +
                           std::string(kRestArn) + R"("]}])"),
            0);
  EXPECT_EQ(with_statement(R"([{"Effect": "Allow", "Action": "*", "Resource": "*"}])"), 0);
  EXPECT_EQ(with_statement(R"([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])"),
            403);
  EXPECT_EQ(with_statement(R"([{"Effect": "Allow", "Resource": "*"}])"), 403);
  // A Deny whose action does not apply denies nothing.
  EXPECT_EQ(with_statement(R"([{"Effect": "Allow", "Action": "*", "Resource": "*"},
                               {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}])"),
            0);
}

TEST_F(AuthorizerTest, MalformedPoliciesAre500) {
  Rest("token");
  for (const char* bad :
       {R"({"principalId": "p"})", R"({"policyDocument": "x"})",
        R"({"policyDocument": {"Statement": [1]}})",
        R"({"policyDocument": {"Statement": [{"Action": "*", "Resource": "*"}]}})",
        R"({"policyDocument": {"Statement": []}, "context": {"a": {}}})", "[]", "not json"}) {
    SCOPED_TRACE(bad);
    fn_.payload = bad;
    ExpectRefused(Authorize(), 500, R"({"message":null})", "AuthorizerConfigurationException");
  }
}

TEST_F(AuthorizerTest, UsageIdentifierKeyIsPassedOn) {
  Rest("token");
  json::value policy = Parse(Policy({{"Allow", "*"}}));
  policy.as_object()["usageIdentifierKey"] = "key-from-authorizer-0123";
  fn_.payload = nimbus::ToJson(policy);
  EXPECT_EQ(Authorize().usage_key, "key-from-authorizer-0123");
}

// ---- Errors ---------------------------------------------------------------------------------

TEST_F(AuthorizerTest, UnauthorizedErrorIs401) {
  fn_.function_error = "Unhandled";
  fn_.payload = R"({"errorMessage": "Unauthorized", "errorType": "Error"})";
  ExpectRefused(Authorize(), 401, R"({"message":"Unauthorized"})");
  Rest("token");
  ExpectRefused(Authorize(), 401, R"({"message":"Unauthorized"})", "UnauthorizedException");
  // Returning the string "Unauthorized" is the same.
  fn_.function_error.clear();
  fn_.payload = R"("Unauthorized")";
  ExpectRefused(Authorize(), 401, R"({"message":"Unauthorized"})", "UnauthorizedException");
}

TEST_F(AuthorizerTest, OtherFailuresAre500) {
  fn_.function_error = "Unhandled";
  fn_.payload = R"({"errorMessage": "unauthorized", "errorType": "Error"})";  // not exactly
  ExpectRefused(Authorize(), 500, R"({"message":"Internal Server Error"})");
  fn_.payload = "not json";
  ExpectRefused(Authorize(), 500, R"({"message":"Internal Server Error"})");
  fn_.function_error.clear();
  fn_.status = Status(Code::kTimeout, "the authorizer timed out");
  ExpectRefused(Authorize(), 500, R"({"message":"Internal Server Error"})");
  Rest("token");
  ExpectRefused(Authorize(), 500, R"({"message":null})", "AuthorizerConfigurationException");
}

// ---- Identity sources --------------------------------------------------------------------

TEST_F(AuthorizerTest, MissingIdentityIs401WithoutInvoking) {
  request_.headers = {{"Host", "h"}};
  ExpectRefused(Authorize(), 401, R"({"message":"Unauthorized"})");
  request_.headers = {{"Authorization", ""}};  // empty counts as missing
  ExpectRefused(Authorize(), 401, R"({"message":"Unauthorized"})");
  // Every source must be present.
  request_.headers = {{"Authorization", "Bearer abc"}};
  config_.identity_source = {"$request.header.Authorization", "$request.querystring.missing"};
  ExpectRefused(Authorize(), 401, R"({"message":"Unauthorized"})");
  Rest("token");
  request_.headers = {};
  ExpectRefused(Authorize(), 401, R"({"message":"Unauthorized"})", "UnauthorizedException");
  EXPECT_TRUE(fn_.events.empty());
}

TEST_F(AuthorizerTest, NoIdentitySourceStillInvokes) {
  config_.identity_source.clear();
  config_.simple_responses = true;
  request_.headers = {};
  EXPECT_EQ(Authorize().status, 0);
  EXPECT_EQ(fn_.events.size(), 1u);
}

TEST_F(AuthorizerTest, IdentityValuesFromHeadersAndQuery) {
  request_.headers = {{"x-tenant", "acme"}, {"Authorization", "Bearer abc"}};
  request_.query = "k=v%201&empty=";
  config_.identity_source = {"$request.header.X-Tenant",
                             "$request.querystring.k",
                             "method.request.header.authorization",
                             "method.request.querystring.k",
                             "$request.querystring.empty",
                             "$request.header.Missing",
                             "$context.requestId"};
  EXPECT_EQ(Authorizers::IdentityValues(config_, event_),
            (std::vector<std::string>{"acme", "v 1", "Bearer abc", "v 1"}));
}

TEST_F(AuthorizerTest, TokenValidationExpressionRejectsWithoutInvoking) {
  Rest("token");
  config_.validation_expression = "Bearer [a-z]+";
  request_.headers = {{"Authorization", "Bearer 123"}};
  ExpectRefused(Authorize(), 401, R"({"message":"Unauthorized"})", "UnauthorizedException");
  EXPECT_TRUE(fn_.events.empty());
  // The whole value must match.
  request_.headers = {{"Authorization", "Bearer abc!"}};
  EXPECT_EQ(Authorize().status, 401);
  EXPECT_TRUE(fn_.events.empty());
  request_.headers = {{"Authorization", "Bearer abc"}};
  fn_.payload = Policy({{"Allow", "*"}});
  EXPECT_EQ(Authorize().status, 0);
  EXPECT_EQ(fn_.events.size(), 1u);
}

// A token of any length, against any expression, gets an answer: tokens over
// 4096 characters are refused before matching, and matching takes time linear
// in the token whatever the expression (no backtracking, no recursion per
// character).
TEST_F(AuthorizerTest, LongTokensAndPathologicalExpressionsAreRefused) {
  Rest("token");
  fn_.payload = Policy({{"Allow", "*"}});
  config_.validation_expression = "^Bearer (a|aa)+$";
  std::string longest = "Bearer " + std::string(4096 - 7, 'a');
  request_.headers = {{"Authorization", longest}};
  EXPECT_EQ(Authorize().status, 0);
  EXPECT_EQ(fn_.events.size(), 1u);
  request_.headers = {{"Authorization", longest + "a"}};
  ExpectRefused(Authorize(), 401, R"({"message":"Unauthorized"})", "UnauthorizedException");
  request_.headers = {{"Authorization", "Bearer " + std::string(30000, 'a')}};
  EXPECT_EQ(Authorize().status, 401);
  // The cap holds without an expression too.
  config_.validation_expression.clear();
  EXPECT_EQ(Authorize().status, 401);
  EXPECT_EQ(fn_.events.size(), 1u);
  // Exponential for a backtracking matcher; a plain no here.
  config_.validation_expression = "(a*)*b";
  request_.headers = {{"Authorization", std::string(4000, 'a')}};
  EXPECT_EQ(Authorize().status, 401);
  EXPECT_EQ(fn_.events.size(), 1u);
}

TEST_F(AuthorizerTest, TokenValidationUsesTheCompiledExpression) {
  Rest("token");
  fn_.payload = Policy({{"Allow", "*"}});
  config_.validation_expression = "Bearer [a-z]+";
  auto compiled = CompileValidationExpression(config_.validation_expression);
  ASSERT_TRUE(compiled.ok());
  config_.validation_regex = *compiled;
  request_.headers = {{"Authorization", "Bearer 123"}};
  EXPECT_EQ(Authorize().status, 401);
  request_.headers = {{"Authorization", "Bearer abc"}};
  EXPECT_EQ(Authorize().status, 0);
  // A compiled form left over from another expression is not used.
  config_.validation_expression = "Bearer [0-9]+";
  EXPECT_EQ(Authorize().status, 401);
  request_.headers = {{"Authorization", "Bearer 123"}};
  EXPECT_EQ(Authorize().status, 0);
}

// ---- Caching -------------------------------------------------------------------------------

TEST_F(AuthorizerTest, CachesByIdentity) {
  config_.result_ttl_s = 300;
  config_.simple_responses = true;
  fn_.payload = R"({"isAuthorized": true, "context": {"user": "a"}})";
  EXPECT_EQ(Authorize().context, Parse(R"({"lambda": {"user": "a"}})"));
  fn_.payload = R"({"isAuthorized": true, "context": {"user": "changed"}})";
  EXPECT_EQ(Authorize().context, Parse(R"({"lambda": {"user": "a"}})"));
  EXPECT_EQ(fn_.events.size(), 1u);
  request_.headers = {{"Authorization", "Bearer other"}};
  EXPECT_EQ(Authorize().context, Parse(R"({"lambda": {"user": "changed"}})"));
  EXPECT_EQ(fn_.events.size(), 2u);
  // Another API never shares the cache.
  request_.headers = {{"Authorization", "Bearer abc"}};
  cache_scope_ = "other-dev";
  Authorize();
  EXPECT_EQ(fn_.events.size(), 3u);
}

TEST_F(AuthorizerTest, CachedDenialsAndTheReusedPolicyGotcha) {
  Rest("token");
  config_.result_ttl_s = 300;
  // The policy allows only the first method ARN...
  fn_.payload = Policy({{"Allow", kRestArn}});
  EXPECT_EQ(Authorize().status, 0);
  // ...and is reused, unchanged, for another route with the same token.
  arn_ = "arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/GET/orders";
  EXPECT_EQ(Authorize().status, 403);
  EXPECT_EQ(fn_.events.size(), 1u);
  // Denials are cached too.
  request_.headers = {{"Authorization", "Bearer denied"}};
  fn_.payload = Policy({{"Deny", "*"}});
  EXPECT_EQ(Authorize().status, 403);
  EXPECT_EQ(Authorize().status, 403);
  EXPECT_EQ(fn_.events.size(), 2u);
}

TEST_F(AuthorizerTest, FailuresAndDisabledCachingAreNotCached) {
  config_.simple_responses = true;
  config_.result_ttl_s = 300;
  fn_.function_error = "Unhandled";
  fn_.payload = R"({"errorMessage": "Unauthorized"})";
  EXPECT_EQ(Authorize().status, 401);
  fn_.function_error.clear();
  fn_.payload = R"({"isAuthorized": true})";
  EXPECT_EQ(Authorize().status, 0);  // the 401 was not remembered
  EXPECT_EQ(fn_.events.size(), 2u);

  config_.result_ttl_s = 0;
  config_.name = "uncached";
  Authorize();
  Authorize();
  EXPECT_EQ(fn_.events.size(), 4u);
}

TEST_F(AuthorizerTest, CacheStaysBounded) {
  Rest("token");
  config_.result_ttl_s = 300;
  fn_.payload = Policy({{"Deny", "*"}});
  // The cache holds at most 10000 results; the 10001st identity makes room.
  for (int i = 0; i <= 10000; ++i) {
    request_.headers = {{"Authorization", "Bearer t" + std::to_string(i)}};
    ASSERT_EQ(Authorize().status, 403);
  }
  EXPECT_EQ(fn_.events.size(), 10001u);
  Authorize();  // the last identity is still cached
  EXPECT_EQ(fn_.events.size(), 10001u);
  request_.headers = {{"Authorization", "Bearer t0"}};
  Authorize();  // the first is not any more
  EXPECT_EQ(fn_.events.size(), 10002u);
}

// ---- ARN patterns -------------------------------------------------------------------------

TEST(ArnMatchesTest, Wildcards) {
  EXPECT_TRUE(ArnMatches("*", kRestArn));
  EXPECT_TRUE(ArnMatches(kRestArn, kRestArn));
  EXPECT_TRUE(ArnMatches("arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/GET/users/*",
                         kRestArn));
  EXPECT_TRUE(ArnMatches("arn:aws:execute-api:*:*:abc123defg/*/GET/*", kRestArn));
  EXPECT_TRUE(
      ArnMatches("arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/*/users/4?", kRestArn));
  // '*' spans '/', as in IAM.
  EXPECT_TRUE(ArnMatches("arn:aws:execute-api:us-east-1:123456789012:abc123defg/*", kRestArn));
  EXPECT_FALSE(
      ArnMatches("arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/POST/*", kRestArn));
  EXPECT_FALSE(
      ArnMatches("arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/GET/users", kRestArn));
  EXPECT_FALSE(ArnMatches("arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/GET/users/4",
                          kRestArn));

  EXPECT_TRUE(ArnMatches("a?c", "abc"));
  EXPECT_FALSE(ArnMatches("a?c", "ac"));
  EXPECT_TRUE(ArnMatches("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(ArnMatches("a*b*c", "aXXbYY"));
  EXPECT_TRUE(ArnMatches("*a*b", "xaybab"));
  EXPECT_TRUE(ArnMatches("a**", "a"));
  EXPECT_TRUE(ArnMatches("", ""));
  EXPECT_FALSE(ArnMatches("", "a"));
  EXPECT_FALSE(ArnMatches("abc", "ab"));
  EXPECT_FALSE(ArnMatches("ab", "abc"));
  EXPECT_TRUE(ArnMatches("execute-api:*", "execute-api:Invoke"));
}

}  // namespace
}  // namespace nimbus::gateway
