#include "net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <mutex>
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

// A raw connection, for what HttpClient does not do (pipelining).
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void Write(const std::string& bytes) { ASSERT_EQ(::write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size())); }
  // What has arrived so far, without waiting.
  std::string ReadAvailable() {
    std::string got;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT)) > 0)
      got.append(buf, static_cast<size_t>(n));
    received_ += got;
    return got;
  }
  // Reads until `until` occurs `times` times in what was received, the
  // connection ends, or 5 s pass.
  std::string ReadUntil(const std::string& until, int times) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      int seen = 0;
      for (size_t pos = received_.find(until); pos != std::string::npos;
           pos = received_.find(until, pos + 1)) {
        ++seen;
      }
      if (seen >= times) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      received_.append(buf, static_cast<size_t>(n));
    }
    return received_;
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string received_;
};

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

TEST_F(HttpServerTest, AnswersPipelinedRequestsInOrderAndFramesResponsesItself) {
  HttpServer server(loop_, [](HttpRequest&& req, Responder respond) {
    HttpResponse r = HttpResponse::Text(200, "answer to " + req.path);
    r.headers.push_back({"Content-Length", "999"});      // the server frames the body
    r.headers.push_back({"X-Split", "a\r\nX-Injected: 1"});  // would split the header block
    r.headers.push_back({"X-Fine", "yes"});
    respond(std::move(r));
  });
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  RawConnection conn(*port);
  ASSERT_TRUE(conn.connected());
  conn.Write("GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string got = conn.ReadUntil("answer to /two", 1);
  size_t one = got.find("answer to /one"), two = got.find("answer to /two");
  ASSERT_NE(one, std::string::npos) << got;
  ASSERT_NE(two, std::string::npos) << got;
  EXPECT_LT(one, two);
  EXPECT_EQ(got.find("999"), std::string::npos) << got;
  EXPECT_EQ(got.find("X-Injected"), std::string::npos) << got;
  EXPECT_NE(got.find("Content-Length: 14\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("X-Fine: yes\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("Connection: close\r\n"), std::string::npos) << got;
}

TEST_F(HttpServerTest, AnswerIsNotHeldBackByAPipelinedRequestStillWaiting) {
  std::promise<Responder> parked;
  HttpServer server(loop_, [&parked](HttpRequest&& req, Responder respond) {
    if (req.path == "/park") {
      parked.set_value(std::move(respond));
      return;
    }
    respond(HttpResponse::Text(200, "first answer"));
  });
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  RawConnection conn(*port);
  ASSERT_TRUE(conn.connected());
  conn.Write("GET /now HTTP/1.1\r\nHost: x\r\n\r\nGET /park HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(conn.ReadUntil("first answer", 1).find("first answer"), std::string::npos);
  auto respond = parked.get_future().get();
  respond(HttpResponse::Text(200, "second answer"));
  EXPECT_NE(conn.ReadUntil("second answer", 1).find("second answer"), std::string::npos);
}

TEST_F(HttpServerTest, CoalescingHoldsAnAnswerUntilThePipelinedOneAfterItIsReady) {
  std::promise<Responder> parked;
  HttpServerOptions opts;
  opts.coalesce_answers = true;
  HttpServer server(
      loop_,
      [&parked](HttpRequest&& req, Responder respond) {
        if (req.path == "/park") {
          parked.set_value(std::move(respond));
          return;
        }
        respond(HttpResponse::Text(202, "first answer"));
      },
      opts);
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  RawConnection conn(*port);
  ASSERT_TRUE(conn.connected());
  conn.Write(
      "POST /now HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
      "GET /park HTTP/1.1\r\nHost: x\r\n\r\n");
  auto respond = parked.get_future().get();
  // The first answer was made before the second request was read, yet it
  // has not been written: it waits for the second.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(conn.ReadAvailable().empty());
  respond(HttpResponse::Text(200, "second answer"));
  std::string got = conn.ReadUntil("second answer", 1);
  size_t one = got.find("first answer"), two = got.find("second answer");
  ASSERT_NE(one, std::string::npos) << got;
  ASSERT_NE(two, std::string::npos) << got;
  EXPECT_LT(one, two);
}

TEST_F(HttpServerTest, RequestsReadTogetherShareTheTimeTheyWereRead) {
  std::mutex mu;
  std::vector<std::chrono::steady_clock::time_point> seen;
  HttpServer server(loop_, [&](HttpRequest&& req, Responder respond) {
    {
      std::lock_guard lock(mu);
      seen.push_back(req.received_at);
    }
    respond(HttpResponse::Text(200, "answer " + req.path));
  });
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  RawConnection conn(*port);
  ASSERT_TRUE(conn.connected());
  auto before = std::chrono::steady_clock::now();
  conn.Write("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(conn.ReadUntil("answer /b", 1).find("answer /b"), std::string::npos);
  auto between = std::chrono::steady_clock::now();
  conn.Write("GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(conn.ReadUntil("answer /c", 1).find("answer /c"), std::string::npos);
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 3u);
  // /b came in the read that brought /a; /c in a read of its own, later.
  EXPECT_GE(seen[0], before);
  EXPECT_EQ(seen[1], seen[0]);
  EXPECT_LE(seen[1], between);
  EXPECT_GE(seen[2], between);
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
