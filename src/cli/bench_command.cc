// `nimbus bench URL | -f FUNCTION`: a load test, because every serverless
// team ends up needing one. N connections each send requests back to back
// for a duration or a request count; a progress line updates every second;
// the report gives throughput, latency percentiles, errors by kind and the
// cold starts the server counted meanwhile.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include <boost/json.hpp>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/fs.h"
#include "deploy/naming.h"
#include "net/http_client.h"

namespace nimbus::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchArgs {
  std::string url, function, config = "serverless.yml", stage;
  std::string method = "GET", body, payload;
  std::vector<std::string> headers;
  int connections = 8;
  double duration_s = 10;
  int64_t requests = 0;  // 0: run for the duration
};

struct Shared {
  std::atomic<int64_t> sent{0}, done{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::map<std::string, int64_t> errors;  // kind -> count
};

// The server's count of cold starts, from its health endpoint (-1: unknown).
int64_t ColdStarts(const std::string& endpoint) {
  auto hp = net::ParseHttpEndpoint(endpoint);
  if (!hp.ok()) return -1;
  net::HttpClient client(hp->first, hp->second);
  net::HttpRequest req;
  req.method = "GET";
  req.target = "/_nimbus/health";
  auto r = client.Send(req, std::chrono::seconds(2));
  if (!r.ok() || r->status != 200) return -1;
  auto v = ParseJson(r->body);
  if (!v.ok() || !v->is_object() || !v->get_object().contains("cold_starts")) return -1;
  return v->get_object().at("cold_starts").to_number<int64_t>();
}

void RunBench(const BenchArgs& a, const deploy::ClientOptions& co) {
  if (a.url.empty() == a.function.empty()) Fail("give a URL or -f FUNCTION (not both)");
  if (a.connections < 1) Fail("--connections must be at least 1");
  std::string function_name;
  std::string payload = a.payload;
  if (!payload.empty() && payload[0] == '@') {
    auto data = ReadFile(payload.substr(1));
    if (!data.ok()) Fail(data.status().message());
    payload = *data;
  }
  if (!a.function.empty()) function_name = ResolveFunctionName("", a.function, a.config, a.stage);
  auto resolved = deploy::ResolveClientOptions(co);
  std::string endpoint = resolved.ok() ? resolved->endpoint : "";
  if (!a.function.empty() && !resolved.ok()) Fail(resolved.status().message());

  std::string host, target = "/";
  int port = 0;
  if (!a.url.empty()) {
    auto hp = net::ParseHttpEndpoint(a.url);
    if (!hp.ok()) Fail("bad URL " + a.url + ": " + hp.status().message());
    host = hp->first;
    port = hp->second;
    size_t slash = a.url.find('/', a.url.find("://") + 3);
    if (slash != std::string::npos) target = a.url.substr(slash);
  }
  const std::vector<net::Header> headers = ParseHeaders(a.headers);
  const std::string invocations = deploy::LambdaFunctionPath(function_name) + "/invocations";
  int64_t cold_before = endpoint.empty() ? -1 : ColdStarts(endpoint);

  Shared shared;
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.duration_s));
  auto keep_going = [&] {
    if (a.requests > 0) return shared.sent.fetch_add(1) < a.requests;
    return Clock::now() < deadline;
  };
  std::vector<std::thread> workers;
  for (int c = 0; c < a.connections; ++c) {
    workers.emplace_back([&] {
      std::unique_ptr<net::HttpClient> http;
      std::unique_ptr<deploy::AwsClient> aws;
      if (!a.url.empty()) http = std::make_unique<net::HttpClient>(host, port);
      if (!function_name.empty()) aws = std::make_unique<deploy::AwsClient>(*resolved);
      std::vector<double> mine;
      std::map<std::string, int64_t> errors;
      while (keep_going()) {
        auto t0 = Clock::now();
        std::string kind;
        if (http) {
          net::HttpRequest req;
          req.method = a.method;
          req.target = target;
          req.body = a.body;
          req.headers = headers;
          auto r = http->Send(req, std::chrono::seconds(60));
          if (!r.ok()) kind = "connection: " + r.status().message();
          else if (r->status >= 400) kind = "HTTP " + std::to_string(r->status);
        } else {
          auto r = aws->Call("lambda", "POST", invocations, {{"Content-Type", "application/json"}},
                             payload.empty() ? "{}" : payload);
          if (!r.ok()) kind = "connection: " + r.status().message();
          else if (r->status >= 400) kind = "HTTP " + std::to_string(r->status) + " " + deploy::DescribeAwsError(*r);
          else if (r->Header("X-Amz-Function-Error")) kind = "function error: " + *r->Header("X-Amz-Function-Error");
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!kind.empty()) ++errors[kind];
        shared.done.fetch_add(1, std::memory_order_relaxed);
      }
      std::lock_guard lock(shared.mu);
      shared.latencies_ms.insert(shared.latencies_ms.end(), mine.begin(), mine.end());
      for (const auto& [k, n] : errors) shared.errors[k] += n;
    });
  }
  // The progress line, every second, on a terminal.
  std::atomic<bool> finished{false};
  const bool tty = isatty(STDERR_FILENO);
  std::thread progress([&] {
    int64_t last = 0;
    while (!finished && tty) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      if (finished) break;
      int64_t now = shared.done.load();
      double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      std::fprintf(stderr, "\r%6.1f s  %10lld requests  %9.0f req/s now", elapsed,
                   static_cast<long long>(now), static_cast<double>(now - last));
      std::fflush(stderr);
      last = now;
    }
  });
  for (auto& w : workers) w.join();
  finished = true;
  progress.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  int64_t cold_after = endpoint.empty() ? -1 : ColdStarts(endpoint);

  BenchSummary summary;
  summary.target = a.url.empty() ? "function " + function_name : a.url;
  summary.connections = a.connections;
  summary.elapsed_s = elapsed;
  summary.latencies_ms = std::move(shared.latencies_ms);
  std::sort(summary.latencies_ms.begin(), summary.latencies_ms.end());
  summary.errors = std::move(shared.errors);
  if (cold_before >= 0 && cold_after >= 0) summary.cold_starts = cold_after - cold_before;
  summary.endpoint = endpoint;
  if (tty) std::fprintf(stderr, "\r%60s\r", "");
  std::fputs(FormatBenchReport(summary).c_str(), stdout);
}

}  // namespace

