#include "gateway/cors.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace nimbus::gateway {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers HeadersOf(const net::HttpResponse& r) {
  Headers out;
  for (const auto& h : r.headers) out.emplace_back(h.name, h.value);
  return out;
}

net::HttpRequest Preflight(std::string origin, std::string requested_headers = "") {
  net::HttpRequest r;
  r.method = "OPTIONS";
  r.path = "/users/1";
  r.headers = {{"Origin", std::move(origin)}, {"Access-Control-Request-Method", "PUT"}};
  if (!requested_headers.empty()) {
    r.headers.push_back({"Access-Control-Request-Headers", std::move(requested_headers)});
  }
  return r;
}

net::HttpRequest WithOrigin(std::string origin) {
  net::HttpRequest r;
  r.method = "GET";
  r.path = "/users/1";
  if (!origin.empty()) r.headers.push_back({"origin", std::move(origin)});
  return r;
}

CorsConfig AnyOrigin() {
  CorsConfig c;
  c.allow_origins = {"*"};
  return c;
}

TEST(CorsTest, RecognisesPreflights) {
  EXPECT_TRUE(IsPreflight(Preflight("https://app.example.com")));
  net::HttpRequest r = Preflight("https://app.example.com");
  r.method = "GET";
  EXPECT_FALSE(IsPreflight(r));
  r = Preflight("https://app.example.com");
  r.headers.pop_back();  // no Access-Control-Request-Method
  EXPECT_FALSE(IsPreflight(r));
  r = Preflight("https://app.example.com");
  r.headers.erase(r.headers.begin());  // no Origin
  EXPECT_FALSE(IsPreflight(r));
}

TEST(CorsTest, PreflightWithWildcardOrigin) {
  net::HttpResponse r = PreflightResponse(AnyOrigin(), Preflight("https://app.example.com", "x-a"),
                                          {"GET", "PUT", "GET"}, /*rest=*/false);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(HeadersOf(r), (Headers{{"Access-Control-Allow-Origin", "*"},
                                   {"Access-Control-Allow-Methods", "OPTIONS,GET,PUT"},
                                   {"Access-Control-Allow-Headers", "x-a"},
                                   {"Vary", "Origin"}}));
}

TEST(CorsTest, PreflightWithConfiguredLists) {
  CorsConfig c;
  c.allow_origins = {"https://a.example.com", "https://b.example.com"};
  c.allow_methods = {"GET", "POST"};
  c.allow_headers = {"Content-Type", "Authorization"};
  c.allow_credentials = true;
  c.max_age = 600;
  net::HttpResponse r =
      PreflightResponse(c, Preflight("https://B.example.com", "x-ignored"), {"DELETE"}, false);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(HeadersOf(r), (Headers{{"Access-Control-Allow-Origin", "https://B.example.com"},
                                   {"Access-Control-Allow-Methods", "GET,POST"},
                                   {"Access-Control-Allow-Headers", "Content-Type,Authorization"},
                                   {"Access-Control-Allow-Credentials", "true"},
                                   {"Access-Control-Max-Age", "600"},
                                   {"Vary", "Origin"}}));
}

TEST(CorsTest, AnyRouteAllowsEveryMethod) {
  net::HttpResponse r =
      PreflightResponse(AnyOrigin(), Preflight("https://x.com"), {"GET", "ANY"}, false);
  ASSERT_NE(r.FindHeader("Access-Control-Allow-Methods"), nullptr);
  EXPECT_EQ(*r.FindHeader("Access-Control-Allow-Methods"), "*");
  EXPECT_EQ(r.FindHeader("Access-Control-Allow-Headers"), nullptr);  // none asked, none set
}

