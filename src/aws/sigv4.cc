#include "aws/sigv4.h"

#include <algorithm>
#include <mutex>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/strings.h"
#include "core/time.h"

namespace nimbus::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

constexpr std::string_view kContentSha256 = "x-amz-content-sha256";

constexpr const char* kBadSignature =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

Status Malformed(std::string msg) { return Status(Code::kUnauthenticated, std::move(msg), "Malformed"); }

// X-Amz-Content-Sha256 values that leave the body out of the signature (or
// sign it chunk by chunk), which only S3 accepts.
bool S3OnlyPayloadHash(std::string_view value) {
  return value == "UNSIGNED-PAYLOAD" || value == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" ||
         value == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" ||
         value == "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
}

// Removes "." and ".." segments and collapses repeated slashes, as botocore does.
std::string NormalizePath(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> out;
  for (std::string_view seg : Split(path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(seg);
  }
  std::string result;
  for (auto seg : out) {
    result += '/';
    result += seg;
  }
  if (result.empty()) return "/";
  if (path.back() == '/' && path.size() > 1) result += '/';
  return result;
}

std::string CanonicalQuery(const std::string& raw_query, bool presigned) {
  std::vector<std::pair<std::string, std::string>> params;
  if (!raw_query.empty()) {
    for (std::string_view item : Split(raw_query, '&')) {
      if (item.empty()) continue;
      size_t eq = item.find('=');
      std::string name = PercentDecode(item.substr(0, eq));
      std::string value = eq == std::string_view::npos ? "" : PercentDecode(item.substr(eq + 1));
      if (presigned && name == "X-Amz-Signature") continue;
      params.emplace_back(UriEncode(name, false), UriEncode(value, false));
    }
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string CanonicalHeaderValue(std::string_view v) {
  v = Trim(v);
  std::string out;
  out.reserve(v.size());
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Parses "k1=v1, k2=v2" (commas with optional spaces) into a lookup.
std::optional<std::string> AuthPart(std::string_view header, std::string_view key) {
  for (std::string_view part : Split(header, ',')) {
    part = Trim(part);
    if (part.starts_with(key) && part.size() > key.size() && part[key.size()] == '=') {
      return std::string(part.substr(key.size() + 1));
    }
  }
  return std::nullopt;
}

Status FillCredential(SigV4Auth& auth, std::string_view credential) {
  auto parts = Split(credential, '/');
  if (parts.size() != 5 || parts[4] != "aws4_request" || parts[0].empty()) {
    return Malformed("Credential should be scoped to a valid region.");
  }
  auth.access_key_id = std::string(parts[0]);
  auth.date = std::string(parts[1]);
  auth.region = std::string(parts[2]);
  auth.service = std::string(parts[3]);
  return Status::Ok();
}

}  // namespace

Result<SigV4Auth> ParseSigV4(const net::HttpRequest& req) {
  SigV4Auth auth;
  const std::string* header = req.FindHeader("Authorization");
  if (header != nullptr) {
    std::string_view h = Trim(*header);
    if (!h.starts_with(kAlgorithm)) {
      return Malformed("Authorization header requires 'AWS4-HMAC-SHA256' as the algorithm.");
    }
    h.remove_prefix(kAlgorithm.size());
    auto credential = AuthPart(h, "Credential");
    auto signed_headers = AuthPart(h, "SignedHeaders");
    auto signature = AuthPart(h, "Signature");
    if (!credential || !signed_headers || !signature) {
      std::string missing = !credential ? "Credential" : !signed_headers ? "SignedHeaders" : "Signature";
      return Malformed("Authorization header requires '" + missing +
                       "' parameter. Authorization=" + std::string(Trim(*header)));
    }
    RETURN_IF_ERROR(FillCredential(auth, *credential));
    for (auto name : Split(*signed_headers, ';')) auth.signed_headers.emplace_back(name);
    auth.signature = *signature;
    if (const std::string* d = req.FindHeader("X-Amz-Date")) {
      auth.timestamp = *d;
    } else if (const std::string* date = req.FindHeader("Date")) {
      auto t = ParseHttpDate(*date);
      if (!t) return Malformed("Date must be in ISO-8601 'basic format'.");
      auth.timestamp = FormatAmzDate(*t);
    } else {
      return Malformed("Authorization header requires existence of either a 'X-Amz-Date' or a "
                       "'Date' header.");
    }
    auth.security_token = req.HeaderOr("X-Amz-Security-Token");
    return auth;
  }
  auto algorithm = req.Query("X-Amz-Algorithm");
  if (!algorithm) return Status(Code::kUnauthenticated, "Missing Authentication Token", "Missing");
  if (*algorithm != kAlgorithm) return Malformed("Unsupported X-Amz-Algorithm " + *algorithm);
  auth.presigned = true;
  auto credential = req.Query("X-Amz-Credential");
  auto signed_headers = req.Query("X-Amz-SignedHeaders");
  auto signature = req.Query("X-Amz-Signature");
  auto date = req.Query("X-Amz-Date");
  auto expires = req.Query("X-Amz-Expires");
  if (!credential || !signed_headers || !signature || !date || !expires) {
    return Malformed("Query-string authentication version 4 requires the X-Amz-Algorithm, "
                     "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                     "X-Amz-Expires parameters.");
  }
  RETURN_IF_ERROR(FillCredential(auth, *credential));
  for (auto name : Split(*signed_headers, ';')) auth.signed_headers.emplace_back(name);
  auth.signature = *signature;
  auth.timestamp = *date;
  // Parsed whole or refused (never wrapped); the range is CheckPresignedExpiry's.
  long long expires_s = 0;
  if (!ParseInt64(*expires, &expires_s)) return Malformed("X-Amz-Expires should be a number");
  auth.expires_s = expires_s;
  auth.security_token = req.Query("X-Amz-Security-Token").value_or("");
  return auth;
}

std::optional<AwsError> CheckPresignedExpiry(const SigV4Auth& auth, int64_t timestamp_s,
                                             int64_t now_s) {
  const bool s3 = auth.service == "s3";
  const char* bad_expires =
      s3 ? "AuthorizationQueryParametersError" : "IncompleteSignatureException";
  if (auth.expires_s < 0) return AwsError{400, bad_expires, "X-Amz-Expires must be non-negative"};
  if (auth.expires_s < 1) return AwsError{400, bad_expires, "X-Amz-Expires must be at least 1"};
  if (auth.expires_s > kMaxPresignedExpiresSeconds) {
    return AwsError{400, bad_expires,
                    "X-Amz-Expires must be less than a week (in seconds) that is 604800"};
  }
  // Both terms are bounded now (the date by its format, the lifetime by the
  // check above): the sum cannot overflow.
  const int64_t expires_at = timestamp_s + auth.expires_s;
  if (now_s <= expires_at) return std::nullopt;
  if (s3) return AwsError{403, "AccessDenied", "Request has expired"};
  return AwsError{
      403, "InvalidSignatureException",
      "Signature expired: the presigned request expired at " + FormatAmzDate(expires_at)};
}

std::optional<AwsError> CheckPayloadHash(const net::HttpRequest& req, const SigV4Auth& auth) {
  const std::string* value = req.FindHeader(kContentSha256);
  if (value == nullptr) return std::nullopt;  // the canonical request hashes the body itself
  const bool s3 = auth.service == "s3";
  if (std::find(auth.signed_headers.begin(), auth.signed_headers.end(), kContentSha256) ==
      auth.signed_headers.end()) {
    if (s3) {
      return AwsError{403,
                      "AccessDenied",
                      "There were headers present in the request which were not signed",
                      {{"HeadersNotSigned", std::string(kContentSha256)}}};
    }
    return AwsError{403, "InvalidSignatureException", kBadSignature};
  }
  if (s3 && S3OnlyPayloadHash(*value)) return std::nullopt;
  std::string computed = Sha256Hex(req.body);
  if (EqualsIgnoreCase(*value, computed)) return std::nullopt;
  if (s3) {
    return AwsError{400,
                    "XAmzContentSHA256Mismatch",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.",
                    {{"ClientComputedContentSHA256", *value},
                     {"S3ComputedContentSHA256", std::move(computed)}}};
  }
  return AwsError{403, "InvalidSignatureException", kBadSignature};
}

std::string CanonicalRequest(const net::HttpRequest& req, const SigV4Auth& auth, bool s3) {
  std::string out;
  out.reserve(512);
  out += req.method;
  out += '\n';
  if (s3) {
    out += req.path.empty() ? "/" : req.path;
  } else {
    out += UriEncode(NormalizePath(req.path), true);
  }
  out += '\n';
  out += CanonicalQuery(req.query, auth.presigned);
  out += '\n';
  for (const std::string& name : auth.signed_headers) {
    out += name;
    out += ':';
    bool first = true;
    for (const net::Header& h : req.headers) {
      if (!EqualsIgnoreCase(h.name, name)) continue;
      if (!first) out += ',';
      out += CanonicalHeaderValue(h.value);
      first = false;
    }
    out += '\n';
  }
  out += '\n';
  for (size_t i = 0; i < auth.signed_headers.size(); ++i) {
    if (i) out += ';';
    out += auth.signed_headers[i];
  }
  out += '\n';
  const std::string* content_sha = req.FindHeader("X-Amz-Content-Sha256");
  if (content_sha != nullptr) {
    out += *content_sha;
  } else if (auth.presigned && s3) {
    out += "UNSIGNED-PAYLOAD";
  } else {
    out += Sha256Hex(req.body);
  }
  return out;
}

std::string StringToSign(const SigV4Auth& auth, const std::string& canonical_request) {
  std::string out(kAlgorithm);
  out += '\n';
  out += auth.timestamp;
  out += '\n';
  out += auth.date + "/" + auth.region + "/" + auth.service + "/aws4_request\n";
  out += Sha256Hex(canonical_request);
  return out;
}

std::string SigningKey(const std::string& secret, const std::string& date,
                       const std::string& region, const std::string& service) {
  std::string k = HmacSha256("AWS4" + secret, date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

std::string SigningKeyCache::Get(const std::string& secret, const std::string& date,
                                 const std::string& region, const std::string& service) {
  {
    std::lock_guard lock(mu_);
    for (const auto& e : entries_) {
      if (e.date == date && e.region == region && e.service == service && e.secret == secret) {
        return e.key;
      }
    }
  }
  std::string key = SigningKey(secret, date, region, service);
  std::lock_guard lock(mu_);
  if (entries_.size() >= 16) entries_.erase(entries_.begin());
  entries_.push_back({secret, date, region, service, key});
  return key;
}

std::string ComputeSignature(const net::HttpRequest& req, const SigV4Auth& auth,
                             const std::string& secret, bool s3, SigningKeyCache* keys) {
  std::string sts = StringToSign(auth, CanonicalRequest(req, auth, s3));
  std::string key = keys ? keys->Get(secret, auth.date, auth.region, auth.service)
                         : SigningKey(secret, auth.date, auth.region, auth.service);
  return Hex(HmacSha256(key, sts));
}

void SignRequest(net::HttpRequest& req, const std::string& access_key_id,
                 const std::string& secret, const std::string& session_token,
                 const std::string& region, const std::string& service, int64_t now_s) {
  req.SplitTarget();
  SigV4Auth auth;
  auth.access_key_id = access_key_id;
  auth.timestamp = FormatAmzDate(now_s);
  auth.date = auth.timestamp.substr(0, 8);
  auth.region = region;
  auth.service = service;
  req.headers.push_back({"X-Amz-Date", auth.timestamp});
  if (!session_token.empty()) req.headers.push_back({"X-Amz-Security-Token", session_token});
  for (const auto& h : req.headers) auth.signed_headers.push_back(ToLower(h.name));
  std::sort(auth.signed_headers.begin(), auth.signed_headers.end());
  auth.signed_headers.erase(std::unique(auth.signed_headers.begin(), auth.signed_headers.end()),
                            auth.signed_headers.end());
  std::string signature = ComputeSignature(req, auth, secret, service == "s3");
  std::string signed_list;
  for (const auto& n : auth.signed_headers) signed_list += (signed_list.empty() ? "" : ";") + n;
  req.headers.push_back({"Authorization", std::string(kAlgorithm) + " Credential=" + access_key_id +
                                              "/" + auth.date + "/" + region + "/" + service +
                                              "/aws4_request, SignedHeaders=" + signed_list +
                                              ", Signature=" + signature});
}

}  // namespace nimbus::aws
