#include "gateway/events.h"

#include <gtest/gtest.h>

#include <string>

#include "core/json.h"

namespace nimbus::gateway {
namespace {

constexpr int64_t kTimeMs = 1706702400000;  // 31/Jan/2024:12:00:00 UTC

json::value Parse(std::string_view text) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString() << ": " << text;
  return v.ok() ? *v : json::value();
}

net::HttpRequest Request(std::string method, std::string path, std::string query,
                         std::vector<net::Header> headers, std::string body = "") {
  net::HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.target = r.path + (r.query.empty() ? "" : "?" + r.query);
  r.headers = std::move(headers);
  r.body = std::move(body);
  r.peer = "203.0.113.7:50123";
  return r;
}

// An HTTP API input for `request` on the route GET /users/{id}.
EventInput HttpInput(const net::HttpRequest& request) {
  EventInput in;
  in.request = &request;
  in.path = request.path;
  in.stage = "$default";
  in.route_key = "GET /users/{id}";
  in.resource = "/users/{id}";
  in.api_id = "abc123defg";
  in.account_id = "123456789012";
  in.domain_name = "abc123defg.execute-api.us-east-1.amazonaws.com";
  in.request_id = "req-1";
  in.time_ms = kTimeMs;
  return in;
}

// A REST input: stage "dev", the route's template as resource.
EventInput RestInput(const net::HttpRequest& request) {
  EventInput in = HttpInput(request);
  in.stage = "dev";
  in.route_key = "POST /users/{id}";
  return in;
}

// ---- Payload format 2.0 ------------------------------------------------------------

TEST(EventV2Test, BuildsTheFullEvent) {
  net::HttpRequest r = Request("GET", "/users/42", "a=1&a=2&b=x%20y&c=p+q&flag",
                               {{"Accept", "*/*"},
                                {"X-Multi", "v1"},
                                {"Cookie", "session=abc; theme=dark"},
                                {"x-multi", "v2"},
                                {"cookie", "x=1"},
                                {"User-Agent", "curl/8.0"},
                                {"Host", "abc123defg.execute-api.us-east-1.amazonaws.com"}});
  EventInput in = HttpInput(r);
  in.path_parameters = {{"id", "42"}};
  json::value expected = Parse(R"({
    "version": "2.0",
    "routeKey": "GET /users/{id}",
    "rawPath": "/users/42",
    "rawQueryString": "a=1&a=2&b=x%20y&c=p+q&flag",
    "cookies": ["session=abc", "theme=dark", "x=1"],
    "headers": {"accept": "*/*", "x-multi": "v1,v2", "user-agent": "curl/8.0",
                "host": "abc123defg.execute-api.us-east-1.amazonaws.com"},
    "queryStringParameters": {"a": "1,2", "b": "x y", "c": "p q", "flag": ""},
    "pathParameters": {"id": "42"},
    "requestContext": {
      "accountId": "123456789012",
      "apiId": "abc123defg",
      "domainName": "abc123defg.execute-api.us-east-1.amazonaws.com",
      "domainPrefix": "abc123defg",
      "http": {"method": "GET", "path": "/users/42", "protocol": "HTTP/1.1",
               "sourceIp": "203.0.113.7", "userAgent": "curl/8.0"},
      "requestId": "req-1",
      "routeKey": "GET /users/{id}",
      "stage": "$default",
      "time": "31/Jan/2024:12:00:00 +0000",
      "timeEpoch": 1706702400000
    },
    "isBase64Encoded": false
  })");
  EXPECT_EQ(json::value(BuildEventV2(in)), expected) << ToJson(BuildEventV2(in));
}

