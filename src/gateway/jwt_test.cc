#include "gateway/jwt.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "gateway/jwt_test_util.h"

namespace nimbus::gateway {
namespace {

using jwt_test::B64Url;
using jwt_test::BnBytes;
using jwt_test::Header;
using jwt_test::Jwks;
using jwt_test::JwtTestBase;
using jwt_test::kAudience;
using jwt_test::kIssuer;
using jwt_test::kNow;
using jwt_test::kSecret;
using jwt_test::MakeToken;
using jwt_test::RsaJwk;
using jwt_test::SignWithKey;
using jwt_test::SignWithSecret;

class JwtTest : public JwtTestBase {};

// ---- Accepted tokens ---------------------------------------------------------

TEST_F(JwtTest, AcceptsEachAlgorithm) {
  JwkSet keys = AllKeys();
  EXPECT_EQ(keys.size(), 4u);
  std::vector<std::string> tokens = {
      Rs256(Claims()),
      MakeToken(Header("RS384", "rsa-1"), Claims(), SignWithKey(rsa_, EVP_sha384())),
      MakeToken(Header("RS512", "rsa-2"), Claims(), SignWithKey(other_rsa_, EVP_sha512())),
      MakeToken(Header("ES256", "ec-1"), Claims(), SignWithKey(ec_, EVP_sha256())),
      MakeToken(Header("HS256", "hmac-1"), Claims(), SignWithSecret(kSecret, EVP_sha256())),
      MakeToken(Header("HS512", "hmac-1"), Claims(), SignWithSecret(kSecret, EVP_sha512())),
  };
  for (const std::string& token : tokens) {
    auto verified = VerifyJwt(token, keys, Policy());
    ASSERT_TRUE(verified.ok()) << token << ": " << verified.status().ToString();
    EXPECT_EQ(verified->claims.at("sub").as_string(), "user-1");
  }
}

TEST_F(JwtTest, WithoutKidEveryKeyOfTheRightTypeIsTried) {
  EXPECT_EQ(
      Failure(MakeToken(Header("RS256", ""), Claims(), SignWithKey(other_rsa_, EVP_sha256()))),
      "accepted");
  EXPECT_EQ(Failure(MakeToken(Header("ES256", ""), Claims(), SignWithKey(ec_, EVP_sha256()))),
            "accepted");
}

TEST_F(JwtTest, KidSelectsTheKey) {
  // Signed by rsa-2 but naming rsa-1: only rsa-1 is tried.
  auto misnamed =
      MakeToken(Header("RS256", "rsa-1"), Claims(), SignWithKey(other_rsa_, EVP_sha256()));
  EXPECT_EQ(Failure(misnamed), "the token's signature is invalid");
  EXPECT_EQ(Failure(Rs256(Claims(), "rsa-9")),
            "the token's kid does not match any of the issuer's keys");
}

TEST_F(JwtTest, KeyAlgRestrictsTheToken) {
  json::object jwk = RsaJwk(rsa_, "rsa-1");
  jwk["alg"] = "RS384";
  auto keys = JwkSet::Parse(Jwks({jwk}));
  ASSERT_TRUE(keys.ok());
  auto result = VerifyJwt(Rs256(Claims()), *keys, Policy());
  EXPECT_EQ(result.status().message(), "signing method RS256 is invalid");
  auto rs384 = MakeToken(Header("RS384", "rsa-1"), Claims(), SignWithKey(rsa_, EVP_sha384()));
  EXPECT_TRUE(VerifyJwt(rs384, *keys, Policy()).ok());
}

// ---- Signatures that must fail -----------------------------------------------

TEST_F(JwtTest, RejectsWrongKeyAndTampering) {
  auto rsa_only = JwkSet::Parse(Jwks({RsaJwk(rsa_, "rsa-1")}));
  ASSERT_TRUE(rsa_only.ok());
  auto by_other = MakeToken(Header("RS256", ""), Claims(), SignWithKey(other_rsa_, EVP_sha256()));
  EXPECT_EQ(VerifyJwt(by_other, *rsa_only, Policy()).status().message(),
            "the token's signature is invalid");

  std::string token = Rs256(Claims());
  size_t dot1 = token.find('.');
  size_t dot2 = token.rfind('.');
  json::object more = Claims();
  more["scope"] = "read write admin";
  std::string tampered_payload =
      token.substr(0, dot1 + 1) + B64Url(ToJson(more)) + token.substr(dot2);
  EXPECT_EQ(Failure(tampered_payload), "the token's signature is invalid");

  std::string tampered_signature = token;
  char& c = tampered_signature[dot2 + 5];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(Failure(tampered_signature), "the token's signature is invalid");
  EXPECT_EQ(Failure(token.substr(0, dot2 + 1)), "the token's signature is invalid");

  // An ES256 signature must be exactly r || s.
  auto es = MakeToken(Header("ES256", "ec-1"), Claims(), SignWithKey(ec_, EVP_sha256()));
  EXPECT_EQ(Failure(es + "AA"), "the token's signature is invalid");
}

TEST_F(JwtTest, RejectsAlgNone) {
  std::string token = B64Url(R"({"alg":"none"})") + "." + B64Url(ToJson(Claims())) + ".";
  EXPECT_EQ(Failure(token), "signing method none is invalid");
  EXPECT_EQ(ParseJwt(token).status().message(), "signing method none is invalid");
}

// The classic confusion: an HS256 token whose "secret" is the RSA public key,
// which an attacker knows. It must never be checked as an HMAC.
TEST_F(JwtTest, RejectsHmacTokenAgainstRsaKey) {
  json::object jwk = RsaJwk(rsa_, "rsa-1");
  std::string n = BnBytes(rsa_, OSSL_PKEY_PARAM_RSA_N);
  auto forged = MakeToken(Header("HS256", "rsa-1"), Claims(), SignWithSecret(n, EVP_sha256()));
  auto rsa_only = JwkSet::Parse(Jwks({jwk}));
  ASSERT_TRUE(rsa_only.ok());
  EXPECT_EQ(VerifyJwt(forged, *rsa_only, Policy()).status().message(),
            "signing method HS256 is invalid");
  EXPECT_EQ(Failure(forged), "signing method HS256 is invalid");
  auto no_kid = MakeToken(Header("HS256", ""), Claims(), SignWithSecret(n, EVP_sha256()));
  EXPECT_EQ(VerifyJwt(no_kid, *rsa_only, Policy()).status().message(),
            "signing method HS256 is invalid");
  // And the other way round: an RS256 token naming the HMAC key.
  EXPECT_EQ(Failure(Rs256(Claims(), "hmac-1")), "signing method RS256 is invalid");
  EXPECT_EQ(VerifyJwt(Rs256(Claims()), JwkSet(), Policy()).status().message(),
            "the token's kid does not match any of the issuer's keys");
}

// ---- Claims -----------------------------------------------------------------

TEST_F(JwtTest, ChecksTimes) {
  json::object c = Claims();
  c["exp"] = kNow;
  EXPECT_EQ(Failure(Rs256(c)), "the token has expired");
  c["exp"] = kNow + 1;
  EXPECT_EQ(Failure(Rs256(c)), "accepted");
  c["exp"] = kNow + 0.5;  // NumericDate may carry a fraction
  EXPECT_EQ(Failure(Rs256(c)), "accepted");
  c["exp"] = "1800000000";
  EXPECT_EQ(Failure(Rs256(c)), "the token's exp claim is not a number");
  c.erase("exp");
  EXPECT_EQ(Failure(Rs256(c)), "the token has no expiration time (exp)");

  c = Claims();
  c["nbf"] = kNow + 10;
  EXPECT_EQ(Failure(Rs256(c)), "the token is not valid yet");
  c["nbf"] = kNow;
  EXPECT_EQ(Failure(Rs256(c)), "accepted");
  c["iat"] = kNow + 10;
  EXPECT_EQ(Failure(Rs256(c)), "the token was issued in the future");
  c["iat"] = true;
  EXPECT_EQ(Failure(Rs256(c)), "the token's iat claim is not a number");
}

TEST_F(JwtTest, LeewayToleratesClockSkew) {
  json::object c = Claims();
  c["exp"] = kNow - 5;
  c["nbf"] = kNow + 5;
  c["iat"] = kNow + 5;
  JwtPolicy policy = Policy();
  policy.leeway_s = 10;
  EXPECT_EQ(Failure(Rs256(c), policy), "accepted");
  policy.leeway_s = 4;
  EXPECT_EQ(Failure(Rs256(c), policy), "the token has expired");
}

TEST_F(JwtTest, ChecksIssuer) {
  json::object c = Claims();
  c["iss"] = std::string(kIssuer) + "/";
  EXPECT_EQ(Failure(Rs256(c)), "the token does not have a valid issuer");
  c.erase("iss");
  EXPECT_EQ(Failure(Rs256(c)), "the token does not have a valid issuer");
  JwtPolicy policy = Policy();
  policy.issuer.clear();
  EXPECT_EQ(VerifyJwt(Rs256(Claims()), AllKeys(), policy).status().code(), Code::kInvalidArgument);
}

TEST_F(JwtTest, ChecksAudienceOrClientId) {
  json::object c = Claims();
  c["aud"] = "someone-else";
  EXPECT_EQ(Failure(Rs256(c)), "the token does not have a valid audience");
  c["aud"] = json::array{"someone-else", "other-app"};
  EXPECT_EQ(Failure(Rs256(c)), "accepted");
  c["aud"] = json::array{1, "someone-else"};
  EXPECT_EQ(Failure(Rs256(c)), "the token does not have a valid audience");

  // Cognito access tokens: client_id stands in for aud only when aud is absent.
  c["client_id"] = kAudience;
  EXPECT_EQ(Failure(Rs256(c)), "the token does not have a valid audience");
  c.erase("aud");
  EXPECT_EQ(Failure(Rs256(c)), "accepted");
  c["client_id"] = "someone-else";
  EXPECT_EQ(Failure(Rs256(c)), "the token does not have a valid audience");
  c.erase("client_id");
  EXPECT_EQ(Failure(Rs256(c)), "the token does not have a valid audience");

  JwtPolicy any_audience = Policy();
  any_audience.audience.clear();
  EXPECT_EQ(Failure(Rs256(c), any_audience), "accepted");
}

TEST_F(JwtTest, CollectsScopes) {
  auto scopes_of = [&](const json::object& c) {
    auto verified = VerifyJwt(Rs256(c), AllKeys(), Policy());
    EXPECT_TRUE(verified.ok()) << verified.status().ToString();
    return verified.ok() ? verified->scopes : std::vector<std::string>{"failed"};
  };
  json::object c = Claims();
  c["scope"] = "openid  email read";
  EXPECT_EQ(scopes_of(c), (std::vector<std::string>{"openid", "email", "read"}));
  c.erase("scope");
  EXPECT_EQ(scopes_of(c), std::vector<std::string>{});
  c["scp"] = json::array{"api.read", "api.write", 7};
  EXPECT_EQ(scopes_of(c), (std::vector<std::string>{"api.read", "api.write"}));
  c["scp"] = "api.read api.admin";
  c["scope"] = "email api.read";
  EXPECT_EQ(scopes_of(c), (std::vector<std::string>{"email", "api.read", "api.admin"}));
}

// ---- Malformed tokens -----------------------------------------------------------

TEST_F(JwtTest, RejectsMalformedTokens) {
  std::string good = Rs256(Claims());
  size_t dot1 = good.find('.');
  size_t dot2 = good.rfind('.');
  std::string header = good.substr(0, dot1);
  std::string payload = good.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string signature = good.substr(dot2 + 1);
  auto message = [](std::string_view token) { return ParseJwt(token).status().message(); };

  const std::string parts = "the token is malformed: it must have three parts separated by dots";
  EXPECT_EQ(message(header), parts);
  EXPECT_EQ(message(header + "." + payload), parts);
  EXPECT_EQ(message(good + ".x"), parts);
  EXPECT_EQ(message(""), "the token is malformed: it is empty");
  EXPECT_EQ(message(std::string(20000, 'a')),
            "the token is malformed: it is longer than 16384 bytes");

  EXPECT_EQ(message(header + "=." + payload + "." + signature),
            "the token is malformed: the header is not unpadded base64url");
  EXPECT_EQ(message(header + "." + payload + "*." + signature),
            "the token is malformed: the payload is not unpadded base64url");
  EXPECT_EQ(message(header + "." + payload + "." + signature + "+"),
            "the token is malformed: the signature is not unpadded base64url");
  // "AB" leaves 4 non-zero bits after its one byte; "AA" is the canonical form.
  EXPECT_EQ(message(header + "." + payload + ".AB"),
            "the token is malformed: the signature is not unpadded base64url");
  EXPECT_TRUE(ParseJwt(header + "." + payload + ".AA").ok());

  EXPECT_EQ(message(B64Url("not json") + "." + payload + "." + signature),
            "the token is malformed: the header is not a JSON object");
  EXPECT_EQ(message(B64Url(R"(["RS256"])") + "." + payload + "." + signature),
            "the token is malformed: the header is not a JSON object");
  EXPECT_EQ(message(header + "." + B64Url("[1]") + "." + signature),
            "the token is malformed: the payload is not a JSON object");
  EXPECT_EQ(message(header + "." + B64Url(R"({"a":1} x)") + "." + signature),
            "the token is malformed: the payload is not a JSON object");

  auto with_header = [&](std::string_view json) {
    return message(B64Url(json) + "." + payload + "." + signature);
  };
  EXPECT_EQ(with_header(R"({"typ":"JWT"})"), "the token is malformed: the header has no alg");
  EXPECT_EQ(with_header(R"({"alg":256})"), "the token is malformed: the header has no alg");
  EXPECT_EQ(with_header(R"({"alg":"PS256"})"), "signing method PS256 is invalid");
  EXPECT_EQ(with_header(R"({"alg":"RS256\"\r\nx: y"})"), "the token's signing method is invalid");
  EXPECT_EQ(with_header(R"({"alg":"RS256","kid":7})"),
            "the token is malformed: the header's kid is not a string");
  EXPECT_EQ(with_header(R"({"alg":"RS256","crit":["exp"]})"),
            "the token requires unsupported critical header parameters");
}

TEST_F(JwtTest, ParseExposesTheParts) {
  std::string token = Rs256(Claims());
  auto jwt = ParseJwt(token);
  ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();
  EXPECT_EQ(jwt->alg, "RS256");
  EXPECT_EQ(jwt->kid, "rsa-1");
  EXPECT_EQ(jwt->signing_input, token.substr(0, token.rfind('.')));
  EXPECT_EQ(jwt->signature.size(), 256u);
  EXPECT_EQ(jwt->claims.at("iss").as_string(), kIssuer);
  EXPECT_EQ(jwt->header.at("typ").as_string(), "JWT");
}

TEST(StripBearerTest, AcceptsSchemeOrBareToken) {
  EXPECT_EQ(StripBearer("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(StripBearer("bearer   abc "), "abc");
  EXPECT_EQ(StripBearer("BEARER\tabc"), "abc");
  EXPECT_EQ(StripBearer(" abc.def.ghi "), "abc.def.ghi");
  EXPECT_EQ(StripBearer("Bearer"), "");
  EXPECT_EQ(StripBearer("Bearer "), "");
  EXPECT_EQ(StripBearer("Bearerabc"), "Bearerabc");
  EXPECT_EQ(StripBearer(""), "");
}

}  // namespace
}  // namespace nimbus::gateway
