#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <cctype>
#include <optional>

#include "core/crypto.h"
#include "core/time.h"

namespace nimbus::aws {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

net::HttpRequest Request(std::string method, std::string target,
                         std::vector<net::Header> headers, std::string body = {}) {
  net::HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.SplitTarget();
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

std::string SignatureOf(const net::HttpRequest& req) {
  auto auth = ParseSigV4(req);
  EXPECT_TRUE(auth.ok()) << auth.status().ToString();
  return ComputeSignature(req, *auth, kSecret, false);
}

// Expected values were produced by botocore's SigV4Auth for the same requests.
TEST(SigV4Test, MatchesBotocoreVectors) {
  auto vanilla = Request("GET", "/",
                         {{"Host", "example.amazonaws.com"},
                          {"X-Amz-Date", "20150830T123600Z"},
                          {"Authorization",
                           "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                           "aws4_request, SignedHeaders=host;x-amz-date, Signature=x"}});
  EXPECT_EQ(SignatureOf(vanilla), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");

  auto query = Request("GET", "/?Param2=value2&Param1=value1",
                       {{"Host", "example.amazonaws.com"},
                        {"X-Amz-Date", "20150830T123600Z"},
                        {"Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                         "aws4_request,SignedHeaders=host;x-amz-date,Signature=x"}});
  EXPECT_EQ(SignatureOf(query), "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");

  // A Lambda invoke on an ARN: the encoded path is encoded again.
  auto invoke = Request(
      "POST",
      "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/"
      "invocations",
      {{"Host", "localhost:4566"},
       {"Content-Type", "application/json"},
       {"X-Amz-Target", "x"},
       {"X-Amz-Date", "20150830T123600Z"},
       {"Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=x"}},
      "{\"a\": 1}");
  EXPECT_EQ(SignatureOf(invoke), "fc1a3701dc9eb09bdf75c8a65789483264d8fbe5409ae6fbdf799280f1f6090d");
}

TEST(SigV4Test, SignThenVerify) {
  auto req = Request("POST", "/2015-03-31/functions/f/invocations?Qualifier=%24LATEST",
                     {{"Host", "127.0.0.1:4566"}, {"Content-Type", "application/json"}}, "{}");
  SignRequest(req, "AKID", kSecret, "tok", "eu-west-1", "lambda", 1706704496);
  auto auth = ParseSigV4(req);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->region, "eu-west-1");
  EXPECT_EQ(auth->service, "lambda");
  EXPECT_EQ(auth->security_token, "tok");
  EXPECT_EQ(ComputeSignature(req, *auth, kSecret, false), auth->signature);
  req.body = "{\"tampered\":1}";
  EXPECT_NE(ComputeSignature(req, *auth, kSecret, false), auth->signature);
}

TEST(SigV4Test, ParsesOrRejectsHeaders) {
  auto none = Request("GET", "/", {{"Host", "h"}});
  EXPECT_EQ(ParseSigV4(none).status().reason(), "Missing");
  auto bad = Request("GET", "/", {{"Host", "h"}, {"Authorization", "AWS4-HMAC-SHA256 Credential=a"}});
  EXPECT_EQ(ParseSigV4(bad).status().reason(), "Malformed");
  auto scope = Request("GET", "/", {{"Host", "h"}, {"X-Amz-Date", "20150830T123600Z"},
                                    {"Authorization", "AWS4-HMAC-SHA256 Credential=a/b, "
                                                      "SignedHeaders=host, Signature=x"}});
  EXPECT_FALSE(ParseSigV4(scope).ok());
  auto presigned = Request("GET",
                           "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240131%2F"
                           "us-east-1%2Flambda%2Faws4_request&X-Amz-Date=20240131T000000Z&"
                           "X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=ab",
                           {{"Host", "h"}});
  auto p = ParseSigV4(presigned);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->presigned);
  EXPECT_EQ(p->expires_s, 60);
  EXPECT_EQ(p->access_key_id, "AKID");
}

// A request signed for `service` carrying X-Amz-Content-Sha256 `sha`,
// signed along unless `sign_sha` is false.
net::HttpRequest WithContentSha(const std::string& service, const std::string& sha,
                                bool sign_sha = true) {
  auto req = Request("POST", "/2015-03-31/functions/f/invocations",
                     {{"Host", "127.0.0.1:4566"}, {"Content-Type", "application/json"}},
                     R"({"amount": 1})");
  if (sign_sha) req.headers.push_back({"X-Amz-Content-Sha256", sha});
  SignRequest(req, "AKID", kSecret, "", "us-east-1", service, 1706704496);
  if (!sign_sha) req.headers.push_back({"X-Amz-Content-Sha256", sha});
  return req;
}

std::optional<AwsError> PayloadError(const net::HttpRequest& req) {
  auto auth = ParseSigV4(req);
  EXPECT_TRUE(auth.ok()) << auth.status().ToString();
  return CheckPayloadHash(req, *auth);
}

// The canonical request takes the payload hash from X-Amz-Content-Sha256, so
// without this check a signed request's body could be swapped for any other.
TEST(SigV4PayloadTest, ContentSha256MustMatchTheBody) {
  const std::string body_sha = Sha256Hex(R"({"amount": 1})");
  auto req = WithContentSha("lambda", body_sha);
  EXPECT_FALSE(PayloadError(req).has_value());
  auto auth = ParseSigV4(req);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(ComputeSignature(req, *auth, kSecret, false), auth->signature);

  // The attack: same headers and signature, another body. The signature
  // still verifies (it covers the header, not the body)...
  req.body = R"({"amount": 1000000})";
  EXPECT_EQ(ComputeSignature(req, *auth, kSecret, false), auth->signature);
  // ...and the payload check refuses it with the signature mismatch.
  auto err = PayloadError(req);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->status, 403);
  EXPECT_EQ(err->type, "InvalidSignatureException");

  // S3 names the mismatch.
  auto s3 = WithContentSha("s3", body_sha);
  EXPECT_FALSE(PayloadError(s3).has_value());
  s3.body = "tampered";
  err = PayloadError(s3);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->status, 400);
  EXPECT_EQ(err->type, "XAmzContentSHA256Mismatch");
  EXPECT_EQ(err->message,
            "The provided 'x-amz-content-sha256' header does not match what was computed.");

  // Upper-case hex names the same digest.
  std::string upper = body_sha;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(PayloadError(WithContentSha("lambda", upper)).has_value());
  // Without the header the canonical request hashes the body itself.
  auto plain = WithContentSha("lambda", "", false);
  plain.headers.pop_back();
  EXPECT_FALSE(PayloadError(plain).has_value());
}

TEST(SigV4PayloadTest, ContentSha256MustBeSigned) {
  // An unsigned header would let anyone set the payload hash of a captured request.
  auto req = WithContentSha("lambda", Sha256Hex("anything"), false);
  auto err = PayloadError(req);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->type, "InvalidSignatureException");
  // Even when it happens to match the body.
  err = PayloadError(WithContentSha("lambda", Sha256Hex(R"({"amount": 1})"), false));
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->type, "InvalidSignatureException");
  err = PayloadError(WithContentSha("s3", "UNSIGNED-PAYLOAD", false));
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->status, 403);
  EXPECT_EQ(err->type, "AccessDenied");
  EXPECT_EQ(err->message, "There were headers present in the request which were not signed");
}

TEST(SigV4PayloadTest, UnsignedAndStreamingPayloadsOnlyForS3) {
  for (const char* value :
       {"UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}) {
    EXPECT_FALSE(PayloadError(WithContentSha("s3", value)).has_value()) << value;
    for (const char* service : {"lambda", "dynamodb", "logs"}) {
      auto err = PayloadError(WithContentSha(service, value));
      ASSERT_TRUE(err.has_value()) << service << " " << value;
      EXPECT_EQ(err->type, "InvalidSignatureException");
    }
  }
  for (const char* value : {"", "STREAMING-SOMETHING-ELSE", "unsigned-payload", "0"}) {
    auto err = PayloadError(WithContentSha("s3", value));
    ASSERT_TRUE(err.has_value()) << value;
    EXPECT_EQ(err->type, "XAmzContentSHA256Mismatch");
  }
}

// A presigned Lambda request dated `date` valid for `expires` seconds.
net::HttpRequest Presigned(const std::string& date, const std::string& expires,
                           const std::string& service = "lambda") {
  std::string target = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F" +
                       date.substr(0, 8) + "%2Fus-east-1%2F" + service +
                       "%2Faws4_request&X-Amz-Date=" + date + "&X-Amz-SignedHeaders=host&" +
                       "X-Amz-Signature=ab";
  if (!expires.empty()) target += "&X-Amz-Expires=" + expires;
  return Request("GET", target, {{"Host", "h"}});
}

std::optional<AwsError> ExpiryError(const net::HttpRequest& req, int64_t now_s) {
  auto auth = ParseSigV4(req);
  EXPECT_TRUE(auth.ok()) << auth.status().ToString();
  if (!auth.ok()) return AwsError{};
  auto ts = ParseAmzDate(auth->timestamp);
  EXPECT_TRUE(ts.has_value());
  return CheckPresignedExpiry(*auth, *ts, now_s);
}

TEST(SigV4PresignedTest, ExpiresIsOneSecondToOneWeek) {
  const int64_t t = 1706659200;  // 20240131T000000Z
  const std::string date = "20240131T000000Z";
  EXPECT_FALSE(ExpiryError(Presigned(date, "1"), t + 1).has_value());
  EXPECT_FALSE(ExpiryError(Presigned(date, "604800"), t + 604800).has_value());
  auto err = ExpiryError(Presigned(date, "604800"), t + 604801);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->status, 403);
  EXPECT_EQ(err->type, "InvalidSignatureException");
  EXPECT_EQ(err->message,
            "Signature expired: the presigned request expired at 20240207T000000Z");

  err = ExpiryError(Presigned(date, "604801"), t);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->status, 400);
  EXPECT_EQ(err->message, "X-Amz-Expires must be less than a week (in seconds) that is 604800");
  EXPECT_EQ(ExpiryError(Presigned(date, "0"), t)->message, "X-Amz-Expires must be at least 1");
  EXPECT_EQ(ExpiryError(Presigned(date, "-5"), t)->message, "X-Amz-Expires must be non-negative");

  // Dated 400 days ago, valid for ten years: refused on the cap, whatever the date.
  err = ExpiryError(Presigned(date, std::to_string(10LL * 365 * 86400)), t + 400LL * 86400);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->status, 400);
  // The largest 64-bit value: refused, without overflowing the date arithmetic.
  err = ExpiryError(Presigned(date, "9223372036854775807"), t);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->status, 400);

  // S3's codes.
  err = ExpiryError(Presigned(date, "604801", "s3"), t);
  EXPECT_EQ(err->type, "AuthorizationQueryParametersError");
  err = ExpiryError(Presigned(date, "60", "s3"), t + 61);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->status, 403);
  EXPECT_EQ(err->type, "AccessDenied");
  EXPECT_EQ(err->message, "Request has expired");
}

TEST(SigV4PresignedTest, ExpiresMustBeAWholeNumber) {
  const std::string date = "20240131T000000Z";
  for (const char* bad : {"", "abc", "60s", "1e3", "+60", "99999999999999999999999"}) {
    auto req = Presigned(date, "");
    req.target += std::string("&X-Amz-Expires=") + bad;
    req.SplitTarget();
    auto auth = ParseSigV4(req);
    ASSERT_FALSE(auth.ok()) << bad;
    EXPECT_EQ(auth.status().reason(), "Malformed");
    EXPECT_EQ(auth.status().message(), "X-Amz-Expires should be a number");
  }
  auto missing = ParseSigV4(Presigned(date, ""));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().reason(), "Malformed");
}

}  // namespace
}  // namespace nimbus::aws