TEST(EventV2Test, OmitsEmptyFields) {
  net::HttpRequest r = Request("GET", "/", "", {{"Host", "localhost"}});
  EventInput in = HttpInput(r);
  in.route_key = "$default";
  json::object e = BuildEventV2(in);
  for (const char* absent : {"cookies", "queryStringParameters", "pathParameters", "stageVariables",
                             "body", "multiValueHeaders"}) {
    EXPECT_FALSE(e.contains(absent)) << absent << " in " << ToJson(e);
  }
  EXPECT_FALSE(e.at("requestContext").as_object().contains("authorizer"));
  EXPECT_EQ(e.at("rawQueryString"), "");
  EXPECT_EQ(e.at("routeKey"), "$default");
  EXPECT_EQ(e.at("isBase64Encoded"), false);
  EXPECT_EQ(e.at("headers"), Parse(R"({"host":"localhost"})"));
  // An empty Cookie header adds no cookies.
  r.headers.push_back({"Cookie", ""});
  EXPECT_FALSE(BuildEventV2(in).contains("cookies"));
  EXPECT_FALSE(BuildEventV2(in).at("headers").as_object().contains("cookie"));
}

TEST(EventV2Test, PassesTextBodiesAsIsAndOthersAsBase64) {
  struct Case {
    const char* content_type;
    bool base64;
  };
  for (const Case& c :
       {Case{"application/json", false}, Case{"Application/JSON; charset=utf-8", false},
        Case{"text/plain", false}, Case{"text/csv", false}, Case{"application/xml", false},
        Case{"application/vnd.api+json", false}, Case{"application/x-www-form-urlencoded", false},
        Case{"", false}, Case{"image/png", true}, Case{"application/octet-stream", true},
        Case{"multipart/form-data; boundary=x", true}, Case{"application/pdf", true}}) {
    std::vector<net::Header> headers;
    if (*c.content_type) headers.push_back({"Content-Type", c.content_type});
    net::HttpRequest r = Request("POST", "/upload", "", headers, std::string("a\0\xff", 3));
    json::object e = BuildEventV2(HttpInput(r));
    EXPECT_EQ(e.at("isBase64Encoded"), c.base64) << c.content_type;
    std::string expected = c.base64 ? "YQD/" : std::string("a\0\xff", 3);
    EXPECT_EQ(e.at("body"), json::value(std::string_view(expected))) << c.content_type;
  }
}

TEST(EventV2Test, CarriesTheAuthorizerContext) {
  net::HttpRequest r = Request("GET", "/users/42", "", {});
  EventInput in = HttpInput(r);
  in.authorizer = Parse(R"({"jwt":{"claims":{"sub":"u-1"},"scopes":null}})");
  EXPECT_EQ(BuildEventV2(in).at("requestContext").at("authorizer"), in.authorizer);
}

TEST(EventV2Test, AuthorizerEventHasNoBody) {
  net::HttpRequest r = Request("POST", "/users/42", "q=1", {{"Authorization", "Bearer abc"}}, "{}");
  EventInput in = HttpInput(r);
  in.path_parameters = {{"id", "42"}};
  std::string arn = "arn:aws:execute-api:us-east-1:123456789012:abc123defg/$default/POST/users/42";
  json::object e = BuildAuthorizerEventV2(in, {"Bearer abc"}, arn);
  EXPECT_EQ(e.at("version"), "2.0");
  EXPECT_EQ(e.at("type"), "REQUEST");
  EXPECT_EQ(e.at("routeArn").as_string(), arn);
  EXPECT_EQ(e.at("identitySource"), Parse(R"(["Bearer abc"])"));
  EXPECT_EQ(e.at("pathParameters"), Parse(R"({"id":"42"})"));
  EXPECT_EQ(e.at("queryStringParameters"), Parse(R"({"q":"1"})"));
  EXPECT_EQ(e.at("headers").at("authorization"), "Bearer abc");
  EXPECT_FALSE(e.contains("body"));
  EXPECT_FALSE(e.contains("isBase64Encoded"));
}

// ---- Payload format 1.0 --------------------------------------------------------------

