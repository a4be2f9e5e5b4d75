// AWS Signature Version 4: parsing what a request carries, building the
// canonical request from the bytes as received, and verifying (or, for
// Nimbus's own CLI, producing) the signature.
#pragma once

#include <cstdint>
#include <optional>
#include <mutex>
#include <string>
#include <vector>

#include "aws/protocol.h"
#include "core/status.h"
#include "net/http.h"

namespace nimbus::aws {

// The longest a presigned request may stay valid (X-Amz-Expires): a week.
constexpr int64_t kMaxPresignedExpiresSeconds = 7 * 24 * 3600;

struct SigV4Auth {
  std::string access_key_id;
  std::string date;     // yyyymmdd from the credential scope
  std::string region;
  std::string service;  // signing name: lambda, logs, dynamodb, s3...
  std::vector<std::string> signed_headers;
  std::string signature;  // 64 lowercase hex
  std::string timestamp;  // yyyymmddThhmmssZ
  bool presigned = false;
  int64_t expires_s = 0;  // presigned only: X-Amz-Expires as sent, not yet range-checked
  std::string security_token;
};

// Extracts SigV4 data from the Authorization header or the query string.
// The error's reason is "Missing" or "Malformed".
Result<SigV4Auth> ParseSigV4(const net::HttpRequest& req);

// For a presigned request dated `timestamp_s` (epoch seconds): nullopt when
// X-Amz-Expires is 1..604800 and the request has not expired at `now_s`;
// otherwise the error to answer (S3's codes for service s3).
std::optional<AwsError> CheckPresignedExpiry(const SigV4Auth& auth, int64_t timestamp_s,
                                             int64_t now_s);

// Binds the body to the signature. The canonical request takes the payload
// hash from an X-Amz-Content-Sha256 header verbatim, so when the header is
// present it must be one of the signed headers and equal the body's SHA-256
// (hex); only service s3 also allows UNSIGNED-PAYLOAD and the STREAMING-*
// forms (whose chunks the S3 frontend verifies). nullopt when the body is
// bound; otherwise the error to answer: S3's XAmzContentSHA256Mismatch or
// AccessDenied, the signature mismatch for every other service.
std::optional<AwsError> CheckPayloadHash(const net::HttpRequest& req, const SigV4Auth& auth);

// The canonical request of `req` for the given signed headers. S3 keeps the
// path as sent; every other service normalises it and encodes it again.
std::string CanonicalRequest(const net::HttpRequest& req, const SigV4Auth& auth, bool s3_path_rules);
std::string StringToSign(const SigV4Auth& auth, const std::string& canonical_request);
std::string SigningKey(const std::string& secret, const std::string& date,
                       const std::string& region, const std::string& service);

// The signing keys derived lately: a key changes only daily, and deriving one
// costs four HMACs. Any thread; internally locked. Owned by whoever verifies
// (the endpoint), so two endpoints never share keys.
class SigningKeyCache {
 public:
  std::string Get(const std::string& secret, const std::string& date, const std::string& region,
                  const std::string& service);

 private:
  struct Entry {
    std::string secret, date, region, service, key;
  };
  std::mutex mu_;
  std::vector<Entry> entries_;  // the last 16, oldest first
};

// The request's signature with `secret`; the key comes from `keys` when given.
std::string ComputeSignature(const net::HttpRequest& req, const SigV4Auth& auth,
                             const std::string& secret, bool s3_path_rules,
                             SigningKeyCache* keys = nullptr);

// Adds X-Amz-Date, (X-Amz-Security-Token) and Authorization headers to `req`
// (which must have Host set), signing every header it carries.
void SignRequest(net::HttpRequest& req, const std::string& access_key_id,
                 const std::string& secret, const std::string& session_token,
                 const std::string& region, const std::string& service, int64_t now_s);

}  // namespace nimbus::aws
