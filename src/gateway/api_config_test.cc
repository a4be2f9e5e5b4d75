#include "gateway/api_config.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>

namespace nimbus::gateway {
namespace {

json::value Parse(std::string_view text) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString() << ": " << text;
  return v.ok() ? *v : json::value();
}

const char* const kKey = "abcdefghijklmnopqrstuvwxyz012345";
const char* const kJwks =
    R"({"keys": [{"kty": "oct", "kid": "h", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}]})";

RouteConfig Route(std::string method, std::string path, bool rest = false) {
  RouteConfig r;
  r.rest = rest;
  r.method = std::move(method);
  r.path = std::move(path);
  r.function = "handler";
  r.payload_version = rest ? "1.0" : "2.0";
  return r;
}

// A configuration using every feature, valid as it stands.
ApiConfig Full() {
  ApiConfig c;
  c.id = "shop-dev";
  c.service = "shop";
  c.stage = "dev";
  c.http_api_id = MakeApiId("http:shop-dev");
  c.rest_api_id = MakeApiId("rest:shop-dev");
  CorsConfig cors;
  cors.allow_origins = {"https://app.example.com"};
  cors.allow_headers = {"Content-Type"};
  cors.allow_methods = {"GET", "POST"};
  cors.expose_headers = {"X-Id"};
  cors.allow_credentials = true;
  cors.max_age = 300;
  c.http_cors = cors;
  c.throttle = {100, 200};
  c.binary_media_types = {"image/*"};

  AuthorizerConfig jwt;
  jwt.name = "jwt";
  jwt.type = "jwt";
  jwt.identity_source = {"$request.header.Authorization"};
  jwt.issuer = "https://issuer.example.com";
  jwt.audience = {"app", "cli"};
  jwt.jwks = kJwks;
  c.authorizers["jwt"] = jwt;
  AuthorizerConfig request;
  request.name = "lambda";
  request.type = "request";
  request.identity_source = {"$request.header.X-Token", "$request.querystring.t"};
  request.function = "auth-fn";
  request.result_ttl_s = 60;
  request.simple_responses = true;
  request.payload_version = "1.0";
  c.authorizers["lambda"] = request;
  AuthorizerConfig token;
  token.name = "token";
  token.type = "token";
  token.identity_source = {"method.request.header.Authorization"};
  token.function = "token-fn";
  token.result_ttl_s = 0;
  token.validation_expression = "^Bearer [-0-9a-zA-Z._]+$";
  c.authorizers["token"] = token;

  RouteConfig get = Route("GET", "/users/{id}");
  get.authorizer = "jwt";
  get.scopes = {"users.read"};
  get.throttle = {5, 10};
  c.routes.push_back(get);
  RouteConfig any = Route("ANY", "$default");
  any.payload_version = "1.0";
  any.authorizer = "lambda";
  c.routes.push_back(any);
  RouteConfig rest = Route("POST", "/orders/{proxy+}", /*rest=*/true);
  rest.authorizer = "token";
  rest.api_key_required = true;
  rest.cors = cors;
  c.routes.push_back(rest);
  c.routes.push_back(Route("GET", "/users/{id}", /*rest=*/true));  // REST and HTTP do not clash

  UsagePlanConfig plan;
  plan.name = "basic";
  plan.throttle = {1, 2};
  plan.quota_limit = 1000;
  plan.quota_period = "WEEK";
  c.usage_plans.push_back(plan);
  c.api_keys.push_back({"ci", kKey, "basic", true});
  c.api_keys.push_back({"old", std::string(kKey) + "x", "", false});
  return c;
}

// The InvalidArgument message of validating `c`.
std::string Invalid(const ApiConfig& c) {
  Status s = Validate(c);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  return s.message();
}

// The InvalidArgument message of reading `Full()`'s JSON with `edit` applied.
template <typename Edit>
std::string InvalidJson(Edit edit) {
  json::value v = ToJson(Full());
  edit(v.as_object());
  auto c = ApiConfigFromJson(v);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
  return c.status().message();
}

TEST(ApiConfigTest, FullConfigurationIsValid) {
  Status s = Validate(Full());
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(ApiConfigTest, JsonRoundTrip) {
  ApiConfig original = Full();
  json::object json = ToJson(original);
  auto read = ApiConfigFromJson(json);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(ToJson(*read), json);

  const ApiConfig& c = *read;
  EXPECT_EQ(c.id, "shop-dev");
  EXPECT_EQ(c.http_api_id, original.http_api_id);
  ASSERT_TRUE(c.http_cors.has_value());
  EXPECT_EQ(c.http_cors->allow_origins, std::vector<std::string>{"https://app.example.com"});
  EXPECT_TRUE(c.http_cors->allow_credentials);
  EXPECT_EQ(c.http_cors->max_age, 300);
  EXPECT_EQ(c.throttle.rate, 100);
  EXPECT_EQ(c.throttle.burst, 200);
  EXPECT_EQ(c.binary_media_types, std::vector<std::string>{"image/*"});
  ASSERT_EQ(c.authorizers.size(), 3u);
  const AuthorizerConfig& lambda = c.authorizers.at("lambda");
  EXPECT_EQ(lambda.name, "lambda");
  EXPECT_EQ(lambda.identity_source,
            (std::vector<std::string>{"$request.header.X-Token", "$request.querystring.t"}));
  EXPECT_EQ(lambda.result_ttl_s, 60);
  EXPECT_TRUE(lambda.simple_responses);
  EXPECT_EQ(lambda.payload_version, "1.0");
  EXPECT_EQ(c.authorizers.at("jwt").jwks, kJwks);
  EXPECT_EQ(c.authorizers.at("jwt").audience, (std::vector<std::string>{"app", "cli"}));
  EXPECT_EQ(c.authorizers.at("token").validation_expression, "^Bearer [-0-9a-zA-Z._]+$");
  ASSERT_EQ(c.routes.size(), 4u);
  EXPECT_EQ(c.routes[0].scopes, std::vector<std::string>{"users.read"});
  EXPECT_EQ(c.routes[0].throttle.burst, 10);
  EXPECT_FALSE(c.routes[0].cors.has_value());
  EXPECT_EQ(c.routes[1].path, "$default");
  EXPECT_TRUE(c.routes[2].rest);
  EXPECT_TRUE(c.routes[2].api_key_required);
  ASSERT_TRUE(c.routes[2].cors.has_value());
  EXPECT_EQ(c.routes[2].cors->expose_headers, std::vector<std::string>{"X-Id"});
  ASSERT_EQ(c.usage_plans.size(), 1u);
  EXPECT_EQ(c.usage_plans[0].quota_limit, 1000);
  EXPECT_EQ(c.usage_plans[0].quota_period, "WEEK");
  ASSERT_EQ(c.api_keys.size(), 2u);
  EXPECT_EQ(c.api_keys[0].usage_plan, "basic");
  EXPECT_FALSE(c.api_keys[1].enabled);
}

TEST(ApiConfigTest, ValidationExpressionIsCompiledOnRead) {
  auto read = ApiConfigFromJson(ToJson(Full()));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const AuthorizerConfig& token = read->authorizers.at("token");
  ASSERT_NE(token.validation_regex, nullptr);
  EXPECT_EQ(token.validation_regex->pattern(), token.validation_expression);
  EXPECT_EQ(read->authorizers.at("lambda").validation_regex, nullptr);
  // Copies of the configuration share the one compiled expression.
  ApiConfig copy = *read;
  EXPECT_EQ(copy.authorizers.at("token").validation_regex, token.validation_regex);
  EXPECT_EQ(InvalidJson([](json::object& o) {
              o["authorizers"].as_object()["token"].as_object()["validation_expression"] = "(?=a)";
            }),
            "authorizer token: identityValidationExpression is not a valid regular expression "
            "(invalid perl operator: (?=)");
}

TEST(ApiConfigTest, MinimalJsonGetsDefaults) {
  auto c = ApiConfigFromJson(Parse(R"({"id": "svc-dev",
      "routes": [{"method": "GET", "path": "/", "function": "f"}],
      "authorizers": {"a": {"type": "request", "function": "g", "identity_source": "$request.header.A"}},
      "usage_plans": [{"name": "p"}]})"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->http_cors.has_value());
  EXPECT_FALSE(c->throttle.enabled());
  EXPECT_EQ(c->routes[0].payload_version, "2.0");
  EXPECT_FALSE(c->routes[0].rest);
  const AuthorizerConfig& a = c->authorizers.at("a");
  EXPECT_EQ(a.result_ttl_s, 300);
  EXPECT_EQ(a.payload_version, "2.0");
  EXPECT_EQ(a.identity_source, std::vector<std::string>{"$request.header.A"});  // one string
  EXPECT_EQ(c->usage_plans[0].quota_period, "MONTH");
  EXPECT_EQ(c->usage_plans[0].quota_limit, 0);
}

TEST(ApiConfigTest, ThrottleBurstDefaultsToTheRate) {
  auto burst_of = [](const char* throttle) {
    auto c = ApiConfigFromJson(Parse(std::string(R"({"id": "a", "throttle": )") + throttle + "}"));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c->throttle.burst : -1;
  };
  EXPECT_EQ(burst_of(R"({"rate": 50})"), 50);
  EXPECT_EQ(burst_of(R"({"rate": 0.5})"), 1);
  EXPECT_EQ(burst_of(R"({"rate": 5, "burst": 7})"), 7);
  EXPECT_EQ(burst_of(R"({"rate": 0})"), 0);
  EXPECT_EQ(burst_of("null"), 0);
}

TEST(ApiConfigTest, JsonTypeErrors) {
  EXPECT_EQ(ApiConfigFromJson(Parse("[]")).status().message(),
            "the API configuration must be a JSON object");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["id"] = 5; }), "id must be a string");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["binary_media_types"] = json::array{1}; }),
            "binary_media_types must be a list of strings");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["binary_media_types"] = 1; }),
            "binary_media_types must be a list of strings");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["throttle"] = 5; }), "throttle must be an object");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["throttle"] = Parse(R"({"rate": "fast"})"); }),
            "rate must be a number");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["throttle"] = Parse(R"({"rate": -1})"); }),
            "throttle must not be negative");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["http_cors"] = "yes"; }), "cors must be an object");
  EXPECT_EQ(
      InvalidJson([](json::object& o) { o["http_cors"].as_object()["allow_credentials"] = 1; }),
      "allow_credentials must be true or false");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["authorizers"] = json::array(); }),
            "authorizers must be an object");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["authorizers"].as_object()["x"] = 1; }),
            "authorizer x must be an object");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["routes"] = json::object(); }),
            "routes must be a list");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["routes"].as_array().push_back(1); }),
            "each route must be an object");
  EXPECT_EQ(
      InvalidJson([](json::object& o) { o["routes"].as_array()[0].as_object()["rest"] = "no"; }),
      "rest must be true or false");
  EXPECT_EQ(
      InvalidJson([](json::object& o) { o["routes"].as_array()[0].as_object()["scopes"] = 1; }),
      "scopes must be a list of strings");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["api_keys"] = 1; }), "api_keys must be a list");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["api_keys"].as_array().push_back("k"); }),
            "each API key must be an object");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["usage_plans"] = 1; }),
            "usage_plans must be a list");
  EXPECT_EQ(InvalidJson([](json::object& o) { o["usage_plans"].as_array().push_back(1); }),
            "each usage plan must be an object");
}

