// Test support for the JWT code's tests (jwt_test.cc, jwk_set_test.cc,
// authorizer_test.cc): keys made at test time, their JWKS export, token
// signing, and a fixture holding an issuer's keys.
#pragma once

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/encoding.h"
#include "core/json.h"
#include "gateway/jwt.h"

namespace nimbus::gateway::jwt_test {

inline constexpr int64_t kNow = 1'700'000'000;
inline constexpr const char* kIssuer = "https://issuer.example.com/pool-1";
inline constexpr const char* kAudience = "client-app";
inline const std::string kSecret(40, 's');  // an HS256 secret of 40 bytes

inline std::string B64Url(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

// A big-endian BIGNUM parameter of `key`, left-padded to `width` bytes if given.
inline std::string BnBytes(EVP_PKEY* key, const char* name, int width = 0) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
  int len = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<size_t>(len), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), len);
  BN_free(bn);
  return out;
}

inline json::object RsaJwk(EVP_PKEY* key, std::string kid) {
  return {{"kty", "RSA"},
          {"kid", kid},
          {"use", "sig"},
          {"n", B64Url(BnBytes(key, OSSL_PKEY_PARAM_RSA_N))},
          {"e", B64Url(BnBytes(key, OSSL_PKEY_PARAM_RSA_E))}};
}

inline json::object EcJwk(EVP_PKEY* key, std::string kid) {
  return {{"kty", "EC"},
          {"kid", kid},
          {"crv", "P-256"},
          {"x", B64Url(BnBytes(key, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", B64Url(BnBytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

inline json::object OctJwk(std::string_view secret, std::string kid) {
  return {{"kty", "oct"}, {"kid", kid}, {"k", B64Url(secret)}};
}

inline std::string Jwks(std::initializer_list<json::object> keys) {
  json::array list;
  for (const json::object& key : keys) list.push_back(key);
  return nimbus::ToJson(json::object{{"keys", list}});
}

using Signer = std::function<std::string(std::string_view signing_input)>;

// RSASSA-PKCS1-v1_5, or ECDSA converted from DER to JWS's raw r || s.
inline Signer SignWithKey(EVP_PKEY* key, const EVP_MD* md) {
  return [key, md](std::string_view input) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, md, nullptr, key), 1);
    EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &len,
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
              1);
    std::string sig(len, '\0');
    EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
              1);
    EVP_MD_CTX_free(ctx);
    sig.resize(len);
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return sig;
    const unsigned char* der = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(ecdsa);
    return raw;
  };
}

inline Signer SignWithSecret(const std::string& secret, const EVP_MD* md) {
  return [secret, md](std::string_view input) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md, secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    return std::string(reinterpret_cast<char*>(mac), len);
  };
}

inline std::string MakeToken(const json::object& header, const json::object& claims,
                             const Signer& sign) {
  std::string input = B64Url(nimbus::ToJson(header)) + "." + B64Url(nimbus::ToJson(claims));
  return input + "." + B64Url(sign(input));
}

inline json::object Header(const std::string& alg, const std::string& kid) {
  json::object h{{"alg", alg}, {"typ", "JWT"}};
  if (!kid.empty()) h["kid"] = kid;
  return h;
}

// Three keys (two RSA, one EC) made once per test suite, the fixed HMAC
// secret, and tokens for the issuer kIssuer at the time kNow.
class JwtTestBase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
    other_rsa_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
    ec_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    ASSERT_NE(rsa_, nullptr);
    ASSERT_NE(other_rsa_, nullptr);
    ASSERT_NE(ec_, nullptr);
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(rsa_);
    EVP_PKEY_free(other_rsa_);
    EVP_PKEY_free(ec_);
  }

  // The issuer's set: both RSA keys, the EC key and the shared secret.
  static JwkSet AllKeys() {
    auto set = JwkSet::Parse(Jwks({RsaJwk(rsa_, "rsa-1"), RsaJwk(other_rsa_, "rsa-2"),
                                   EcJwk(ec_, "ec-1"), OctJwk(kSecret, "hmac-1")}));
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return set.value_or(JwkSet());
  }

  static json::object Claims() {
    return {{"iss", kIssuer},     {"aud", kAudience}, {"sub", "user-1"},
            {"exp", kNow + 3600}, {"iat", kNow - 60}, {"scope", "read write"}};
  }

  static JwtPolicy Policy() { return JwtPolicy{kIssuer, {kAudience, "other-app"}, kNow, 0}; }

  static std::string Rs256(const json::object& claims, const std::string& kid = "rsa-1") {
    return MakeToken(Header("RS256", kid), claims, SignWithKey(rsa_, EVP_sha256()));
  }

  // The message of the failure of verifying `token` with every key.
  static std::string Failure(const std::string& token, const JwtPolicy& policy = Policy()) {
    auto result = VerifyJwt(token, AllKeys(), policy);
    if (result.ok()) return "accepted";
    EXPECT_EQ(result.status().code(), Code::kUnauthenticated);
    return result.status().message();
  }

  // Made by SetUpTestSuite for each suite, freed by TearDownTestSuite.
  static inline EVP_PKEY* rsa_ = nullptr;
  static inline EVP_PKEY* other_rsa_ = nullptr;
  static inline EVP_PKEY* ec_ = nullptr;
};

}  // namespace nimbus::gateway::jwt_test
