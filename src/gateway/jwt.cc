#include "gateway/jwt.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_set>

#include "core/strings.h"

namespace nimbus::gateway {
namespace {

// API Gateway refuses requests with larger headers long before this; the cap
// bounds the work an unauthenticated client can ask of the decoder.
constexpr size_t kMaxTokenSize = 16384;

Status Malformed(std::string_view what) {
  return Unauthenticated("the token is malformed: " + std::string(what));
}

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

// Each byte string has exactly one encoding: the bits left over after the
// last whole byte must be zero.
std::optional<std::string> Base64UrlDecode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;  // 6 bits cannot end a byte
  std::string out;
  out.reserve(in.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = Base64UrlValue(c);
    if (v < 0) return std::nullopt;
    acc = ((acc << 6) | static_cast<uint32_t>(v)) & 0x3fff;  // never more than 14 bits pending
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

namespace {

Result<json::object> DecodeObject(std::string_view part, const char* name) {
  std::optional<std::string> bytes = Base64UrlDecode(part);
  if (!bytes) return Malformed(std::string("the ") + name + " is not unpadded base64url");
  Result<json::value> value = ParseJson(*bytes);
  if (!value.ok() || !value->is_object()) {
    return Malformed(std::string("the ") + name + " is not a JSON object");
  }
  return std::move(value->as_object());
}

// ---- Claims ----------------------------------------------------------------------

// A NumericDate claim (RFC 7519 section 2): nullopt when absent, an error when
// present as anything but a finite number.
Result<std::optional<double>> NumericDate(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<double>();
  double d = 0;
  if (v->is_int64()) {
    d = static_cast<double>(v->get_int64());
  } else if (v->is_uint64()) {
    d = static_cast<double>(v->get_uint64());
  } else if (v->is_double() && std::isfinite(v->get_double())) {
    d = v->get_double();
  } else {
    return Unauthenticated("the token's " + std::string(name) + " claim is not a number");
  }
  return std::optional<double>(d);
}

bool AudienceAccepted(const json::object& claims, const std::vector<std::string>& allowed) {
  auto listed = [&](const json::value& v) {
    return v.is_string() && std::find(allowed.begin(), allowed.end(),
                                      std::string_view(v.get_string())) != allowed.end();
  };
  // client_id counts only when aud is absent; an unacceptable aud is final.
  const json::value* aud = claims.if_contains("aud");
  if (aud != nullptr && !aud->is_null()) {
    const json::array* list = aud->if_array();
    return list != nullptr ? std::any_of(list->begin(), list->end(), listed) : listed(*aud);
  }
  const json::value* client_id = claims.if_contains("client_id");
  return client_id != nullptr && listed(*client_id);
}

Status CheckClaims(const json::object& claims, const JwtPolicy& policy) {
  const json::value* iss = claims.if_contains("iss");
  if (iss == nullptr || !iss->is_string() || iss->get_string() != policy.issuer) {
    return Unauthenticated("the token does not have a valid issuer");
  }
  if (!policy.audience.empty() && !AudienceAccepted(claims, policy.audience)) {
    return Unauthenticated("the token does not have a valid audience");
  }
  // Doubles hold every plausible time exactly and cannot overflow here.
  double now = static_cast<double>(policy.now_s);
  double leeway = static_cast<double>(std::max<int64_t>(policy.leeway_s, 0));
  ASSIGN_OR_RETURN(std::optional<double> exp, NumericDate(claims, "exp"));
  if (!exp) return Unauthenticated("the token has no expiration time (exp)");
  if (now - leeway >= *exp) return Unauthenticated("the token has expired");
  ASSIGN_OR_RETURN(std::optional<double> nbf, NumericDate(claims, "nbf"));
  if (nbf && now + leeway < *nbf) return Unauthenticated("the token is not valid yet");
  ASSIGN_OR_RETURN(std::optional<double> iat, NumericDate(claims, "iat"));
  if (iat && now + leeway < *iat) return Unauthenticated("the token was issued in the future");
  return Status::Ok();
}

void AddScopes(const json::value* claim, std::unordered_set<std::string>* seen,
               std::vector<std::string>* scopes) {
  auto add = [&](std::string_view scope) {
    if (!scope.empty() && seen->emplace(scope).second) scopes->emplace_back(scope);
  };
  if (claim == nullptr) return;
  if (claim->is_string()) {
    for (std::string_view scope : Split(claim->get_string(), ' ')) add(scope);
  } else if (claim->is_array()) {
    for (const json::value& item : claim->get_array()) {
      if (item.is_string()) add(item.get_string());
    }
  }
}

}  // namespace

// ---- Public API ---------------------------------------------------------------

Result<Jwt> ParseJwt(std::string_view token) {
  if (token.empty()) return Malformed("it is empty");
  if (token.size() > kMaxTokenSize) return Malformed("it is longer than 16384 bytes");
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Malformed("it must have three parts separated by dots");
  }
  Jwt jwt;
  ASSIGN_OR_RETURN(jwt.header, DecodeObject(token.substr(0, first), "header"));
  ASSIGN_OR_RETURN(jwt.claims,
                   DecodeObject(token.substr(first + 1, second - first - 1), "payload"));
  std::optional<std::string> signature = Base64UrlDecode(token.substr(second + 1));
  if (!signature) return Malformed("the signature is not unpadded base64url");
  jwt.signature = std::move(*signature);
  jwt.signing_input = std::string(token.substr(0, second));

  const json::value* alg = jwt.header.if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return Malformed("the header has no alg");
  jwt.alg = std::string(alg->get_string());
  RETURN_IF_ERROR(CheckSigningAlgorithm(jwt.alg));  // refuses "none" too
  if (const json::value* kid = jwt.header.if_contains("kid"); kid != nullptr) {
    if (!kid->is_string()) return Malformed("the header's kid is not a string");
    jwt.kid = std::string(kid->get_string());
  }
  // RFC 7515 section 4.1.11: a token whose crit extensions are not understood
  // must be refused, and Nimbus understands none.
  if (jwt.header.contains("crit")) {
    return Unauthenticated("the token requires unsupported critical header parameters");
  }
  return jwt;
}

Result<VerifiedToken> VerifyJwt(std::string_view token, const JwkSet& keys,
                                const JwtPolicy& policy) {
  if (policy.issuer.empty()) return InvalidArgument("the JWT authorizer has no issuer configured");
  ASSIGN_OR_RETURN(Jwt jwt, ParseJwt(token));
  RETURN_IF_ERROR(keys.VerifySignature(jwt));
  RETURN_IF_ERROR(CheckClaims(jwt.claims, policy));
  VerifiedToken verified;
  std::unordered_set<std::string> seen;
  AddScopes(jwt.claims.if_contains("scope"), &seen, &verified.scopes);
  AddScopes(jwt.claims.if_contains("scp"), &seen, &verified.scopes);
  verified.claims = std::move(jwt.claims);
  return verified;
}

std::string_view StripBearer(std::string_view header_value) {
  constexpr std::string_view kScheme = "Bearer";
  std::string_view value = Trim(header_value);
  if (value.size() >= kScheme.size() &&
      EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    std::string_view rest = value.substr(kScheme.size());
    if (rest.empty()) return rest;
    if (rest.front() == ' ' || rest.front() == '\t') return Trim(rest);
  }
  return value;
}

}  // namespace nimbus::gateway
