// The JWKS key set of jwt.h's JWT verification: parsing an issuer's keys
// into OpenSSL handles, and checking a token's signature against them.
#include "gateway/jwk_set.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/jwt.h"

namespace nimbus::gateway {
namespace {

// OpenSSL objects owned by unique_ptr, freed with their own free function.
template <auto kFree>
struct Freer {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Freer<&EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Freer<&EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Freer<&EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Freer<&BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Freer<&OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Freer<&OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Freer<&ECDSA_SIG_free>>;

enum class KeyType { kRsa, kEc, kOct };

struct Algorithm {
  std::string_view name;
  KeyType kty;
  const EVP_MD* (*digest)();
};

constexpr Algorithm kAlgorithms[] = {
    {"RS256", KeyType::kRsa, &EVP_sha256}, {"RS384", KeyType::kRsa, &EVP_sha384},
    {"RS512", KeyType::kRsa, &EVP_sha512}, {"ES256", KeyType::kEc, &EVP_sha256},
    {"HS256", KeyType::kOct, &EVP_sha256}, {"HS384", KeyType::kOct, &EVP_sha384},
    {"HS512", KeyType::kOct, &EVP_sha512},
};

const Algorithm* FindAlgorithm(std::string_view name) {
  for (const Algorithm& alg : kAlgorithms) {
    if (alg.name == name) return &alg;
  }
  return nullptr;
}

// One usable key of a JwkSet.
struct Jwk {
  std::string kid;
  KeyType kty = KeyType::kRsa;
  const Algorithm* alg = nullptr;  // nullptr: any algorithm of its kty
  PkeyPtr pkey;                    // RSA and EC
  std::string secret;              // oct
};

// The error for an alg the key set cannot check. The name goes into a response
// header, so an unknown one is only echoed when it cannot break the quoting.
Status InvalidMethod(std::string_view alg) {
  bool plain = !alg.empty() && alg.size() <= 16 && std::all_of(alg.begin(), alg.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
  if (!plain) return Unauthenticated("the token's signing method is invalid");
  return Unauthenticated("signing method " + std::string(alg) + " is invalid");
}

// ---- Keys --------------------------------------------------------------------

// A key member holding base64url bytes. Issuers are trusted to publish their
// own keys, so trailing '=' padding, which some emit, is tolerated here.
Result<std::string> KeyBytes(const JsonObjectReader& reader, std::string_view member,
                             const std::string& where) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, reader.String(member));
  if (!text) return InvalidArgument(where + " has no " + std::string(member));
  std::string_view unpadded = *text;
  for (int i = 0; i < 2 && !unpadded.empty() && unpadded.back() == '='; ++i) {
    unpadded.remove_suffix(1);
  }
  std::optional<std::string> bytes = Base64UrlDecode(unpadded);
  if (!bytes || bytes->empty()) {
    return InvalidArgument(where + ": " + std::string(member) + " is not base64url");
  }
  return std::move(*bytes);
}

BnPtr ToBignum(std::string_view bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}

// Builds a public key of `type` ("RSA", "EC") from the parameters in `bld`.
PkeyPtr PublicKeyFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    ERR_clear_error();
    return nullptr;
  }
  return PkeyPtr(raw);
}

Result<PkeyPtr> RsaKey(std::string_view n_bytes, std::string_view e_bytes,
                       const std::string& where) {
  BnPtr n = ToBignum(n_bytes);
  BnPtr e = ToBignum(e_bytes);
  if (n == nullptr || e == nullptr) return Internal("out of memory decoding an RSA key");
  // Smaller moduli are forbidden by RFC 7518; larger ones only cost CPU. A
  // public exponent must be odd and above 1; more than 64 bits is never used.
  int n_bits = BN_num_bits(n.get());
  if (n_bits < 2048 || n_bits > 8192 || !BN_is_odd(n.get())) {
    return InvalidArgument(where + ": the RSA modulus must be odd and of 2048 to 8192 bits");
  }
  if (!BN_is_odd(e.get()) || BN_num_bits(e.get()) < 2 || BN_num_bits(e.get()) > 64) {
    return InvalidArgument(where + ": the RSA exponent is not valid");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get())) {
    return Internal("out of memory building an RSA key");
  }
  PkeyPtr pkey = PublicKeyFromParams("RSA", bld.get());
  if (pkey == nullptr) return InvalidArgument(where + ": OpenSSL refused the RSA key");
  return pkey;
}

