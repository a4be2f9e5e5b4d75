#include "net/url_fetch.h"

#include <gtest/gtest.h>

#include "net/event_loop.h"
#include "net/http_server.h"

namespace nimbus::net {
namespace {

TEST(ParseFetchUrl, SplitsSchemeHostPortAndTarget) {
  auto u = ParseFetchUrl("https://issuer.example.com/.well-known/openid-configuration");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "issuer.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/.well-known/openid-configuration");

  u = ParseFetchUrl("HTTP://127.0.0.1:8080");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/");

  u = ParseFetchUrl("https://[::1]:8443/keys?v=2");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->target, "/keys?v=2");
}

TEST(ParseFetchUrl, RefusesWhatItCannotFetch) {
  EXPECT_FALSE(ParseFetchUrl("ftp://example.com/x").ok());
  EXPECT_FALSE(ParseFetchUrl("/relative/path").ok());
  EXPECT_FALSE(ParseFetchUrl("https://example.com:99999/").ok());
  EXPECT_FALSE(ParseFetchUrl("not a url").ok());
}

TEST(FetchUrl, GetsOverPlainHttp) {
  EventLoop loop(1);
  loop.Start();
  HttpServer server(loop, [](HttpRequest&& req, Responder respond) {
    respond(HttpResponse::Text(req.path == "/keys" ? 200 : 404,
                               req.method + " " + req.target + " " + req.HeaderOr("host")));
  });
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  std::string base = "http://127.0.0.1:" + std::to_string(*port);
  auto r = FetchUrl(base + "/keys?x=1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /keys?x=1 127.0.0.1:" + std::to_string(*port));
  r = FetchUrl(base + "/other");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  server.Close();
  loop.Stop();
}

TEST(FetchUrl, ReportsAnUnreachableServer) {
  auto r = FetchUrl("https://127.0.0.1:1/keys");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("https://127.0.0.1:1/keys"), std::string::npos);
}

}  // namespace
}  // namespace nimbus::net
