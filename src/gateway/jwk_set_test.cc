#include "gateway/jwk_set.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>

#include <optional>
#include <string>

#include "gateway/jwt.h"
#include "gateway/jwt_test_util.h"

namespace nimbus::gateway {
namespace {

using jwt_test::B64Url;
using jwt_test::BnBytes;
using jwt_test::EcJwk;
using jwt_test::Jwks;
using jwt_test::JwtTestBase;
using jwt_test::OctJwk;
using jwt_test::RsaJwk;

class JwkSetTest : public JwtTestBase {};

// ---- Key sets --------------------------------------------------------------------

TEST_F(JwkSetTest, DocumentErrors) {
  for (std::string_view bad : {"", "{", "[]", "{}", R"({"keys":{}})", R"({"keys":[1]})",
                               R"({"keys":[{"kid":"x"}]})", R"({"keys":[{"kty":1}]})"}) {
    auto set = JwkSet::Parse(bad);
    EXPECT_FALSE(set.ok()) << bad;
    EXPECT_EQ(set.status().code(), Code::kInvalidArgument);
  }
  auto empty = JwkSet::Parse(R"({"keys":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(JwkSetTest, SkipsKeysItCannotUse) {
  json::object enc = RsaJwk(rsa_, "enc-1");
  enc["use"] = "enc";
  json::object pss = RsaJwk(rsa_, "pss-1");
  pss["alg"] = "PS256";
  json::object p384 = EcJwk(ec_, "p384");
  p384["crv"] = "P-384";
  json::object okp{
      {"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};
  auto set = JwkSet::Parse(Jwks({enc, pss, p384, okp, RsaJwk(rsa_, "rsa-1")}));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->size(), 1u);
}

TEST_F(JwkSetTest, RejectsBrokenKeys) {
  auto error_of = [](const json::object& jwk) {
    auto set = JwkSet::Parse(Jwks({jwk}));
    EXPECT_FALSE(set.ok());
    return set.status().message();
  };
  json::object rsa = RsaJwk(rsa_, "r");
  rsa["n"] = "not*base64";
  EXPECT_EQ(error_of(rsa), "invalid JWKS document: key 0 (kid r): n is not base64url");
  rsa.erase("n");
  EXPECT_EQ(error_of(rsa), "invalid JWKS document: key 0 (kid r) has no n");
  rsa = RsaJwk(rsa_, "r");
  rsa["alg"] = "ES256";
  EXPECT_EQ(error_of(rsa), "invalid JWKS document: key 0 (kid r): alg ES256 does not suit kty RSA");
  rsa["n"] = B64Url(std::string(128, '\xc5'));  // 1024 bits
  rsa.erase("alg");
  EXPECT_EQ(error_of(rsa),
            "invalid JWKS document: key 0 (kid r): the RSA modulus must be odd and of 2048 to "
            "8192 bits");
  rsa = RsaJwk(rsa_, "r");
  rsa["e"] = "Ag";  // 2
  EXPECT_EQ(error_of(rsa), "invalid JWKS document: key 0 (kid r): the RSA exponent is not valid");

  json::object ec = EcJwk(ec_, "e");
  ec["y"] = ec["x"];  // almost certainly not on the curve
  EXPECT_EQ(error_of(ec), "invalid JWKS document: key 0 (kid e): the point is not on curve P-256");
  ec["y"] = B64Url(std::string(31, '\x01'));
  EXPECT_EQ(error_of(ec),
            "invalid JWKS document: key 0 (kid e): P-256 coordinates must be 32 bytes each");
  ec.erase("crv");
  EXPECT_EQ(error_of(ec), "invalid JWKS document: key 0 (kid e) has no crv");

  EXPECT_EQ(error_of(OctJwk("short", "h")),
            "invalid JWKS document: key 0 (kid h): an HMAC secret must be at least 32 bytes");
}

TEST_F(JwkSetTest, ToleratesPaddedMembersAndSharesKeys) {
  json::object jwk = RsaJwk(rsa_, "rsa-1");
  std::string n = BnBytes(rsa_, OSSL_PKEY_PARAM_RSA_N);
  jwk["n"] = B64Url(n) + std::string((3 - n.size() % 3) % 3, '=');
  jwk["e"] = "AQAB";
  std::optional<JwkSet> copy;
  {
    auto set = JwkSet::Parse(Jwks({jwk}));
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    copy = *set;
  }
  EXPECT_TRUE(VerifyJwt(Rs256(Claims()), *copy, Policy()).ok());
}

TEST(CheckSigningAlgorithmTest, NamesOnlyPlainAlgorithms) {
  for (std::string_view alg : {"RS256", "RS384", "RS512", "ES256", "HS256", "HS384", "HS512"}) {
    EXPECT_TRUE(CheckSigningAlgorithm(alg).ok()) << alg;
  }
  EXPECT_EQ(CheckSigningAlgorithm("none").message(), "signing method none is invalid");
  EXPECT_EQ(CheckSigningAlgorithm("PS256").code(), Code::kUnauthenticated);
  EXPECT_EQ(CheckSigningAlgorithm("rs256").message(), "signing method rs256 is invalid");
  EXPECT_EQ(CheckSigningAlgorithm("").message(), "the token's signing method is invalid");
  EXPECT_EQ(CheckSigningAlgorithm("a\"b").message(), "the token's signing method is invalid");
  EXPECT_EQ(CheckSigningAlgorithm(std::string(17, 'A')).message(),
            "the token's signing method is invalid");
}

TEST(Base64UrlDecodeTest, AcceptsOnlyCanonicalUnpaddedText) {
  EXPECT_EQ(Base64UrlDecode(""), std::string());
  EXPECT_EQ(Base64UrlDecode("YQ"), "a");
  EXPECT_EQ(Base64UrlDecode("AA"), std::string(1, '\0'));
  EXPECT_EQ(Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_EQ(Base64UrlDecode("aGVsbG8"), "hello");
  EXPECT_EQ(Base64UrlDecode("AB"), std::nullopt);    // non-zero leftover bits
  EXPECT_EQ(Base64UrlDecode("YQ=="), std::nullopt);  // padding
  EXPECT_EQ(Base64UrlDecode("A"), std::nullopt);     // six bits end no byte
  EXPECT_EQ(Base64UrlDecode("+/8"), std::nullopt);   // the standard alphabet
  EXPECT_EQ(Base64UrlDecode("YQ "), std::nullopt);
}

}  // namespace
}  // namespace nimbus::gateway