Result<PkeyPtr> P256Key(std::string_view x, std::string_view y, const std::string& where) {
  // RFC 7518 section 6.2.1.2: coordinates are the full 32 bytes, zero-padded.
  if (x.size() != 32 || y.size() != 32) {
    return InvalidArgument(where + ": P-256 coordinates must be 32 bytes each");
  }
  std::string point = "\x04";  // SEC1 uncompressed point: 04 || x || y
  point.append(x).append(y);
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1,
                                       0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size())) {
    return Internal("out of memory building an EC key");
  }
  PkeyPtr pkey = PublicKeyFromParams("EC", bld.get());
  // A point off the curve would open the door to invalid-curve attacks.
  PkeyCtxPtr check(pkey ? EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr) : nullptr);
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument(where + ": the point is not on curve P-256");
  }
  return pkey;
}

// One entry of a JWKS document: a usable key, nullopt for a key to skip (see
// the JwkSet contract in jwt.h), or an error when the entry is broken.
Result<std::optional<Jwk>> ParseKey(const json::value& entry, size_t index) {
  std::string where = "key " + std::to_string(index);
  if (!entry.is_object()) return InvalidArgument(where + " is not a JSON object");
  const json::object& obj = entry.as_object();
  JsonObjectReader reader(obj, "keys[" + std::to_string(index) + "]");
  ASSIGN_OR_RETURN(std::optional<std::string> kty, reader.String("kty"));
  ASSIGN_OR_RETURN(std::optional<std::string> kid, reader.String("kid"));
  ASSIGN_OR_RETURN(std::optional<std::string> use, reader.String("use"));
  ASSIGN_OR_RETURN(std::optional<std::string> alg, reader.String("alg"));
  if (kid) where += " (kid " + *kid + ")";
  if (!kty) return InvalidArgument(where + " has no kty");

  Jwk key;
  key.kid = kid.value_or("");
  if (*kty == "RSA") {
    key.kty = KeyType::kRsa;
  } else if (*kty == "EC") {
    key.kty = KeyType::kEc;
  } else if (*kty == "oct") {
    key.kty = KeyType::kOct;
  } else {
    return std::optional<Jwk>();
  }
  if (use && *use != "sig") return std::optional<Jwk>();
  if (alg) {
    key.alg = FindAlgorithm(*alg);
    if (key.alg == nullptr) return std::optional<Jwk>();
    if (key.alg->kty != key.kty) {
      return InvalidArgument(where + ": alg " + *alg + " does not suit kty " + *kty);
    }
  }

  switch (key.kty) {
    case KeyType::kRsa: {
      ASSIGN_OR_RETURN(std::string n, KeyBytes(reader, "n", where));
      ASSIGN_OR_RETURN(std::string e, KeyBytes(reader, "e", where));
      ASSIGN_OR_RETURN(key.pkey, RsaKey(n, e, where));
      break;
    }
    case KeyType::kEc: {
      ASSIGN_OR_RETURN(std::optional<std::string> crv, reader.String("crv"));
      if (!crv) return InvalidArgument(where + " has no crv");
      if (*crv != "P-256") return std::optional<Jwk>();  // P-384, secp256k1: not supported
      ASSIGN_OR_RETURN(std::string x, KeyBytes(reader, "x", where));
      ASSIGN_OR_RETURN(std::string y, KeyBytes(reader, "y", where));
      ASSIGN_OR_RETURN(key.pkey, P256Key(x, y, where));
      break;
    }
    case KeyType::kOct: {
      ASSIGN_OR_RETURN(key.secret, KeyBytes(reader, "k", where));
      // RFC 7518 section 3.2 wants at least the hash size; 32 bytes is HS256's.
      if (key.secret.size() < 32) {
        return InvalidArgument(where + ": an HMAC secret must be at least 32 bytes");
      }
      break;
    }
  }
  return std::optional<Jwk>(std::move(key));
}