TEST(CorsTest, CredentialsEchoTheOriginInsteadOfTheWildcard) {
  CorsConfig c = AnyOrigin();
  c.allow_credentials = true;
  net::HttpResponse r = PreflightResponse(c, Preflight("https://app.example.com"), {"GET"}, false);
  EXPECT_EQ(*r.FindHeader("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(*r.FindHeader("Access-Control-Allow-Credentials"), "true");
}

TEST(CorsTest, DisallowedOriginGetsNoHeaders) {
  CorsConfig c;
  c.allow_origins = {"https://app.example.com"};
  c.allow_credentials = true;
  net::HttpResponse r = PreflightResponse(c, Preflight("https://evil.example.com"), {"GET"}, false);
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.headers.empty());
  r = PreflightResponse(c, Preflight("https://evil.example.com"), {"GET"}, /*rest=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.headers.empty());
  CorsConfig none;
  EXPECT_TRUE(
      PreflightResponse(none, Preflight("https://app.example.com"), {}, false).headers.empty());
}

TEST(CorsTest, RestPreflightIs200WithoutVary) {
  net::HttpResponse r = PreflightResponse(AnyOrigin(), Preflight("https://x.com"), {"GET"}, true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(HeadersOf(r), (Headers{{"Access-Control-Allow-Origin", "*"},
                                   {"Access-Control-Allow-Methods", "OPTIONS,GET"}}));
}

TEST(CorsTest, WildcardSubdomainMatchesOneLabel) {
  CorsConfig c;
  c.allow_origins = {"https://*.example.com"};
  auto allowed = [&](const std::string& origin) {
    net::HttpResponse r;
    AddCorsHeaders(c, WithOrigin(origin), r);
    return r.FindHeader("Access-Control-Allow-Origin") != nullptr;
  };
  EXPECT_TRUE(allowed("https://app.example.com"));
  EXPECT_TRUE(allowed("https://my-app2.example.com"));
  EXPECT_FALSE(allowed("https://example.com"));
  EXPECT_FALSE(allowed("https://.example.com"));
  EXPECT_FALSE(allowed("https://a.b.example.com"));
  EXPECT_FALSE(allowed("https://evil.com/.example.com"));
  EXPECT_FALSE(allowed("http://app.example.com"));
  EXPECT_FALSE(allowed("https://app.example.com.evil.com"));
}

TEST(CorsTest, AddsHeadersToAllowedResponses) {
  CorsConfig c;
  c.allow_origins = {"https://app.example.com"};
  c.expose_headers = {"X-Request-Id", "X-Total"};
  c.allow_credentials = true;
  net::HttpResponse r;
  r.headers = {{"Content-Type", "application/json"}, {"access-control-allow-origin", "*"}};
  AddCorsHeaders(c, WithOrigin("https://app.example.com"), r);
  // The function's own allow-origin header is replaced.
  EXPECT_EQ(HeadersOf(r), (Headers{{"Content-Type", "application/json"},
                                   {"Access-Control-Allow-Origin", "https://app.example.com"},
                                   {"Access-Control-Allow-Credentials", "true"},
                                   {"Access-Control-Expose-Headers", "X-Request-Id,X-Total"},
                                   {"Vary", "Origin"}}));
}

TEST(CorsTest, WildcardResponseHasNoVary) {
  net::HttpResponse r;
  AddCorsHeaders(AnyOrigin(), WithOrigin("https://x.com"), r);
  EXPECT_EQ(HeadersOf(r), (Headers{{"Access-Control-Allow-Origin", "*"}}));
}

TEST(CorsTest, LeavesOtherResponsesAlone) {
  CorsConfig c;
  c.allow_origins = {"https://app.example.com"};
  net::HttpResponse r;
  r.headers = {{"X-A", "1"}};
  AddCorsHeaders(c, WithOrigin(""), r);  // not a CORS request
  AddCorsHeaders(c, WithOrigin("https://evil.com"), r);
  EXPECT_EQ(HeadersOf(r), (Headers{{"X-A", "1"}}));
}

}  // namespace
}  // namespace nimbus::gateway