TEST(ApiConfigTest, IntegersMustBeWholeAndInRange) {
  auto ttl = [](json::value v) {
    return [v](json::object& o) {
      o["authorizers"].as_object()["lambda"].as_object()["result_ttl_s"] = v;
    };
  };
  const std::string int_range =
      "result_ttl_s must be a whole number from -2147483648 to 2147483647";
  EXPECT_EQ(InvalidJson(ttl(1.5)), int_range);
  // 2^32 + 100 must not wrap around to a valid 100.
  EXPECT_EQ(InvalidJson(ttl(4294967396LL)), int_range);
  EXPECT_EQ(InvalidJson(ttl(1e300)), int_range);
  EXPECT_EQ(InvalidJson(ttl(18446744073709551615ULL)), int_range);
  // A whole number written as a double is fine.
  json::value v = ToJson(Full());
  v.as_object()["authorizers"].as_object()["lambda"].as_object()["result_ttl_s"] = 120.0;
  auto c = ApiConfigFromJson(v);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->authorizers.at("lambda").result_ttl_s, 120);
  EXPECT_EQ(InvalidJson([](json::object& o) {
              o["usage_plans"].as_array()[0].as_object()["quota_limit"] = 1e30;
            }),
            "quota_limit must be a whole number from -9223372036854775808 to 9223372036854775807");
}

