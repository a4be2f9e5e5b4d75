// Fuzzes the JWT authorizer's token decoding, key set parsing and
// verification. An input is an identity-source value (a token, with or without
// "Bearer "), optionally followed by a 0 byte and a JWKS document to verify
// against instead of the fixed key set below.
//
// A fuzzer cannot forge signatures, so on its own it would never get past the
// signature check to the claims. When the input parses as an HMAC token, the
// target therefore signs its header and payload again with the fixed secret
// and verifies that token too, which puts every claim check within reach and
// gives an oracle: a correctly signed token must never fail on its signature.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "core/encoding.h"
#include "gateway/jwt.h"

namespace nimbus::gateway {
namespace {

constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kSecret = "nimbus-fuzz-hmac-secret-0123456789";

// Public halves of throwaway keys (the seed corpus in fuzz/corpus/jwt was
// signed with their private halves, which were then discarded); k is kSecret.
constexpr const char* kJwks =
    R"({"keys": [
  {"kty": "RSA", "kid": "fuzz-rsa", "use": "sig", "alg": "RS256", "e": "AQAB", "n": ")"
    "zoF9PwsDLGa0-AnTCvjhJB1KJ0tDjpr_xtISh4mHMJR_PRG3TyDoPPRjUH1BtOAbA4Dlf4OrkyO4xKnN1dUaUTVw"
    "k9mU1ZkzG0s8KAyptK69KbUUlLNXJsaY0Lj6QqlcQwRycvS2-vEPJ2WFRgshks68Toj-myhsROoA2gVJhltDJkTd"
    "zFiWMi1Rjd3-Aud5KP_rlBNWSs0IJVKMd0wmhM_LfClrnkozHNqv6AA0YdpJbkAd9RTM8v1yQkB-K8q17FK3EgHH"
    "Ramc70WJ5NzhHJBGGgDxpIHGW8mfeW8-LEVsdzQ3ifAsqjxWtA0n3sLCByYjjRXXDw2IUfTKZNeEOQ"
    R"("},
  {"kty": "EC", "kid": "fuzz-ec", "crv": "P-256",
   "x": "quIWSlzBx-5z6o34C-d3LPOElp_P9Z84amQrzlmzrHM",
   "y": "GwQQGXl_I-p_sUiqHJVMqCstvqvgfN-glIXmIAIhCgg"},
  {"kty": "oct", "kid": "fuzz-hmac", "k": "bmltYnVzLWZ1enotaG1hYy1zZWNyZXQtMDEyMzQ1Njc4OQ"}
]})";

void Check(bool ok) {
  if (!ok) std::abort();
}

const JwkSet& FixedKeys() {
  static const JwkSet keys = [] {
    Result<JwkSet> parsed = JwkSet::Parse(kJwks);
    Check(parsed.ok() && parsed->size() == 3);
    return *parsed;
  }();
  return keys;
}

JwtPolicy Policy() {
  return JwtPolicy{"https://issuer.example.com", {"fuzz-client", "other-client"}, kNow, 0};
}

std::string Base64Url(std::string_view bytes) {
  std::string text = Base64Encode(bytes);
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

// Verifies `token` and checks what every outcome must satisfy.
Status VerifyAndCheck(std::string_view token, const JwkSet& keys) {
  Result<VerifiedToken> verified = VerifyJwt(token, keys, Policy());
  if (!verified.ok()) {
    Check(verified.status().code() == Code::kUnauthenticated);
    Check(!verified.status().message().empty());
    return verified.status();
  }
  Check(ParseJwt(token).ok());
  const json::value* iss = verified->claims.if_contains("iss");
  Check(iss != nullptr && iss->is_string() && iss->get_string() == Policy().issuer);
  const json::value* exp = verified->claims.if_contains("exp");
  Check(exp != nullptr && exp->is_number() && exp->to_number<double>() > kNow);
  for (const std::string& scope : verified->scopes) {
    Check(!scope.empty() && scope.find(' ') == std::string::npos);
  }
  return Status::Ok();
}

// Signs an HMAC token's header and payload correctly and verifies the result.
void ResignAndCheck(const Jwt& jwt) {
  const EVP_MD* md = jwt.alg == "HS256"   ? EVP_sha256()
                     : jwt.alg == "HS384" ? EVP_sha384()
                     : jwt.alg == "HS512" ? EVP_sha512()
                                          : nullptr;
  if (md == nullptr) return;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(jwt.signing_input.data()), jwt.signing_input.size(),
       mac, &len);
  std::string token = jwt.signing_input + "." +
                      Base64Url(std::string_view(reinterpret_cast<const char*>(mac), len));
  Status status = VerifyAndCheck(token, FixedKeys());
  if (jwt.kid.empty() || jwt.kid == "fuzz-hmac") {
    Check(status.message() != "the token's signature is invalid");
    Check(status.message().rfind("signing method", 0) == std::string::npos);
  }
}

void FuzzOne(std::string_view input) {
  size_t zero = input.find('\0');
  std::string_view token = StripBearer(input.substr(0, zero));

  std::optional<JwkSet> own_keys;
  if (zero != std::string_view::npos) {
    Result<JwkSet> parsed = JwkSet::Parse(input.substr(zero + 1));
    if (parsed.ok()) {
      own_keys = std::move(parsed).value();
    } else {
      Check(parsed.status().code() == Code::kInvalidArgument);
    }
  }

  Result<Jwt> jwt = ParseJwt(token);
  if (jwt.ok()) {
    Check(token.substr(0, jwt->signing_input.size()) == jwt->signing_input);
    Check(!jwt->alg.empty() && jwt->alg != "none");
    ResignAndCheck(*jwt);
  } else {
    Check(jwt.status().code() == Code::kUnauthenticated);
  }
  VerifyAndCheck(token, own_keys ? *own_keys : FixedKeys()).IgnoreError();
}

}  // namespace
}  // namespace nimbus::gateway

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nimbus::gateway::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