// ---- Signatures ----------------------------------------------------------------

// JWS carries an ECDSA signature as r || s (RFC 7518 section 3.4); OpenSSL
// wants the DER SEQUENCE of two INTEGERs.
std::optional<std::string> EcdsaRawToDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BnPtr r = ToBignum(raw.substr(0, 32));
  BnPtr s = ToBignum(raw.substr(32));
  if (sig == nullptr || r == nullptr || s == nullptr) return std::nullopt;
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  static_cast<void>(r.release());  // sig owns r and s now
  static_cast<void>(s.release());
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  std::string der(static_cast<size_t>(len), '\0');
  unsigned char* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return std::nullopt;
  return der;
}

bool VerifyWithPublicKey(const Algorithm& alg, EVP_PKEY* pkey, std::string_view input,
                         std::string_view signature) {
  std::optional<std::string> der;
  if (alg.kty == KeyType::kEc) {
    der = EcdsaRawToDer(signature);
    if (!der) return false;
    signature = *der;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit(ctx.get(), nullptr, alg.digest(), nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  ERR_clear_error();  // a failed verification leaves errors on this thread's queue
  return ok;
}

bool VerifyHmac(const Algorithm& alg, const std::string& secret, std::string_view input,
                std::string_view signature) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(alg.digest(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
           &len) == nullptr) {
    ERR_clear_error();
    return false;
  }
  return signature.size() == len && CRYPTO_memcmp(mac, signature.data(), len) == 0;
}

}  // namespace

Status CheckSigningAlgorithm(std::string_view alg) {
  return FindAlgorithm(alg) != nullptr ? Status::Ok() : InvalidMethod(alg);
}

struct JwkSet::Keys {
  std::vector<Jwk> keys;
  // Shared secrets do not outlive the set in freed memory.
  ~Keys() {
    for (Jwk& key : keys) OPENSSL_cleanse(key.secret.data(), key.secret.size());
  }
};

JwkSet::JwkSet() : keys_(std::make_shared<Keys>()) {}

Result<JwkSet> JwkSet::Parse(std::string_view jwks_json) {
  Result<json::value> doc = ParseJson(jwks_json);
  if (!doc.ok()) return InvalidArgument("the JWKS document is not JSON: " + doc.status().message());
  const json::value* list = doc->is_object() ? doc->as_object().if_contains("keys") : nullptr;
  if (list == nullptr || !list->is_array()) {
    return InvalidArgument("the JWKS document is not an object with a \"keys\" array");
  }
  auto keys = std::make_shared<Keys>();
  for (size_t i = 0; i < list->get_array().size(); ++i) {
    Result<std::optional<Jwk>> key = ParseKey(list->get_array()[i], i);
    if (!key.ok()) return InvalidArgument("invalid JWKS document: " + key.status().message());
    if (key->has_value()) keys->keys.push_back(std::move(**key));
  }
  return JwkSet(std::move(keys));
}

size_t JwkSet::size() const {
  return keys_->keys.size();
}

Status JwkSet::VerifySignature(const Jwt& jwt) const {
  const Algorithm* alg = FindAlgorithm(jwt.alg);
  if (alg == nullptr) return InvalidMethod(jwt.alg);
  bool kid_found = false;
  bool suitable_found = false;
  for (const Jwk& key : keys_->keys) {
    if (!jwt.kid.empty() && key.kid != jwt.kid) continue;
    kid_found = true;
    if (key.kty != alg->kty || (key.alg != nullptr && key.alg != alg)) continue;
    suitable_found = true;
    bool ok = key.kty == KeyType::kOct
                  ? VerifyHmac(*alg, key.secret, jwt.signing_input, jwt.signature)
                  : VerifyWithPublicKey(*alg, key.pkey.get(), jwt.signing_input, jwt.signature);
    if (ok) return Status::Ok();
  }
  // The kid is the client's text: it is not echoed into the response header.
  if (!jwt.kid.empty() && !kid_found) {
    return Unauthenticated("the token's kid does not match any of the issuer's keys");
  }
  if (!suitable_found) return InvalidMethod(jwt.alg);
  return Unauthenticated("the token's signature is invalid");
}

}  // namespace nimbus::gateway