TEST(ApiConfigTest, JsonIsValidated) {
  EXPECT_EQ(InvalidJson([](json::object& o) { o["id"] = ""; }),
            "API id '' must start with a letter and hold only letters, digits and '-'");
}

TEST(ApiConfigValidateTest, ApiId) {
  for (const char* bad : {"", "1shop", "shop_dev", "shop dev", "-shop"}) {
    ApiConfig c = Full();
    c.id = bad;
    EXPECT_EQ(Invalid(c), "API id '" + std::string(bad) +
                              "' must start with a letter and hold only letters, digits and '-'");
  }
  ApiConfig c = Full();
  c.id = std::string(129, 'a');
  Invalid(c);
  c.id = std::string(128, 'a');
  EXPECT_TRUE(Validate(c).ok());
}

TEST(ApiConfigValidateTest, JwtAuthorizers) {
  ApiConfig c = Full();
  c.authorizers["jwt"].issuer.clear();
  EXPECT_EQ(Invalid(c), "JWT authorizer jwt needs an issuerUrl");
  c = Full();
  c.authorizers["jwt"].audience.clear();
  EXPECT_EQ(Invalid(c), "JWT authorizer jwt needs an audience");
  c = Full();
  c.authorizers["jwt"].jwks = R"({"keys": [{"kty": "oct", "k": "c2hvcnQ"}]})";
  EXPECT_EQ(Invalid(c),
            "JWT authorizer jwt: invalid JWKS document: key 0: an HMAC secret must be at least 32 "
            "bytes");
  c.authorizers["jwt"].jwks = "not json";
  EXPECT_EQ(Invalid(c).rfind("JWT authorizer jwt: the JWKS document is not JSON", 0), 0u);
  c.authorizers["jwt"].jwks.clear();  // discovered from the issuer instead
  EXPECT_TRUE(Validate(c).ok());
}