TEST(EventV1Test, BuildsTheRestEvent) {
  net::HttpRequest r = Request("POST", "/users/42", "a=1&a=2&b=x+y",
                               {{"Content-Type", "application/json"},
                                {"Host", "abc.example.com"},
                                {"X-Multi", "v1"},
                                {"X-Multi", "v2"},
                                {"User-Agent", "curl/8.0"}},
                               R"({"a":1})");
  EventInput in = RestInput(r);
  in.path_parameters = {{"id", "42"}};
  in.authorizer = Parse(R"({"principalId":"user-1","integrationLatency":0,"role":"admin"})");
  json::value expected = Parse(R"({
    "resource": "/users/{id}",
    "path": "/users/42",
    "httpMethod": "POST",
    "headers": {"Content-Type": "application/json", "Host": "abc.example.com", "X-Multi": "v2",
                "User-Agent": "curl/8.0"},
    "multiValueHeaders": {"Content-Type": ["application/json"], "Host": ["abc.example.com"],
                          "X-Multi": ["v1", "v2"], "User-Agent": ["curl/8.0"]},
    "queryStringParameters": {"a": "2", "b": "x y"},
    "multiValueQueryStringParameters": {"a": ["1", "2"], "b": ["x y"]},
    "pathParameters": {"id": "42"},
    "stageVariables": null,
    "requestContext": {
      "accountId": "123456789012", "apiId": "abc123defg", "resourceId": "abc123", "stage": "dev",
      "domainName": "abc123defg.execute-api.us-east-1.amazonaws.com", "domainPrefix": "abc123defg",
      "requestId": "req-1", "extendedRequestId": "req-1", "resourcePath": "/users/{id}",
      "httpMethod": "POST", "path": "/dev/users/42", "protocol": "HTTP/1.1",
      "requestTime": "31/Jan/2024:12:00:00 +0000", "requestTimeEpoch": 1706702400000,
      "identity": {"sourceIp": "203.0.113.7", "userAgent": "curl/8.0", "apiKey": null,
                   "apiKeyId": null, "accessKey": null, "accountId": null, "caller": null,
                   "cognitoAuthenticationProvider": null, "cognitoAuthenticationType": null,
                   "cognitoIdentityId": null, "cognitoIdentityPoolId": null,
                   "principalOrgId": null, "user": null, "userArn": null, "clientCert": null},
      "authorizer": {"principalId": "user-1", "integrationLatency": 0, "role": "admin"}
    },
    "body": "{\"a\":1}",
    "isBase64Encoded": false
  })");
  json::object e = BuildEventV1(in);
  EXPECT_EQ(json::value(e), expected) << ToJson(e);
  EXPECT_FALSE(e.contains("version"));  // REST events have no version
}

TEST(EventV1Test, EmptyCollectionsAreNull) {
  net::HttpRequest r = Request("GET", "/", "", {{"Host", "h"}});
  EventInput in = RestInput(r);
  in.resource = "/";
  json::object e = BuildEventV1(in);
  for (const char* null_field : {"queryStringParameters", "multiValueQueryStringParameters",
                                 "pathParameters", "stageVariables", "body"}) {
    ASSERT_TRUE(e.contains(null_field)) << null_field;
    EXPECT_TRUE(e.at(null_field).is_null()) << null_field;
  }
  EXPECT_EQ(e.at("isBase64Encoded"), false);
  EXPECT_EQ(e.at("requestContext").at("path"), "/dev/");
  EXPECT_FALSE(e.at("requestContext").as_object().contains("authorizer"));
}

TEST(EventV1Test, HttpApiPayload1HasVersionAndNoStageInPath) {
  net::HttpRequest r = Request("GET", "/users/42", "", {{"Host", "h"}});
  EventInput in = HttpInput(r);
  json::object e = BuildEventV1(in);
  EXPECT_EQ(e.at("version"), "1.0");
  EXPECT_EQ(e.at("path"), "/users/42");
  EXPECT_EQ(e.at("requestContext").at("path"), "/users/42");
  EXPECT_EQ(e.at("requestContext").at("stage"), "$default");
}

TEST(EventV1Test, IdentityCarriesTheApiKey) {
  net::HttpRequest r = Request("GET", "/x", "", {{"x-api-key", "k"}});
  EventInput in = RestInput(r);
  in.api_key = "abcdefghijklmnopqrstuvwxyz";
  in.api_key_id = "key1234567";
  json::value event = BuildEventV1(in);
  const json::value& identity = event.at("requestContext").at("identity");
  EXPECT_EQ(identity.at("apiKey"), "abcdefghijklmnopqrstuvwxyz");
  EXPECT_EQ(identity.at("apiKeyId"), "key1234567");
  EXPECT_EQ(identity.at("userAgent"), "");
}

