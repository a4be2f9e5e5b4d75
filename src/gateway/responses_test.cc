#include "gateway/responses.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace nimbus::gateway {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

invoker::InvokeResult Returned(std::string payload) {
  invoker::InvokeResult r;
  r.payload = std::move(payload);
  return r;
}

invoker::InvokeResult Failed(std::string payload) {
  invoker::InvokeResult r = Returned(std::move(payload));
  r.function_error = "Unhandled";
  return r;
}

Headers HeadersOf(const net::HttpResponse& r) {
  Headers out;
  for (const auto& h : r.headers) out.emplace_back(h.name, h.value);
  return out;
}

void ExpectError(const net::HttpResponse& r, int status, const std::string& body) {
  EXPECT_EQ(r.status, status);
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(HeadersOf(r), (Headers{{"Content-Type", "application/json"}}));
}

const char* const kHttp500 = R"({"message":"Internal Server Error"})";
const char* const kRest502 = R"({"message":"Internal server error"})";

// ---- Payload format 2.0 ---------------------------------------------------------

TEST(MapResponseV2Test, StringIsTheBodyWithoutQuotes) {
  net::HttpResponse r = MapResponseV2(Returned(R"("hello \"you\"")"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"(hello "you")");
  EXPECT_EQ(HeadersOf(r), (Headers{{"Content-Type", "application/json"}}));
}

TEST(MapResponseV2Test, OtherJsonWithoutStatusCodeIsTheBody) {
  for (std::string payload : {R"({"message": "hi", "status": 404})", R"([1, 2])", "42", "true",
                              "null", R"({"StatusCode": 500})"}) {
    net::HttpResponse r = MapResponseV2(Returned(payload));
    EXPECT_EQ(r.status, 200) << payload;
    EXPECT_EQ(r.body, payload);
    EXPECT_EQ(HeadersOf(r), (Headers{{"Content-Type", "application/json"}})) << payload;
  }
}

TEST(MapResponseV2Test, StatusCodeObjectIsUsedAsGiven) {
  net::HttpResponse r = MapResponseV2(Returned(R"({
    "statusCode": 201,
    "headers": {"Content-Type": "text/plain", "X-Num": 5, "X-Bool": true, "X-Multi": "single"},
    "multiValueHeaders": {"X-Multi": ["a", "b"]},
    "cookies": ["a=1; Path=/", "b=2; HttpOnly"],
    "body": "created",
    "isBase64Encoded": false,
    "somethingElse": {"ignored": true}
  })"));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "created");
  EXPECT_EQ(HeadersOf(r), (Headers{{"Content-Type", "text/plain"},
                                   {"X-Num", "5"},
                                   {"X-Bool", "true"},
                                   {"X-Multi", "a"},
                                   {"X-Multi", "b"},
                                   {"Set-Cookie", "a=1; Path=/"},
                                   {"Set-Cookie", "b=2; HttpOnly"}}));
}

TEST(MapResponseV2Test, MinimalStatusCodeObject) {
  net::HttpResponse r = MapResponseV2(Returned(R"({"statusCode": 204})"));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_TRUE(r.headers.empty());
  r = MapResponseV2(Returned(R"({"statusCode": 200, "body": "{\"a\":1}"})"));
  EXPECT_EQ(r.body, R"({"a":1})");
  ASSERT_NE(r.FindHeader("content-type"), nullptr);
  EXPECT_EQ(*r.FindHeader("content-type"), "application/json");
}

TEST(MapResponseV2Test, DecodesBase64Bodies) {
  net::HttpResponse r = MapResponseV2(Returned(
      R"({"statusCode": 200, "headers": {"content-type": "image/png"}, "body": "iVBORw==",
          "isBase64Encoded": true})"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string("\x89PNG", 4));
  ExpectError(MapResponseV2(Returned(
                  R"({"statusCode": 200, "body": "not base64!", "isBase64Encoded": true})")),
              500, kHttp500);
}

TEST(MapResponseV2Test, FailuresAre500) {
  ExpectError(MapResponseV2(Returned("not json")), 500, kHttp500);
  ExpectError(MapResponseV2(Returned("")), 500, kHttp500);
  ExpectError(MapResponseV2(Failed(R"({"errorMessage":"boom","errorType":"Error"})")), 500,
              kHttp500);
  invoker::InvokeResult timeout = Returned("");
  timeout.status = Status(Code::kTimeout, "timed out");
  ExpectError(MapResponseV2(timeout), 500, kHttp500);
  // Malformed proxy responses.
  for (const char* bad :
       {R"({"statusCode": "abc"})", R"({"statusCode": 99})", R"({"statusCode": 600})",
        R"({"statusCode": 200.5})", R"({"statusCode": null})",
        R"({"statusCode": 200, "body": {"a": 1}})", R"({"statusCode": 200, "headers": ["a"]})",
        R"({"statusCode": 200, "headers": {"a": null}})",
        R"({"statusCode": 200, "headers": {"a": {"b": 1}}})",
        R"({"statusCode": 200, "multiValueHeaders": {"a": "b"}})",
        R"({"statusCode": 200, "cookies": "a=1"})", R"({"statusCode": 200, "cookies": [1]})",
        R"({"statusCode": 200, "isBase64Encoded": "true"})"}) {
    SCOPED_TRACE(bad);
    ExpectError(MapResponseV2(Returned(bad)), 500, kHttp500);
  }
}

// ---- Payload format 1.0 ----------------------------------------------------------

TEST(MapResponseV1Test, ReadsTheProxyResponse) {
  net::HttpResponse r = MapResponseV1(Returned(R"({
    "statusCode": 201,
    "headers": {"Content-Type": "application/json"},
    "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
    "body": "{\"ok\":true}",
    "isBase64Encoded": false
  })"),
                                      /*rest=*/true);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"ok":true})");
  EXPECT_EQ(HeadersOf(r), (Headers{{"Content-Type", "application/json"},
                                   {"Set-Cookie", "a=1"},
                                   {"Set-Cookie", "b=2"}}));
}