TEST(ApiConfigValidateTest, LambdaAuthorizers) {
  ApiConfig c = Full();
  c.authorizers["lambda"].function.clear();
  EXPECT_EQ(Invalid(c), "Lambda authorizer lambda needs a function");
  for (int ttl : {-1, 3601}) {
    c = Full();
    c.authorizers["lambda"].result_ttl_s = ttl;
    EXPECT_EQ(Invalid(c), "authorizer lambda: resultTtlInSeconds must be 0-3600");
  }
  c = Full();
  c.authorizers["lambda"].result_ttl_s = 3600;
  EXPECT_TRUE(Validate(c).ok());
  c.authorizers["lambda"].identity_source.clear();
  EXPECT_EQ(Invalid(c),
            "authorizer lambda: caching (resultTtlInSeconds > 0) needs an identitySource");
  c.authorizers["lambda"].result_ttl_s = 0;
  EXPECT_TRUE(Validate(c).ok());
  c = Full();
  c.authorizers["lambda"].payload_version = "2";
  EXPECT_EQ(Invalid(c), "authorizer lambda: payloadVersion must be '1.0' or '2.0'");
  c = Full();
  c.authorizers["token"].validation_expression = "([a-z]";
  EXPECT_EQ(Invalid(c),
            "authorizer token: identityValidationExpression is not a valid regular expression "
            "(missing ): ([a-z])");
  // Back-references would need a backtracking matcher: refused at deploy.
  c.authorizers["token"].validation_expression = "^(a+)\\1$";
  EXPECT_EQ(Invalid(c),
            "authorizer token: identityValidationExpression is not a valid regular expression "
            "(invalid escape sequence: \\1)");
  c = Full();
  c.authorizers["lambda"].type = "cognito";
  EXPECT_EQ(Invalid(c),
            "authorizer lambda has unsupported type 'cognito' (Nimbus supports jwt, request and "
            "token)");
}