void AddBenchCommand(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  auto co = std::make_shared<deploy::ClientOptions>();
  CLI::App* bench = app.add_subcommand("bench", "Load-test a URL or a function and report latency and errors");
  bench->add_option("url", a->url, "URL to request (http://...)");
  bench->add_option("--function,-f", a->function, "Invoke this serverless.yml function instead");
  bench->add_option("--config,-c", a->config, "The service's serverless.yml (with -f)")->capture_default_str();
  bench->add_option("--stage,-s", a->stage, "Stage (with -f)");
  bench->add_option("--connections,--concurrency", a->connections, "Concurrent connections")->capture_default_str();
  bench->add_option("--duration,-d", a->duration_s, "Seconds to run")->capture_default_str();
  bench->add_option("--requests,-n", a->requests, "Stop after this many requests instead");
  bench->add_option("--method,-X", a->method, "HTTP method (URL mode)")->capture_default_str();
  bench->add_option("--header,-H", a->headers, "Header 'Name: value' (URL mode, repeatable)");
  bench->add_option("--body", a->body, "Request body (URL mode)");
  bench->add_option("--payload,-p", a->payload, "Event as JSON or @file (function mode)");
  AddClientOptions(bench, *co);
  bench->callback([a, co] { RunBench(*a, *co); });
}

}  // namespace nimbus::cli
