#include "runtime/runtime_api.h"

#include <gtest/gtest.h>

#include <optional>

namespace nimbus::runtime {
namespace {

class FakeDelegate : public RuntimeApiDelegate {
 public:
  void OnNext(std::function<void(InvocationEvent&&)> deliver) override {
    parked = std::move(deliver);
  }
  void OnNextBatch(size_t max,
                   std::function<void(std::vector<InvocationEvent>&&)> deliver) override {
    batch_max = max;
    parked_batch = std::move(deliver);
  }
  PostResult OnResponse(const std::string& id, std::string body, std::string type,
                        std::chrono::steady_clock::time_point) override {
    if (id != current) return PostResult::kInvalidRequestId;
    if (answered) return PostResult::kInvalidState;
    answered = true;
    response = body;
    content_type = type;
    return PostResult::kAccepted;
  }
  PostResult OnResponseTooLarge(const std::string&) override {
    too_large = true;
    return PostResult::kAccepted;
  }
  PostResult OnError(const std::string& id, std::string type, std::string body,
                     std::chrono::steady_clock::time_point) override {
    if (id != current) return PostResult::kInvalidRequestId;
    error_type = type;
    response = body;
    return PostResult::kAccepted;
  }
  PostResult OnInitError(std::string type, std::string body) override {
    error_type = type;
    response = body;
    return PostResult::kAccepted;
  }
  std::function<void(InvocationEvent&&)> parked;
  std::function<void(std::vector<InvocationEvent>&&)> parked_batch;
  size_t batch_max = 0;
  std::string current = "req-1";
  bool answered = false, too_large = false;
  std::string response, content_type, error_type;
};

struct Call {
  std::optional<net::HttpResponse> response;
};

net::HttpResponse Send(net::Handler& h, std::string method, std::string target,
                       std::string body = {}, std::vector<net::Header> headers = {}) {
  net::HttpRequest req;
  req.method = std::move(method);
  req.target = std::move(target);
  req.SplitTarget();
  req.body = std::move(body);
  req.headers = std::move(headers);
  std::optional<net::HttpResponse> out;
  h(std::move(req), [&](net::HttpResponse r) { out = std::move(r); });
  return out ? *out : net::HttpResponse::Text(599, "no response");
}

// A GET whose answer may come later: it lands in `got`, which must outlive it.
void StartGet(net::Handler& h, std::string target, std::optional<net::HttpResponse>& got) {
  net::HttpRequest req;
  req.method = "GET";
  req.target = std::move(target);
  req.SplitTarget();
  h(std::move(req), [&got](net::HttpResponse r) { got = std::move(r); });
}

TEST(RuntimeApiTest, NextParksUntilAnEventArrives) {
  auto d = std::make_shared<FakeDelegate>();
  net::Handler h = MakeRuntimeApiHandler(d);
  std::optional<net::HttpResponse> got;
  StartGet(h, "/2018-06-01/runtime/invocation/next", got);
  EXPECT_FALSE(got.has_value());
  ASSERT_TRUE(d->parked);
  InvocationEvent ev;
  ev.request_id = "req-1";
  ev.payload = "{\"a\":1}";
  ev.deadline_ms = 1700000000123;
  ev.invoked_arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
  ev.trace_id = "Root=1-abc";
  d->parked(std::move(ev));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "{\"a\":1}");
  EXPECT_EQ(*got->FindHeader("Lambda-Runtime-Aws-Request-Id"), "req-1");
  EXPECT_EQ(*got->FindHeader("Lambda-Runtime-Deadline-Ms"), "1700000000123");
  EXPECT_EQ(*got->FindHeader("Lambda-Runtime-Invoked-Function-Arn"),
            "arn:aws:lambda:us-east-1:000000000000:function:f");
  EXPECT_EQ(*got->FindHeader("Lambda-Runtime-Trace-Id"), "Root=1-abc");
  EXPECT_EQ(got->FindHeader("Lambda-Runtime-Client-Context"), nullptr);
}

TEST(RuntimeApiTest, BatchNextAnswersWithEveryEventInOneBody) {
  auto d = std::make_shared<FakeDelegate>();
  net::Handler h = MakeRuntimeApiHandler(d);
  std::optional<net::HttpResponse> got;
  StartGet(h, "/2018-06-01/runtime/invocation/next-batch?max=16", got);
  EXPECT_FALSE(got.has_value());
  ASSERT_TRUE(d->parked_batch);
  EXPECT_EQ(d->batch_max, 16u);
  std::vector<InvocationEvent> events(2);
  events[0].request_id = "req-1";
  events[0].payload = "{\"a\":1}";
  events[0].deadline_ms = 1700000000123;
  events[0].invoked_arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
  events[0].trace_id = "Root=1-abc";
  events[1].request_id = "req-2";
  events[1].payload = "\"caf\xc3\xa9\"";  // byte lengths, not characters
  events[1].deadline_ms = 1700000000456;
  events[1].invoked_arn = "arn:aws:lambda:us-east-1:000000000000:function:f:live";
  events[1].client_context = "{\"custom\":\n{}}";  // a line break cannot end the block
  d->parked_batch(std::move(events));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(*got->FindHeader("Content-Type"), kBatchContentType);
  EXPECT_EQ(
      got->body,
      "Lambda-Runtime-Aws-Request-Id: req-1\r\n"
      "Lambda-Runtime-Deadline-Ms: 1700000000123\r\n"
      "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:000000000000:function:f\r\n"
      "Lambda-Runtime-Trace-Id: Root=1-abc\r\n"
      "Content-Length: 7\r\n\r\n"
      "{\"a\":1}"
      "Lambda-Runtime-Aws-Request-Id: req-2\r\n"
      "Lambda-Runtime-Deadline-Ms: 1700000000456\r\n"
      "Lambda-Runtime-Invoked-Function-Arn: "
      "arn:aws:lambda:us-east-1:000000000000:function:f:live\r\n"
      "Lambda-Runtime-Client-Context: {\"custom\": {}}\r\n"
      "Content-Length: 7\r\n\r\n"
      "\"caf\xc3\xa9\"");
}

TEST(RuntimeApiTest, BatchNextNeedsASensibleMax) {
  auto d = std::make_shared<FakeDelegate>();
  net::Handler h = MakeRuntimeApiHandler(d);
  for (const char* query : {"", "?max=0", "?max=-1", "?max=abc", "?max=2x", "?max=1025"}) {
    auto r = Send(h, "GET", std::string("/2018-06-01/runtime/invocation/next-batch") + query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_NE(r.body.find("max"), std::string::npos) << query;
  }
  EXPECT_FALSE(d->parked_batch);
  Send(h, "GET", "/2018-06-01/runtime/invocation/next-batch?max=1024");
  EXPECT_EQ(d->batch_max, 1024u);
}

TEST(RuntimeApiTest, ResponseStatusCodes) {
  auto d = std::make_shared<FakeDelegate>();
  net::Handler h = MakeRuntimeApiHandler(d);
  auto ok = Send(h, "POST", "/2018-06-01/runtime/invocation/req-1/response", "\"hi\"");
  EXPECT_EQ(ok.status, 202);
  EXPECT_EQ(ok.body, "{\"status\":\"OK\"}");
  EXPECT_EQ(d->response, "\"hi\"");
  auto again = Send(h, "POST", "/2018-06-01/runtime/invocation/req-1/response", "x");
  EXPECT_EQ(again.status, 403);
  auto wrong = Send(h, "POST", "/2018-06-01/runtime/invocation/other/response", "x");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("InvalidRequestID"), std::string::npos);
  auto big = Send(h, "POST", "/2018-06-01/runtime/invocation/req-1/response",
                  std::string(kMaxRuntimeResponseBytes + 1, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_TRUE(d->too_large);
  EXPECT_NE(big.body.find("RequestEntityTooLarge"), std::string::npos);
}

TEST(RuntimeApiTest, ErrorsCarryTheirType) {
  auto d = std::make_shared<FakeDelegate>();
  net::Handler h = MakeRuntimeApiHandler(d);
  auto r = Send(h, "POST", "/2018-06-01/runtime/invocation/req-1/error", "{\"errorMessage\":\"x\"}",
                {{"Lambda-Runtime-Function-Error-Type", "Runtime.HandlerNotFound"}});
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(d->error_type, "Runtime.HandlerNotFound");
  auto init = Send(h, "POST", "/2018-06-01/runtime/init/error", "{}",
                   {{"lambda-runtime-function-error-type", "Runtime.ImportModuleError"}});
  EXPECT_EQ(init.status, 202);
  EXPECT_EQ(d->error_type, "Runtime.ImportModuleError");
}

TEST(RuntimeApiTest, UnknownPathsAndGoneInstances) {
  auto d = std::make_shared<FakeDelegate>();
  net::Handler h = MakeRuntimeApiHandler(d);
  EXPECT_EQ(Send(h, "GET", "/2018-06-01/runtime/nope").status, 404);
  EXPECT_EQ(Send(h, "GET", "/2020-01-01/extension/event/next").status, 404);
  EXPECT_EQ(Send(h, "GET", "/2018-06-01/ping").status, 200);
  d.reset();
  EXPECT_EQ(Send(h, "GET", "/2018-06-01/runtime/invocation/next").status, 500);
}

}  // namespace
}  // namespace nimbus::runtime