TEST(ApiConfigValidateTest, UsagePlansAndKeys) {
  ApiConfig c = Full();
  c.usage_plans[0].quota_period = "YEAR";
  EXPECT_EQ(Invalid(c), "usage plan basic: quota period must be DAY, WEEK or MONTH");
  c = Full();
  c.api_keys[0].value = "short";
  EXPECT_EQ(Invalid(c), "API key ci: the value must be at least 20 characters");
  c = Full();
  c.api_keys[0].usage_plan = "gold";
  EXPECT_EQ(Invalid(c), "API key ci names an unknown usage plan gold");
}

TEST(ApiConfigValidateTest, Routes) {
  ApiConfig c = Full();
  c.routes[0].function.clear();
  EXPECT_EQ(Invalid(c), "route GET /users/{id}: no function");
  c = Full();
  c.routes[0].payload_version = "3.0";
  EXPECT_EQ(Invalid(c), "route GET /users/{id}: payload must be '1.0' or '2.0'");
  c = Full();
  c.routes.push_back(Route("ANY", "$default", /*rest=*/true));
  EXPECT_EQ(Invalid(c), "route ANY $default: REST APIs have no $default route");
  c = Full();
  c.routes.push_back(Route("GET", "/a/{x+}/b"));
  EXPECT_EQ(Invalid(c),
            "route GET /a/{x+}/b: route path '/a/{x+}/b': a greedy {x+} must be the last segment");
  c = Full();
  c.routes.push_back(Route("FETCH", "/a"));
  EXPECT_EQ(Invalid(c), "route FETCH /a: unsupported route method 'FETCH'");
  c = Full();
  c.routes.push_back(Route("GET", "/users/{user}"));
  EXPECT_EQ(Invalid(c), "route GET /users/{user}: route GET /users/{user} is declared twice");
  c = Full();
  c.routes[0].authorizer = "nobody";
  EXPECT_EQ(Invalid(c), "route GET /users/{id}: unknown authorizer nobody");
  c = Full();
  c.routes[1].scopes = {"x"};
  EXPECT_EQ(Invalid(c), "route ANY $default: scopes need a JWT authorizer");
  c = Full();
  c.routes[2].authorizer = "jwt";
  EXPECT_EQ(Invalid(c), "route POST /orders/{proxy+}: REST APIs do not take JWT authorizers");
  c = Full();
  c.routes[0].authorizer = "token";
  c.routes[0].scopes.clear();
  EXPECT_EQ(Invalid(c),
            "route GET /users/{id}: HTTP APIs do not take TOKEN authorizers (use type request)");
  c = Full();
  c.routes[0].api_key_required = true;
  EXPECT_EQ(Invalid(c), "route GET /users/{id}: API keys (private: true) are a REST API feature");
}

TEST(MakeApiIdTest, TenStableCharacters) {
  std::string id = MakeApiId("http:shop-dev");
  EXPECT_EQ(id.size(), 10u);
  for (char ch : id) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) << id;
  EXPECT_EQ(MakeApiId("http:shop-dev"), id);
  EXPECT_NE(MakeApiId("rest:shop-dev"), id);
}

}  // namespace
}  // namespace nimbus::gateway