TEST(EventV1Test, Base64OnlyForBinaryMediaTypes) {
  struct Case {
    const char* content_type;
    std::vector<std::string> binary_types;
    bool base64;
  };
  const std::string body("\x89PNG", 4);
  for (const Case& c :
       {Case{"image/png", {}, false}, Case{"image/png", {"image/png"}, true},
        Case{"image/png; q=1", {"image/*"}, true}, Case{"IMAGE/PNG", {"image/png"}, true},
        Case{"application/json", {"image/*"}, false}, Case{"application/json", {"*/*"}, true},
        Case{"application/octet-stream", {"application/pdf"}, false}}) {
    net::HttpRequest r = Request("POST", "/up", "", {{"Content-Type", c.content_type}}, body);
    EventInput in = RestInput(r);
    in.binary_media_types = c.binary_types;
    json::object e = BuildEventV1(in);
    EXPECT_EQ(e.at("isBase64Encoded"), c.base64) << c.content_type;
    std::string expected = c.base64 ? "iVBORw==" : body;
    EXPECT_EQ(e.at("body"), json::value(std::string_view(expected))) << c.content_type;
  }
}

TEST(EventV1Test, RequestAuthorizerEvent) {
  net::HttpRequest r = Request("GET", "/users/42", "", {{"Authorization", "abc"}}, "x");
  EventInput in = HttpInput(r);  // an HTTP API sending payload 1.0 to its authorizer
  std::string arn = "arn:aws:execute-api:us-east-1:123456789012:abc/$default/GET/users/42";
  json::object e = BuildRequestAuthorizerEventV1(in, arn);
  EXPECT_EQ(e.at("type"), "REQUEST");
  EXPECT_EQ(e.at("methodArn").as_string(), arn);
  EXPECT_EQ(e.at("headers"), Parse(R"({"Authorization":"abc"})"));
  EXPECT_EQ(e.at("multiValueHeaders"), Parse(R"({"Authorization":["abc"]})"));
  EXPECT_EQ(e.at("resource"), "/users/{id}");
  EXPECT_TRUE(e.contains("requestContext"));
  EXPECT_FALSE(e.contains("body"));
  EXPECT_FALSE(e.contains("isBase64Encoded"));
  EXPECT_FALSE(e.contains("version"));
}

TEST(EventV1Test, TokenAuthorizerEvent) {
  EXPECT_EQ(json::value(BuildTokenAuthorizerEvent("Bearer abc", "arn:x")),
            Parse(R"({"type":"TOKEN","authorizationToken":"Bearer abc","methodArn":"arn:x"})"));
}

// ---- Helpers -----------------------------------------------------------------------------

TEST(EventHelpersTest, FormatsRequestTime) {
  EXPECT_EQ(FormatRequestTime(0), "01/Jan/1970:00:00:00 +0000");
  EXPECT_EQ(FormatRequestTime(kTimeMs + 999), "31/Jan/2024:12:00:00 +0000");
  EXPECT_EQ(FormatRequestTime(1709622245000), "05/Mar/2024:07:04:05 +0000");
}

TEST(EventHelpersTest, ClassifiesContentTypes) {
  EXPECT_TRUE(IsTextContentType("text/html; charset=utf-8"));
  EXPECT_TRUE(IsTextContentType(" application/javascript "));
  EXPECT_TRUE(IsTextContentType("application/problem+xml"));
  EXPECT_TRUE(IsTextContentType(""));
  EXPECT_FALSE(IsTextContentType("image/svg"));
  EXPECT_FALSE(IsTextContentType("application/zip"));

  EXPECT_FALSE(IsBinaryForRest("image/png", {}));
  EXPECT_TRUE(IsBinaryForRest("image/png", {"text/plain", "image/*"}));
  EXPECT_FALSE(IsBinaryForRest("imagex/png", {"image/*"}));
  EXPECT_TRUE(IsBinaryForRest("", {"*/*"}));
}

}  // namespace
}  // namespace nimbus::gateway
