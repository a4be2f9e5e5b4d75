// Fuzzes the SigV4 verifier's parsing and canonicalisation: ParseSigV4,
// CanonicalRequest (both path rules), the payload-hash and presigned-expiry
// checks, on a request built from the input. The input is a request written
// out as text:
//
//   METHOD TARGET\n
//   Name: value\n          (any number of header lines)
//   \n
//   body
//
// A fuzzer cannot forge signatures, so the target also signs the request
// itself (without its own authentication headers) and verifies that: a
// request Nimbus signed must parse and verify, whatever its target, headers
// and body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "core/crypto.h"
#include "core/strings.h"
#include "core/time.h"

namespace nimbus::aws {
namespace {

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr int64_t kNow = 1'706'704'496;  // 20240131T123456Z

void Check(bool ok) {
  if (!ok) std::abort();
}

std::string_view TakeLine(std::string_view& in) {
  size_t nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

net::HttpRequest RequestFrom(std::string_view in) {
  net::HttpRequest req;
  std::string_view first = TakeLine(in);
  size_t space = first.find(' ');
  req.method = std::string(first.substr(0, space));
  req.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  req.SplitTarget();
  while (!in.empty()) {
    std::string_view line = TakeLine(in);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    req.headers.push_back(
        {std::string(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1)))});
  }
  req.body = std::string(in);
  return req;
}

// Header names a client could sign: RFC 9110 tokens.
bool Token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

void Exercise(const net::HttpRequest& req) {
  Result<SigV4Auth> auth = ParseSigV4(req);
  if (!auth.ok()) {
    Check(auth.status().code() == Code::kUnauthenticated);
    Check(auth.status().reason() == "Missing" || auth.status().reason() == "Malformed");
    return;
  }
  Check(auth->presigned || req.FindHeader("Authorization") != nullptr);
  for (bool s3 : {false, true}) {
    std::string canonical = CanonicalRequest(req, *auth, s3);
    Check(canonical.starts_with(req.method + "\n"));
    StringToSign(*auth, canonical);
  }
  ComputeSignature(req, *auth, std::string(kSecret), auth->service == "s3");
  std::optional<AwsError> payload = CheckPayloadHash(req, *auth);
  if (payload) Check(payload->status == 400 || payload->status == 403);
  if (auth->presigned) {
    if (std::optional<int64_t> ts = ParseAmzDate(auth->timestamp)) {
      std::optional<AwsError> expiry = CheckPresignedExpiry(*auth, *ts, kNow);
      bool in_range = auth->expires_s >= 1 && auth->expires_s <= kMaxPresignedExpiresSeconds;
      if (!in_range) Check(expiry.has_value() && expiry->status == 400);
      if (in_range && kNow <= *ts + auth->expires_s) Check(!expiry.has_value());
    }
  }
}

// Signs `req` as Nimbus's CLI would and checks that the result verifies.
void SignAndVerify(net::HttpRequest req) {
  std::vector<net::Header> kept;
  bool host = false;
  for (auto& h : req.headers) {
    if (!Token(h.name)) return;
    if (EqualsIgnoreCase(h.name, "Authorization") || EqualsIgnoreCase(h.name, "X-Amz-Date") ||
        EqualsIgnoreCase(h.name, "X-Amz-Security-Token") ||
        EqualsIgnoreCase(h.name, "X-Amz-Content-Sha256")) {
      continue;
    }
    host = host || EqualsIgnoreCase(h.name, "Host");
    kept.push_back(std::move(h));
  }
  if (!host) kept.push_back({"Host", "127.0.0.1:4566"});
  req.headers = std::move(kept);
  // Sign over the payload hash too, as S3 clients do, so that the payload
  // check has a correct request to accept.
  req.headers.push_back({"X-Amz-Content-Sha256", Sha256Hex(req.body)});
  SignRequest(req, "AKIDFUZZ", std::string(kSecret), "token", "us-east-1", "lambda", kNow);
  Result<SigV4Auth> auth = ParseSigV4(req);
  Check(auth.ok());
  Check(auth->access_key_id == "AKIDFUZZ" && auth->service == "lambda" &&
        auth->security_token == "token" && !auth->presigned);
  Check(ComputeSignature(req, *auth, std::string(kSecret), false) == auth->signature);
  Check(!CheckPayloadHash(req, *auth).has_value());
}

}  // namespace
}  // namespace nimbus::aws

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nimbus::net::HttpRequest req = nimbus::aws::RequestFrom(input);
  nimbus::aws::Exercise(req);
  nimbus::aws::SignAndVerify(std::move(req));
  return 0;
}
