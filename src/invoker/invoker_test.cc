// Invoker tests against real sandboxes (root only), with a small Python
// bootstrap speaking the Runtime API as a `provided` function would.
#include "invoker/invoker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "core/fs.h"
#include "core/ids.h"
#include "invoker/report.h"

namespace nimbus::invoker {
namespace {

const char* kBootstrap = R"PY(#!/usr/bin/python3
import http.client, json, os, sys, threading, time
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
counter = 0
mode = os.environ.get("MODE", "")
if mode == "init_error":
    c = http.client.HTTPConnection(api)
    c.request("POST", "/2018-06-01/runtime/init/error", body=json.dumps({"errorMessage": "bad init", "errorType": "Runtime.ImportModuleError"}), headers={"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"})
    c.getresponse().read()
    sys.exit(1)
if mode == "exit_at_init":
    print("dying at init", flush=True)
    sys.exit(2)
if mode == "batch":
    # Nimbus's batch `next`: every event waiting, up to the slot count, in one
    # answer; each is answered from a thread of its own.
    slots = int(os.environ["AWS_LAMBDA_MAX_CONCURRENCY"])
    def answer(rid, event, size):
        time.sleep(event.get("seconds", 0))
        c = http.client.HTTPConnection(api)
        c.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", body=json.dumps({"batch": size, "event": event}))
        c.getresponse().read()
    conn = http.client.HTTPConnection(api)
    while True:
        conn.request("GET", f"/2018-06-01/runtime/invocation/next-batch?max={slots}")
        r = conn.getresponse()
        body = r.read()
        assert r.getheader("Content-Type") == "application/vnd.nimbus.invocation-batch", r.getheader("Content-Type")
        events, pos = [], 0
        while pos < len(body):
            end = body.index(b"\r\n\r\n", pos)
            headers = dict(line.split(": ", 1) for line in body[pos:end].decode().split("\r\n"))
            start = end + 4
            length = int(headers["Content-Length"])
            events.append((headers["Lambda-Runtime-Aws-Request-Id"], json.loads(body[start:start + length])))
            pos = start + length
        for rid, event in events:
            threading.Thread(target=answer, args=(rid, event, len(events)), daemon=True).start()
lock = threading.Lock()
def serve():
    global counter
    conn = http.client.HTTPConnection(api)
    while True:
        conn.request("GET", "/2018-06-01/runtime/invocation/next")
        r = conn.getresponse()
        body = r.read()
        rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
        event = json.loads(body or b"{}")
        with lock:
            counter += 1
            mine = counter
        print("handling", rid, flush=True)
        action = event.get("action")
        if action == "sleep":
            time.sleep(event["seconds"])
        if action == "crash":
            os._exit(3)
        if action == "hog":
            x = bytearray(512 * 1024 * 1024)
        if action == "big":
            # A result above Lambda's 6 MB: refused with 413, and this
            # thread goes on to its next event.
            conn.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", body=b"x" * event["size"])
            r = conn.getresponse()
            r.read()
            print("big answered", r.status, flush=True)
            continue
        if action == "fail":
            conn.request("POST", f"/2018-06-01/runtime/invocation/{rid}/error", body=json.dumps({"errorMessage": "nope", "errorType": "ValueError"}), headers={"Lambda-Runtime-Function-Error-Type": "ValueError"})
            conn.getresponse().read()
            continue
        out = {"counter": mine, "pid": os.getpid(), "event": event, "env": {k: os.environ.get(k) for k in ("AWS_LAMBDA_FUNCTION_NAME", "AWS_ACCESS_KEY_ID", "_HANDLER", "AWS_LAMBDA_MAX_CONCURRENCY")}}
        conn.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", body=json.dumps(out))
        conn.getresponse().read()
# Several at once when the platform says so: one thread and connection each.
for _ in range(int(os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY", "1")) - 1):
    threading.Thread(target=serve, daemon=True).start()
serve()
)PY";

class MemoryLogs : public LogSink {
 public:
  void Append(const std::string& group, const std::string& stream, int64_t,
              std::string message) override {
    std::lock_guard lock(mu);
    lines.push_back(message);
  }
  std::string All() {
    std::lock_guard lock(mu);
    std::string out;
    for (auto& l : lines) out += l + "\n";
    return out;
  }
  std::mutex mu;
  std::vector<std::string> lines;
};

class FakeCredentials : public CredentialIssuer {
 public:
  Credentials Issue(const InstanceIdentity&) override { return {"ASIATEST", "secret", "token"}; }
  void Revoke(const std::string&) override { ++revoked; }
  std::atomic<int> revoked{0};
};

class InvokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "invoker tests need root";
    dir_ = (std::filesystem::temp_directory_path() / ("nimbus-inv-" + RandomHex(8))).string();
    ASSERT_TRUE(MakeDirs(dir_ + "/code").ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/code/bootstrap", kBootstrap, 0755).ok());
    sandbox::SandboxerOptions so;
    so.state_dir = dir_ + "/state";
    so.scope = "inv-" + RandomHex(6);
    auto sb = sandbox::Sandboxer::Create(so);
    ASSERT_TRUE(sb.ok()) << sb.status().ToString();
    sandboxer_ = std::move(*sb);
    catalog_ = std::make_unique<runtime::RuntimeCatalog>(runtime::CatalogOptions{dir_});
    loop_.Start();
    MakeInvoker(1000);
  }
  void MakeInvoker(int concurrency, int max_concurrent_starts = 0,
                   std::chrono::milliseconds scale_out_delay = std::chrono::milliseconds(0),
                   SpawnFunction spawn = nullptr) {
    InvokerOptions opts;
    opts.account_concurrency = concurrency;
    opts.max_concurrent_starts = max_concurrent_starts;
    opts.scale_out_delay = scale_out_delay;
    opts.spawn = std::move(spawn);
    opts.keep_alive = std::chrono::seconds(60);
    invoker_ = std::make_shared<Invoker>(loop_, *sandboxer_, *catalog_, logs_, creds_, nullptr,
                                         opts);
    invoker_->Start();
  }
  void TearDown() override {
    if (invoker_) invoker_->Shutdown(std::chrono::seconds(5));
    invoker_.reset();
    loop_.Stop();
    sandboxer_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::shared_ptr<runtime::FunctionSpec> Function(std::map<std::string, std::string> env = {},
                                                  uint32_t timeout = 3, uint32_t memory = 128) {
    auto fn = std::make_shared<runtime::FunctionSpec>();
    fn->name = "f";
    fn->arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
    fn->revision = "r1";
    fn->runtime = "provided.al2023";
    fn->handler = "x";
    fn->code_dir = dir_ + "/code";
    fn->timeout_s = timeout;
    fn->memory_mb = memory;
    fn->environment = std::move(env);
    return fn;
  }

  InvokeResult Call(std::shared_ptr<const runtime::FunctionSpec> fn, std::string payload) {
    std::promise<InvokeResult> p;
    InvokeRequest req;
    req.function = fn;
    req.payload = std::move(payload);
    req.invoked_arn = fn->arn;
    invoker_->Invoke(std::move(req), [&](InvokeResult r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  // An instance is free once its runtime asks for the next event, which may
  // come a moment after the result (slow under sanitizers): waits for that.
  void WaitUntilIdle() {
    for (int i = 0; i < 500 && invoker_->Stats().idle_instances == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // Starts `n` invocations of `fn` with `payload` at once.
  std::vector<std::future<InvokeResult>> InvokeTogether(
      const std::shared_ptr<const runtime::FunctionSpec>& fn, const std::string& payload, int n) {
    std::vector<std::future<InvokeResult>> results;
    for (int i = 0; i < n; ++i) {
      auto p = std::make_shared<std::promise<InvokeResult>>();
      results.push_back(p->get_future());
      InvokeRequest req;
      req.function = fn;
      req.payload = payload;
      invoker_->Invoke(std::move(req), [p](InvokeResult r) { p->set_value(std::move(r)); });
    }
    return results;
  }

  std::string dir_;
  std::unique_ptr<sandbox::Sandboxer> sandboxer_;
  std::unique_ptr<runtime::RuntimeCatalog> catalog_;
  net::EventLoop loop_{1};  // as in the server (--function-threads)
  MemoryLogs logs_;
  FakeCredentials creds_;
  std::shared_ptr<Invoker> invoker_;
};

TEST_F(InvokerTest, ColdThenWarmReusesTheInstance) {
  auto fn = Function();
  auto a = Call(fn, "{\"n\":1}");
  ASSERT_TRUE(a.status.ok()) << a.status.ToString();
  EXPECT_EQ(a.function_error, "");
  EXPECT_NE(a.payload.find("\"counter\": 1"), std::string::npos) << a.payload;
  EXPECT_NE(a.payload.find("\"AWS_ACCESS_KEY_ID\": \"ASIATEST\""), std::string::npos);
  WaitUntilIdle();
  auto b = Call(fn, "{\"n\":2}");
  EXPECT_NE(b.payload.find("\"counter\": 2"), std::string::npos) << b.payload;
  EXPECT_NE(b.log_tail.find("START RequestId: " + b.request_id), std::string::npos);
  EXPECT_NE(b.log_tail.find("handling " + b.request_id), std::string::npos) << b.log_tail;
  EXPECT_NE(b.log_tail.find("REPORT RequestId: " + b.request_id), std::string::npos);
  EXPECT_EQ(b.log_tail.find("Init Duration"), std::string::npos);
  EXPECT_NE(a.log_tail.find("Init Duration"), std::string::npos) << a.log_tail;
  EXPECT_EQ(invoker_->Stats().cold_starts, 1);
}

TEST_F(InvokerTest, FunctionErrorsAreResults) {
  auto r = Call(Function(), "{\"action\":\"fail\"}");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.function_error, "Unhandled");
  EXPECT_EQ(r.payload, "{\"errorMessage\": \"nope\", \"errorType\": \"ValueError\"}");
}

TEST_F(InvokerTest, AResponseTooLargeEndsItsInvocationAsAnyResultDoes) {
  auto fn = Function({}, 5);
  fn->max_concurrency = 2;
  ASSERT_TRUE(Call(fn, "{}").status.ok());
  WaitUntilIdle();
  std::atomic<int> answers{0};
  std::promise<InvokeResult> answered;
  InvokeRequest req;
  req.function = fn;
  req.payload = "{\"action\":\"big\",\"size\":7000000}";
  invoker_->Invoke(std::move(req), [&](InvokeResult r) {
    if (++answers == 1) answered.set_value(std::move(r));
  });
  auto r = answered.get_future().get();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.function_error, "Unhandled");
  EXPECT_EQ(r.payload, ErrorDocument("Function.ResponseSizeTooLarge",
                                     "Response payload size exceeded maximum allowed payload "
                                     "size (6291556 bytes)."));
  EXPECT_NE(r.log_tail.find("handling " + r.request_id), std::string::npos) << r.log_tail;
  EXPECT_NE(r.log_tail.find("END RequestId: " + r.request_id), std::string::npos) << r.log_tail;
  EXPECT_NE(r.log_tail.find("REPORT RequestId: " + r.request_id), std::string::npos);
  // Its slot is free again: the instance takes two at once, and no other starts.
  auto results = InvokeTogether(fn, "{\"action\":\"sleep\",\"seconds\":0.3}", 2);
  for (auto& f : results) {
    auto next = f.get();
    EXPECT_TRUE(next.status.ok() && next.function_error.empty()) << next.payload;
  }
  EXPECT_EQ(invoker_->Stats().cold_starts, 1);
  EXPECT_EQ(invoker_->Stats().in_flight, 0);
  EXPECT_EQ(answers, 1);
  // The runtime was told that its result was too large.
  for (int i = 0; i < 500 && logs_.All().find("big answered 413") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(logs_.All().find("big answered 413"), std::string::npos) << logs_.All();
}

TEST_F(InvokerTest, TimeoutKillsAndReplacesTheInstance) {
  auto fn = Function({}, 1);
  auto r = Call(fn, "{\"action\":\"sleep\",\"seconds\":30}");
  EXPECT_EQ(r.function_error, "Unhandled");
  EXPECT_EQ(r.payload, "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"RequestId: " +
                           r.request_id + " Error: Task timed out after 1.00 seconds\"}");
  EXPECT_NE(r.log_tail.find("Status: timeout"), std::string::npos) << r.log_tail;
  auto next = Call(fn, "{}");
  EXPECT_NE(next.payload.find("\"counter\": 1"), std::string::npos) << next.payload;
}

TEST_F(InvokerTest, CrashIsAnExitError) {
  auto fn = Function();
  auto r = Call(fn, "{\"action\":\"crash\"}");
  EXPECT_EQ(r.function_error, "Unhandled");
  EXPECT_NE(r.payload.find("Runtime.ExitError"), std::string::npos) << r.payload;
  EXPECT_NE(r.payload.find("Runtime exited with error: exit status 3"), std::string::npos);
  auto next = Call(fn, "{}");
  EXPECT_NE(next.payload.find("\"counter\": 1"), std::string::npos) << next.payload;
}

TEST_F(InvokerTest, OutOfMemoryIsReported) {
  auto r = Call(Function({}, 10, 128), "{\"action\":\"hog\"}");
  EXPECT_EQ(r.function_error, "Unhandled");
  EXPECT_NE(r.payload.find("Runtime.OutOfMemory"), std::string::npos) << r.payload;
  EXPECT_NE(r.payload.find("signal: killed"), std::string::npos) << r.payload;
}

TEST_F(InvokerTest, InitErrorsAreReportedAsLambdaDoes) {
  auto r = Call(Function({{"MODE", "init_error"}}), "{}");
  EXPECT_EQ(r.function_error, "Unhandled");
  EXPECT_NE(r.payload.find("Runtime.ImportModuleError"), std::string::npos) << r.payload;
  EXPECT_NE(r.log_tail.find("INIT_REPORT"), std::string::npos) << r.log_tail;
  auto e = Call(Function({{"MODE", "exit_at_init"}}), "{}");
  EXPECT_NE(e.payload.find("Runtime.ExitError"), std::string::npos) << e.payload;
  EXPECT_NE(e.log_tail.find("dying at init"), std::string::npos) << e.log_tail;
}

TEST_F(InvokerTest, MissingBootstrapIsInvalidEntrypoint) {
  auto fn = Function();
  std::filesystem::remove(dir_ + "/code/bootstrap");
  auto r = Call(fn, "{}");
  EXPECT_EQ(r.function_error, "Unhandled");
  EXPECT_NE(r.payload.find("Runtime.InvalidEntrypoint"), std::string::npos) << r.payload;
}

TEST_F(InvokerTest, ThrottlesAtTheConcurrencyLimit) {
  invoker_->Shutdown(std::chrono::seconds(1));
  MakeInvoker(1);
  auto fn = Function({}, 5);
  std::promise<InvokeResult> slow;
  InvokeRequest req;
  req.function = fn;
  req.payload = "{\"action\":\"sleep\",\"seconds\":1}";
  invoker_->Invoke(std::move(req), [&](InvokeResult r) { slow.set_value(std::move(r)); });
  auto throttled = Call(fn, "{}");
  EXPECT_EQ(throttled.status.code(), Code::kResourceExhausted);
  EXPECT_EQ(throttled.status.reason(), "ConcurrentInvocationLimitExceeded");
  EXPECT_TRUE(slow.get_future().get().status.ok());
  EXPECT_TRUE(Call(fn, "{}").status.ok());
}

TEST_F(InvokerTest, ConcurrentInvocationsGetTheirOwnInstances) {
  auto fn = Function({}, 5);
  auto results = InvokeTogether(fn, "{\"action\":\"sleep\",\"seconds\":0.5}", 3);
  for (auto& f : results) {
    auto r = f.get();
    EXPECT_NE(r.payload.find("\"counter\": 1"), std::string::npos) << r.payload;
  }
  EXPECT_EQ(invoker_->Stats().cold_starts, 3);
}

TEST_F(InvokerTest, StartsAtMostTheAllowedInstancesAtOnce) {
  invoker_->Shutdown(std::chrono::seconds(1));
  MakeInvoker(1000, /*max_concurrent_starts=*/1);
  auto fn = Function({}, 5);
  auto results = InvokeTogether(fn, "{\"action\":\"sleep\",\"seconds\":0.5}", 3);
  // The other two wait for the first start to finish, then start one by one.
  auto stats = invoker_->Stats();
  EXPECT_LE(stats.starting_instances, 1);
  EXPECT_EQ(stats.in_flight, 3);
  for (auto& f : results) {
    auto r = f.get();
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_NE(r.payload.find("\"counter\": 1"), std::string::npos) << r.payload;
  }
  EXPECT_EQ(invoker_->Stats().cold_starts, 3);
  EXPECT_EQ(invoker_->Stats().starting_instances, 0);
}

TEST_F(InvokerTest, AdaptiveScaleOutQueuesShortInvocationsOnAWarmInstance) {
  invoker_->Shutdown(std::chrono::seconds(1));
  MakeInvoker(1000, 0, InvokerOptions::kAdaptiveScaleOut);
  auto fn = Function({}, 5);
  // Measure a start and a few short invocations.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(Call(fn, "{}").status.ok());
    WaitUntilIdle();
  }
  ASSERT_EQ(invoker_->Stats().cold_starts, 1);
  // Short invocations arriving together: waiting for the warm instance is
  // quicker than starting another, so they queue on it.
  auto results = InvokeTogether(fn, "{}", 3);
  for (auto& f : results) ASSERT_TRUE(f.get().status.ok());
  EXPECT_EQ(invoker_->Stats().cold_starts, 1);
}

TEST_F(InvokerTest, AdaptiveScaleOutStartsInstancesForLongInvocations) {
  invoker_->Shutdown(std::chrono::seconds(1));
  MakeInvoker(1000, 0, InvokerOptions::kAdaptiveScaleOut);
  auto fn = Function({}, 5);
  const std::string sleep = "{\"action\":\"sleep\",\"seconds\":0.6}";
  ASSERT_TRUE(Call(fn, sleep).status.ok());  // measured: a start, and a long invocation
  WaitUntilIdle();
  auto results = InvokeTogether(fn, sleep, 3);
  for (auto& f : results) ASSERT_TRUE(f.get().status.ok());
  EXPECT_EQ(invoker_->Stats().cold_starts, 3);  // the warm one, and two new
}

TEST_F(InvokerTest, SandboxesAreBuiltOffTheEventLoop) {
  std::promise<std::thread::id> loop_thread;
  loop_.Post([&] { loop_thread.set_value(std::this_thread::get_id()); });
  const std::thread::id loop_id = loop_thread.get_future().get();  // its only thread
  // A slow spawn: it waits until the loop has served a timer armed once it
  // began. Run on the loop's own thread, it would wait in vain.
  std::atomic<int> spawns{0}, spawns_on_loop{0}, loop_stalled{0};
  auto spawn = [&](const sandbox::SandboxSpec& spec, const std::string& name) {
    ++spawns;
    if (std::this_thread::get_id() == loop_id) ++spawns_on_loop;
    auto served = std::make_shared<std::promise<void>>();
    loop_.After(std::chrono::milliseconds(1), [served] { served->set_value(); });
    if (served->get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      ++loop_stalled;
    }
    return sandboxer_->Spawn(spec, name);
  };
  invoker_->Shutdown(std::chrono::seconds(1));
  MakeInvoker(1000, 0, std::chrono::milliseconds(0), spawn);
  auto fn = Function();
  // Invoked from the loop, as the gateway and the instances' AWS endpoints do.
  std::promise<InvokeResult> done;
  loop_.Post([&] {
    InvokeRequest req;
    req.function = fn;
    req.payload = "{}";
    invoker_->Invoke(std::move(req), [&](InvokeResult r) { done.set_value(std::move(r)); });
  });
  auto r = done.get_future().get();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.function_error.empty()) << r.payload;
  EXPECT_NE(r.payload.find("\"counter\": 1"), std::string::npos) << r.payload;
  EXPECT_EQ(spawns, 1);
  EXPECT_EQ(spawns_on_loop, 0);
  EXPECT_EQ(loop_stalled, 0);
}

TEST_F(InvokerTest, AnInstanceKilledWhileItsSandboxIsBuiltDiesOnceBuilt) {
  // The spawn is held until Shutdown has killed every instance and given up
  // waiting for them: the sandbox built then is killed at once, and its
  // invocation answered, instead of running on.
  std::promise<void> release;
  auto released = release.get_future().share();
  auto spawn = [this, released](const sandbox::SandboxSpec& spec, const std::string& name) {
    released.wait();
    return sandboxer_->Spawn(spec, name);
  };
  invoker_->Shutdown(std::chrono::seconds(1));
  MakeInvoker(1000, 0, std::chrono::milliseconds(0), spawn);
  auto results = InvokeTogether(Function(), "{}", 1);
  invoker_->Shutdown(std::chrono::milliseconds(0));
  release.set_value();
  auto r = results[0].get();
  EXPECT_NE(r.payload.find("Runtime.ExitError"), std::string::npos) << r.payload;
  for (int i = 0; i < 500 && invoker_->Stats().instances > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(invoker_->Stats().instances, 0);
}

TEST_F(InvokerTest, RetireStopsOldRevisions) {
  auto fn = Function();
  EXPECT_TRUE(Call(fn, "{}").status.ok());
  auto fn2 = Function();
  fn2->revision = "r2";
  invoker_->Retire("f", "r2");
  auto r = Call(fn2, "{}");
  EXPECT_NE(r.payload.find("\"counter\": 1"), std::string::npos) << r.payload;
}

TEST_F(InvokerTest, OneInstanceTakesSeveralAtOnceWhenTheFunctionAllows) {
  auto fn = Function({}, 5);
  fn->max_concurrency = 3;
  auto results = InvokeTogether(fn, "{\"action\":\"sleep\",\"seconds\":0.5}", 3);
  std::set<std::string> pids;
  for (auto& f : results) {
    auto r = f.get();
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    ASSERT_TRUE(r.function_error.empty()) << r.payload;
    EXPECT_NE(r.payload.find("\"AWS_LAMBDA_MAX_CONCURRENCY\": \"3\""), std::string::npos);
    pids.insert(r.payload.substr(r.payload.find("\"pid\"")));
  }
  // The burst waited for the one instance starting instead of starting three.
  EXPECT_EQ(invoker_->Stats().cold_starts, 1);
  // Warm, it takes three at once again; a fourth waits for a free slot or
  // starts a second instance.
  results = InvokeTogether(fn, "{\"action\":\"sleep\",\"seconds\":0.5}", 3);
  for (auto& f : results) ASSERT_TRUE(f.get().status.ok());
  EXPECT_EQ(invoker_->Stats().cold_starts, 1);
}

TEST_F(InvokerTest, ABatchNextTakesEveryWaitingInvocationInOneAnswer) {
  auto fn = Function({{"MODE", "batch"}}, 5);
  fn->max_concurrency = 3;
  // The three wait for the one instance starting; its first batch `next`
  // takes all of them.
  auto results = InvokeTogether(fn, "{\"seconds\":0.2}", 3);
  for (auto& f : results) {
    auto r = f.get();
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    ASSERT_TRUE(r.function_error.empty()) << r.payload;
    EXPECT_NE(r.payload.find("\"batch\": 3"), std::string::npos) << r.payload;
  }
  EXPECT_EQ(invoker_->Stats().cold_starts, 1);
  // Warm, each invocation reaches the parked request, alone or with others.
  results = InvokeTogether(fn, "{\"n\":1}", 3);
  for (auto& f : results) {
    auto r = f.get();
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_NE(r.payload.find("\"event\": {\"n\": 1}"), std::string::npos) << r.payload;
  }
  EXPECT_EQ(invoker_->Stats().cold_starts, 1);
}

TEST_F(InvokerTest, WithSeveralAtOnceATimeoutEndsOnlyItsOwnInvocation) {
  auto fn = Function({}, 1);
  fn->max_concurrency = 2;
  ASSERT_TRUE(Call(fn, "{}").status.ok());
  WaitUntilIdle();
  auto slow = InvokeTogether(fn, "{\"action\":\"sleep\",\"seconds\":2.5}", 1);
  auto fast = Call(fn, "{}");
  EXPECT_TRUE(fast.function_error.empty()) << fast.payload;
  auto timed_out = slow[0].get();
  EXPECT_NE(timed_out.payload.find("Sandbox.Timedout"), std::string::npos) << timed_out.payload;
  // The instance lives on and serves the next one.
  auto after = Call(fn, "{}");
  EXPECT_TRUE(after.function_error.empty()) << after.payload;
  EXPECT_EQ(invoker_->Stats().cold_starts, 1);
}

TEST_F(InvokerTest, EachInvocationGetsItsWholeTimeoutWhateverRanBefore) {
  auto fn = Function({}, 1);
  fn->max_concurrency = 3;  // a timed-out handler keeps its slot until it ends
  ASSERT_TRUE(Call(fn, "{}").status.ok());
  WaitUntilIdle();
  // A quick invocation whose deadline passes while a later, slow one runs:
  // the slow one still gets its full second, and then times out.
  ASSERT_TRUE(Call(fn, "{}").function_error.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto started = std::chrono::steady_clock::now();
  auto slow = InvokeTogether(fn, "{\"action\":\"sleep\",\"seconds\":3}", 1);
  auto r = slow[0].get();
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1000));
  EXPECT_NE(r.payload.find("Sandbox.Timedout"), std::string::npos) << r.payload;
  // Two started apart both time out, each at its own deadline.
  auto first = InvokeTogether(fn, "{\"action\":\"sleep\",\"seconds\":3}", 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto second_started = std::chrono::steady_clock::now();
  auto second = InvokeTogether(fn, "{\"action\":\"sleep\",\"seconds\":3}", 1);
  EXPECT_NE(first[0].get().payload.find("Sandbox.Timedout"), std::string::npos);
  auto second_result = second[0].get();
  EXPECT_GE(std::chrono::steady_clock::now() - second_started, std::chrono::milliseconds(1000));
  EXPECT_NE(second_result.payload.find("Sandbox.Timedout"), std::string::npos)
      << second_result.payload;
  EXPECT_EQ(invoker_->Stats().cold_starts, 1);
}

TEST_F(InvokerTest, WithSeveralAtOnceACrashEndsEveryInvocationOfTheInstance) {
  auto fn = Function({}, 5);
  fn->max_concurrency = 2;
  ASSERT_TRUE(Call(fn, "{}").status.ok());
  WaitUntilIdle();
  auto sleeping = InvokeTogether(fn, "{\"action\":\"sleep\",\"seconds\":2}", 1);
  auto crashed = Call(fn, "{\"action\":\"crash\"}");
  EXPECT_NE(crashed.payload.find("Runtime.ExitError"), std::string::npos) << crashed.payload;
  auto other = sleeping[0].get();
  EXPECT_NE(other.payload.find("Runtime.ExitError"), std::string::npos) << other.payload;
  EXPECT_TRUE(Call(fn, "{}").function_error.empty());  // a fresh instance
  EXPECT_EQ(invoker_->Stats().cold_starts, 2);
}

}  // namespace
}  // namespace nimbus::invoker
