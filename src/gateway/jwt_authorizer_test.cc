#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>

#include "core/time.h"
#include "gateway/authorizer.h"
#include "gateway/jwt_test_util.h"

namespace nimbus::gateway {
namespace {

const char* const kArn =
    "arn:aws:execute-api:us-east-1:123456789012:abc123defg/$default/GET/users/42";

void ExpectRefused(const AuthDecision& d, int status, const std::string& body) {
  EXPECT_EQ(d.status, status);
  EXPECT_EQ(nimbus::ToJson(d.body), body);
  EXPECT_EQ(d.error_type, "");
}

// An HTTP API route guarded by a JWT authorizer whose issuer's keys are given
// inline (the fixture's rsa-1 key).
class JwtAuthorizerTest : public jwt_test::JwtTestBase {
 protected:
  JwtAuthorizerTest()
      : authorizers_(
            [this](const std::string&, std::string, invoker::InvokeCallback) { ++invocations_; }) {
    request_.method = "GET";
    request_.path = "/users/42";
    event_.request = &request_;
    event_.path = "/users/42";
    event_.stage = "$default";
    config_.name = "jwt";
    config_.type = "jwt";
    config_.issuer = jwt_test::kIssuer;
    config_.audience = {jwt_test::kAudience};
    config_.identity_source = {"$request.header.Authorization"};
    config_.jwks = jwt_test::Jwks({jwt_test::RsaJwk(rsa_, "rsa-1")});
    route_.function = "handler";
    route_.authorizer = "jwt";
  }

  // Claims valid now (the authorizer checks times against the clock).
  static json::object NowClaims() {
    int64_t now = NowEpochMillis() / 1000;
    return {{"iss", jwt_test::kIssuer}, {"aud", jwt_test::kAudience},
            {"sub", "user-1"},          {"exp", now + 3600},
            {"iat", now - 60},          {"scope", "read write"}};
  }

  AuthDecision AuthorizeToken(const std::string& token) {
    request_.headers = {{"Authorization", "Bearer " + token}};
    AuthRequest r;
    r.authorizer = &config_;
    r.route = &route_;
    r.event = &event_;
    r.arn = kArn;
    r.cache_scope = "svc-dev";
    std::optional<AuthDecision> decision;
    authorizers_.Authorize(r, [&](AuthDecision d) { decision = std::move(d); });
    EXPECT_TRUE(decision.has_value());
    return decision.value_or(AuthDecision{});
  }

  static std::string WwwAuthenticate(const AuthDecision& d) {
    for (const auto& h : d.headers) {
      if (h.name == "www-authenticate") return h.value;
    }
    return "";
  }

  int invocations_ = 0;
  Authorizers authorizers_;
  net::HttpRequest request_;
  EventInput event_;
  AuthorizerConfig config_;
  RouteConfig route_;
};

TEST_F(JwtAuthorizerTest, ValidTokenGivesClaimsAsStringsAndScopes) {
  json::object claims = NowClaims();
  claims["groups"] = json::array{"admins", "users"};
  claims["n"] = 5;
  claims["verified"] = true;
  claims["address"] = json::object{{"city", "Oslo"}};
  AuthDecision d = AuthorizeToken(Rs256(claims));
  ASSERT_EQ(d.status, 0) << nimbus::ToJson(d.body) << " " << WwwAuthenticate(d);
  json::object expected_claims;
  for (const auto& [k, v] : claims) {
    expected_claims[k] = v.is_string() ? v : json::value(nimbus::ToJson(v));
  }
  expected_claims["groups"] = "[admins users]";
  EXPECT_EQ(
      d.context,
      (json::value(json::object{{"jwt", json::object{{"claims", expected_claims},
                                                     {"scopes", json::array{"read", "write"}}}}})));
  const json::value& text_claims = d.context.at("jwt").at("claims");
  EXPECT_EQ(std::string(text_claims.at("exp").as_string()),
            std::to_string(claims.at("exp").as_int64()));
  EXPECT_EQ(std::string(text_claims.at("address").as_string()), R"({"city":"Oslo"})");
  EXPECT_EQ(invocations_, 0);  // JWTs never invoke a function
}

TEST_F(JwtAuthorizerTest, NoScopesIsNull) {
  json::object claims = NowClaims();
  claims.erase("scope");
  AuthDecision d = AuthorizeToken(Rs256(claims));
  ASSERT_EQ(d.status, 0);
  EXPECT_TRUE(d.context.at("jwt").at("scopes").is_null());
}

TEST_F(JwtAuthorizerTest, ExpiredTokenIs401WithInvalidToken) {
  json::object claims = NowClaims();
  claims["exp"] = NowEpochMillis() / 1000 - 10;
  AuthDecision d = AuthorizeToken(Rs256(claims));
  ExpectRefused(d, 401, R"({"message":"Unauthorized"})");
  EXPECT_EQ(WwwAuthenticate(d),
            R"(Bearer scope="" error="invalid_token" error_description="the token has expired")");
}

TEST_F(JwtAuthorizerTest, OtherInvalidTokensAre401) {
  json::object claims = NowClaims();
  claims["aud"] = "someone-else";
  AuthDecision d = AuthorizeToken(Rs256(claims));
  EXPECT_EQ(d.status, 401);
  EXPECT_NE(WwwAuthenticate(d).find(R"(error="invalid_token")"), std::string::npos);
  EXPECT_NE(WwwAuthenticate(d).find("the token does not have a valid audience"), std::string::npos);

  d = AuthorizeToken("not-a-token");
  EXPECT_EQ(d.status, 401);
  EXPECT_NE(WwwAuthenticate(d).find(R"(error="invalid_token")"), std::string::npos);

  // Signed by a key the issuer does not list.
  std::string forged = jwt_test::MakeToken(jwt_test::Header("RS256", "rsa-1"), NowClaims(),
                                           jwt_test::SignWithKey(other_rsa_, EVP_sha256()));
  EXPECT_EQ(AuthorizeToken(forged).status, 401);
}

TEST_F(JwtAuthorizerTest, MissingTokenIs401) {
  request_.headers = {};
  AuthRequest r;
  r.authorizer = &config_;
  r.route = &route_;
  r.event = &event_;
  r.arn = kArn;
  std::optional<AuthDecision> decision;
  authorizers_.Authorize(r, [&](AuthDecision d) { decision = std::move(d); });
  ASSERT_TRUE(decision.has_value());
  ExpectRefused(*decision, 401, R"({"message":"Unauthorized"})");
}

TEST_F(JwtAuthorizerTest, MissingScopeIs403) {
  route_.scopes = {"admin"};
  AuthDecision d = AuthorizeToken(Rs256(NowClaims()));
  ExpectRefused(d, 403, R"({"message":"Forbidden"})");
  EXPECT_NE(WwwAuthenticate(d).find(R"(error="insufficient_scope")"), std::string::npos);
  EXPECT_NE(WwwAuthenticate(d).find(R"(scope="admin")"), std::string::npos);
  // One of the route's scopes is enough.
  route_.scopes = {"admin", "write"};
  EXPECT_EQ(AuthorizeToken(Rs256(NowClaims())).status, 0);
}

TEST_F(JwtAuthorizerTest, UnusableKeySetIs500) {
  config_.jwks = R"({"keys": "nope"})";
  ExpectRefused(AuthorizeToken(Rs256(NowClaims())), 500, R"({"message":"Internal Server Error"})");
}

}  // namespace
}  // namespace nimbus::gateway
