// JSON Web Tokens for the gateway's JWT authorizer: decoding a compact JWS
// and verifying a token's signature (against a JwkSet, jwk_set.h) and claims
// the way an API Gateway HTTP API JWT authorizer does.
//
// Every failure a client can cause is an Unauthenticated Status whose message
// is written to go, unchanged, into the error_description of the 401's
// `www-authenticate: Bearer ... error="invalid_token"` header. The messages are
// stable (clients and tests match them), so change them only deliberately.
//
// The supported algorithms are listed in jwk_set.h; "none" is refused.
//
// Threads: everything here may be called from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "gateway/jwk_set.h"

namespace nimbus::gateway {

// A decoded but not yet verified token. Nothing in it may be trusted before
// JwkSet::VerifySignature accepts it.
struct Jwt {
  json::object header;
  json::object claims;
  std::string alg;            // from the header; always one of the supported algorithms
  std::string kid;            // from the header; empty when the token names no key
  std::string signing_input;  // "<header>.<payload>" exactly as received: what was signed
  std::string signature;      // the decoded signature bytes
};

// Unpadded base64url (RFC 7515 section 2), as JWS parts are encoded; nullopt
// when `in` holds another character, padding, or non-zero leftover bits.
std::optional<std::string> Base64UrlDecode(std::string_view in);

// Decodes a compact JWS "header.payload.signature". Each part must be unpadded
// base64url (RFC 7515); header and payload must be JSON objects; the header's
// alg must be a supported algorithm, and it must not list critical extensions
// (crit), none of which are supported.
Result<Jwt> ParseJwt(std::string_view token);

// What a token must satisfy besides its signature.
struct JwtPolicy {
  // The exact value the iss claim must have. Required: a policy without an
  // issuer makes VerifyJwt fail with InvalidArgument.
  std::string issuer;
  // The token's aud (a string or an array of strings) must contain one of
  // these; when the token has no aud, its client_id must be one of these
  // (Cognito access tokens carry client_id instead of aud). Empty: no check.
  std::vector<std::string> audience;
  // The current time in seconds since the epoch.
  int64_t now_s = 0;
  // Clock skew tolerated on exp, nbf and iat, in seconds.
  int64_t leeway_s = 0;
};

struct VerifiedToken {
  json::object claims;
  // The union, in order of first appearance, of the scope claim's and the scp
  // claim's scopes; each claim may be a space-separated string or an array of
  // strings (OAuth uses the first, Okta and Azure AD the second).
  std::vector<std::string> scopes;
};

// Decodes `token`, checks its signature against `keys`, then its claims in
// the order API Gateway documents: iss, aud (or client_id), exp (required;
// expired once now >= exp), nbf and iat (neither may be in the future).
// NumericDate claims must be JSON numbers; fractions are allowed.
Result<VerifiedToken> VerifyJwt(std::string_view token, const JwkSet& keys,
                                const JwtPolicy& policy);

// The token in an identity-source value: the part after a "Bearer" scheme
// (matched case-insensitively) or, without the scheme, the whole value, in
// both cases without surrounding blanks. "Bearer" alone yields "".
std::string_view StripBearer(std::string_view header_value);

}  // namespace nimbus::gateway