TEST(MapResponseV1Test, NullFieldsAndNoDefaultContentType) {
  net::HttpResponse r = MapResponseV1(
      Returned(R"({"statusCode": 200, "headers": null, "multiValueHeaders": null, "body": null,
                   "isBase64Encoded": null})"),
      true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_TRUE(r.headers.empty());
  r = MapResponseV1(Returned(R"({"statusCode": 200, "body": "x"})"), true);
  EXPECT_EQ(r.body, "x");
  EXPECT_TRUE(r.headers.empty());
}

TEST(MapResponseV1Test, MultiValueHeadersOverrideHeadersInEitherOrder) {
  Headers expected{{"X-Keep", "k"}, {"x-multi", "a"}, {"x-multi", "b"}};
  for (const char* doc : {
           R"({"statusCode": 200, "headers": {"X-Multi": "single", "X-Keep": "k"},
               "multiValueHeaders": {"x-multi": ["a", "b"]}})",
           R"({"statusCode": 200, "multiValueHeaders": {"x-multi": ["a", "b"]},
               "headers": {"X-Multi": "single", "X-Keep": "k"}})"}) {
    SCOPED_TRACE(doc);
    EXPECT_EQ(HeadersOf(MapResponseV1(Returned(doc), true)), expected);
    EXPECT_EQ(HeadersOf(MapResponseV2(Returned(doc))), expected);
  }
}

TEST(MapResponseV1Test, DecodesBase64Bodies) {
  net::HttpResponse r = MapResponseV1(
      Returned(R"({"statusCode": 200, "body": "aGVsbG8=", "isBase64Encoded": true})"), true);
  EXPECT_EQ(r.body, "hello");
}

TEST(MapResponseV1Test, StrictShapeOr502) {
  for (const char* bad : {
           "not json",
           R"("hello")",
           R"({"body": "no status code"})",
           R"([{"statusCode": 200}])",
           R"({"statusCode": 200, "body": {"a": 1}})",
           R"({"statusCode": 200, "body": 5})",
           R"({"statusCode": 200, "cookies": ["a=1"]})",  // a 2.0 field
           R"({"statusCode": 200, "extra": 1})",
           R"({"statusCode": 200, "headers": {"a": ["b"]}})",
           R"({"statusCode": 200, "body": "%%%", "isBase64Encoded": true})",
       }) {
    SCOPED_TRACE(bad);
    ExpectError(MapResponseV1(Returned(bad), /*rest=*/true), 502, kRest502);
    // An HTTP API route with payload 1.0 answers as HTTP APIs do.
    ExpectError(MapResponseV1(Returned(bad), /*rest=*/false), 500, kHttp500);
  }
}

TEST(MapResponseV1Test, FunctionErrors) {
  ExpectError(MapResponseV1(Failed(R"({"errorMessage":"boom"})"), true), 502, kRest502);
  ExpectError(MapResponseV1(Failed(R"({"errorMessage":"boom"})"), false), 500, kHttp500);
  invoker::InvokeResult platform = Returned("");
  platform.status = Status(Code::kUnavailable, "sandbox failed");
  ExpectError(MapResponseV1(platform, true), 502, kRest502);
  ExpectError(MapResponseV1(platform, false), 500, kHttp500);
}

// ---- Gateway errors ----------------------------------------------------------------

TEST(GatewayErrorTest, JsonMessageAndErrorType) {
  net::HttpResponse r =
      GatewayError(403, "Missing Authentication Token", "MissingAuthenticationTokenException");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"message":"Missing Authentication Token"})");
  EXPECT_EQ(HeadersOf(r), (Headers{{"Content-Type", "application/json"},
                                   {"x-amzn-ErrorType", "MissingAuthenticationTokenException"}}));
  ExpectError(GatewayError(404, "Not Found"), 404, R"({"message":"Not Found"})");
}

}  // namespace
}  // namespace nimbus::gateway
