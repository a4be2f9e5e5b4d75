#include "net/http_server.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "net/http_client.h"
#include "net/listener.h"

namespace nimbus::net {
namespace {

HttpRequest Get(std::string target) {
  HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override { loop_.Stop(); }
  EventLoop loop_{2};
};

TEST_F(HttpServerTest, AnswersInlineAndKeepsAlive) {
  HttpServer server(loop_, [](HttpRequest&& req, Responder respond) {
    respond(HttpResponse::Text(200, req.method + " " + req.path + " q=" + req.query +
                                        " h=" + req.HeaderOr("x-test")));
  });
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  HttpClient client("127.0.0.1", *port);
  for (int i = 0; i < 3; ++i) {
    HttpRequest req = Get("/a%2Fb?x=1&y");
    req.headers.push_back({"X-Test", "v"});
    auto resp = client.Send(req);
    ASSERT_TRUE(resp.ok()) << resp.status().ToString();
    EXPECT_EQ(resp->status, 200);
    EXPECT_EQ(resp->body, "GET /a%2Fb q=x=1&y h=v");
  }
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST_F(HttpServerTest, AnswersLaterFromAnotherThread) {
  HttpServer server(loop_, [](HttpRequest&& req, Responder respond) {
    std::thread([respond, body = std::move(req.body)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      respond(HttpResponse::Text(201, "echo:" + body));
    }).detach();
  });
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  HttpClient client("127.0.0.1", *port);
  HttpRequest req = Get("/");
  req.method = "POST";
  req.body = std::string(1 << 20, 'x');
  auto resp = client.Send(req);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->body.size(), (1u << 20) + 5);
}

TEST_F(HttpServerTest, FlagsBodiesOverTheLimit) {
  HttpServerOptions opts;
  opts.body_limit = 1000;
  HttpServer server(
      loop_,
      [](HttpRequest&& req, Responder respond) {
        respond(HttpResponse::Text(req.body_too_large ? 413 : 200, "ok"));
      },
      opts);
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  HttpClient client("127.0.0.1", *port);
  HttpRequest req = Get("/");
  req.method = "POST";
  req.body = std::string(999, 'x');
  EXPECT_EQ(client.Send(req)->status, 200);
  req.body = std::string(5000, 'x');
  EXPECT_EQ(client.Send(req)->status, 413);
}

TEST_F(HttpServerTest, RejectsGarbage) {
  HttpServer server(loop_, [](HttpRequest&&, Responder respond) {
    respond(HttpResponse::Text(200, "ok"));
  });
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  HttpClient client("127.0.0.1", *port);
  HttpRequest req = Get("/");
  for (int i = 0; i < 4; ++i) req.headers.push_back({"X-Big", std::string(30 * 1024, 'a')});
  auto resp = client.Send(req);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->status, 431);
}

TEST_F(HttpServerTest, CloseDropsParkedRequests) {
  std::promise<void> parked;
  Responder kept;
  HttpServer server(loop_, [&](HttpRequest&&, Responder respond) {
    kept = respond;  // never answered: a long poll
    parked.set_value();
  });
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  auto result = std::async(std::launch::async, [&] {
    HttpClient client("127.0.0.1", *port);
    return client.Send(Get("/next"));
  });
  parked.get_future().wait();
  server.Close();
  auto resp = result.get();
  EXPECT_FALSE(resp.ok());
  kept(HttpResponse::Text(200, "late"));  // harmless after close
}

TEST_F(HttpServerTest, AdoptsAListeningSocket) {
  auto fd = ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(fd.ok());
  int port = *BoundPort(fd->get());
  HttpServer server(loop_, [](HttpRequest&&, Responder respond) {
    respond(HttpResponse::Text(200, "adopted"));
  });
  ASSERT_TRUE(server.Adopt(std::move(*fd)).ok());
  HttpClient client("127.0.0.1", port);
  EXPECT_EQ(client.Send(Get("/"))->body, "adopted");
}

TEST(HttpEndpointTest, Parses) {
  EXPECT_EQ(*ParseHttpEndpoint("http://127.0.0.1:4566"), std::make_pair(std::string("127.0.0.1"), 4566));
  EXPECT_EQ(ParseHttpEndpoint("localhost:80/x")->second, 80);
  EXPECT_FALSE(ParseHttpEndpoint("https://x:1").ok());
  EXPECT_FALSE(ParseHttpEndpoint("http://x:99999").ok());
}

TEST(HttpRequestTest, QueryParams) {
  HttpRequest r;
  r.target = "/p?Marker=a%2Bb&MaxItems=5&flag";
  r.SplitTarget();
  EXPECT_EQ(r.path, "/p");
  EXPECT_EQ(*r.Query("Marker"), "a+b");
  EXPECT_EQ(*r.Query("flag"), "");
  EXPECT_FALSE(r.Query("nope").has_value());
}

}  // namespace
}  // namespace nimbus::net
