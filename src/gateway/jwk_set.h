// An issuer's signing keys for the JWT authorizer (jwt.h): a JWKS document
// (RFC 7517) parsed into OpenSSL keys, and signature checks against them.
//
// Supported algorithms: RS256, RS384, RS512 (RSA keys of 2048 to 8192 bits),
// ES256 (P-256 keys) and HS256, HS384, HS512 (shared secrets of at least 32
// bytes). "none" and everything else is refused.
//
// Threads: a JwkSet is immutable once parsed; copies share its keys and may be
// used concurrently from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace nimbus::gateway {

struct Jwt;  // jwt.h

// The public keys and shared secrets of one issuer, from its JWKS document
// ({"keys": [...]}, RFC 7517).
//
// Parsing is strict about what the set claims to be and tolerant of what it
// does not use:
//  - a document that is not a JSON object with a "keys" array, or a key that is
//    not an object, is an error;
//  - a key that Nimbus cannot use is skipped: another kty (OKP, ...) or curve,
//    an alg that is not supported (PS256, RSA-OAEP, ...), or a "use" other
//    than "sig" (encryption keys share JWKS documents with signing keys);
//  - a key of a supported kind whose material is missing or malformed (n, e,
//    x, y or k absent, not base64url, of the wrong size, not on the curve), or
//    whose alg contradicts its kty, is an error naming the key, because the
//    issuer's set is broken and silently dropping the key would only turn into
//    unexplained 401s later.
// A set may end up empty; every token then fails verification.
class JwkSet {
 public:
  JwkSet();  // the empty set

  static Result<JwkSet> Parse(std::string_view jwks_json);

  // How many usable keys the set holds.
  size_t size() const;
  bool empty() const { return size() == 0; }

  // Checks the token's signature. With a kid in the token only keys with that
  // kid are considered, otherwise every key; of those, only keys whose kty
  // suits the token's alg (and whose own alg, if any, equals it) are tried.
  // An HS256 token is thus never checked against an RSA key's bytes.
  Status VerifySignature(const Jwt& jwt) const;

 private:
  struct Keys;  // defined in jwk_set.cc; holds OpenSSL handles
  explicit JwkSet(std::shared_ptr<const Keys> keys) : keys_(std::move(keys)) {}

  std::shared_ptr<const Keys> keys_;
};

// Ok when `alg` is one of the supported algorithms; else the Unauthenticated
// error a token signed with it fails with ("signing method PS256 is invalid";
// a name that could break a header's quoting is not echoed).
Status CheckSigningAlgorithm(std::string_view alg);

}  // namespace nimbus::gateway
