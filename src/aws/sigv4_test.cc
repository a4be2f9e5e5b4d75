#include "aws/sigv4.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace nimbus::aws
