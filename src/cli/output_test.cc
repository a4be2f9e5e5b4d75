#include "cli/output.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace nimbus::cli {
namespace {

json::value Parse(const char* text) {
  return boost::json::parse(text);
}

TEST(OutputTest, PrettyJson) {
  EXPECT_EQ(PrettyJson(Parse(R"({"a": 1, "b": [true, "x"], "c": {}, "d": []})")),
            "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    \"x\"\n  ],\n  \"c\": {},\n  \"d\": []\n}");
  EXPECT_EQ(PrettyJson(Parse("\"s\"")), "\"s\"");
}

const char* kApi = R"({"id": "shop-dev", "urls": ["http://127.0.0.1:3000/shop-dev"],
    "routes": ["GET /users", "POST /users"]})";

TEST(OutputTest, Api) {
  EXPECT_EQ(FormatApi(Parse(kApi)),
            "endpoints:\n  http://127.0.0.1:3000/shop-dev\nroutes:\n  GET /users\n  POST /users\n");
  EXPECT_EQ(FormatApi(Parse(R"({"urls": ["u"], "routes": []})")), "endpoints:\n  u\n");
  EXPECT_EQ(FormatApi(json::value()), "");
}

deploy::DeployReport Report() {
  deploy::DeployReport r;
  r.manifest.service = "shop";
  r.manifest.stage = "dev";
  r.manifest.region = "us-east-1";
  manifest::FunctionDef a, b;
  a.key = "api";
  a.name = "shop-dev-api";
  b.key = "worker";
  b.name = "shop-dev-worker";
  r.manifest.functions = {a, b};
  return r;
}

TEST(OutputTest, DeploySummary) {
  deploy::DeployReport r = Report();
  EXPECT_EQ(FormatDeploySummary(r, 42), "service shop (stage dev) deployed in 42 ms: no changes\n");
  r.changes = 3;
  r.api = Parse(kApi);
  EXPECT_EQ(FormatDeploySummary(r, 7),
            "service shop (stage dev) deployed in 7 ms: 3 changes\n"
            "endpoints:\n  http://127.0.0.1:3000/shop-dev\nroutes:\n  GET /users\n  POST /users\n");
}

TEST(OutputTest, ServiceInfo) {
  deploy::DeployReport r = Report();
  EXPECT_EQ(FormatServiceInfo(r.manifest, Parse(kApi), Parse(R"({"tables": ["orders"]})")),
            "service: shop\nstage: dev\nregion: us-east-1\n"
            "endpoints:\n  http://127.0.0.1:3000/shop-dev\nroutes:\n  GET /users\n  POST /users\n"
            "functions:\n  api: shop-dev-api\n  worker: shop-dev-worker\n"
            "tables:\n  orders\n");
  EXPECT_EQ(FormatServiceInfo(r.manifest, json::value(), Parse(R"({"tables": []})")),
            "service: shop\nstage: dev\nregion: us-east-1\n"
            "functions:\n  api: shop-dev-api\n  worker: shop-dev-worker\n");
}

TEST(OutputTest, Dev) {
  deploy::DeployReport r = Report();
  r.api = Parse(kApi);
  EXPECT_EQ(FormatDevReady(r, 120, "http://127.0.0.1:3000", "http://127.0.0.1:4566", "/srv/shop"),
            "nimbus dev: shop (stage dev) ready in 120 ms\n"
            "  gateway  http://127.0.0.1:3000\n"
            "  aws      http://127.0.0.1:4566 (key test/test works with --dev-credentials)\n"
            "  route    GET /users\n  route    POST /users\n"
            "watching /srv/shop for changes (Ctrl-C stops)\n");
  EXPECT_EQ(ReloadedFunctions(r), "");
  r.updated_functions = {"shop-dev-worker", "shop-dev-api"};
  EXPECT_EQ(ReloadedFunctions(r), "api, worker");  // in file order
}

TEST(OutputTest, LogLines) {
  EXPECT_EQ(FormatLogLine("api", "hello\r\n\n", false), "api │ hello\n");
  std::string colored = FormatLogLine("api", "hello", true);
  EXPECT_TRUE(colored.starts_with("\033[")) << colored;
  EXPECT_TRUE(colored.ends_with("mapi\033[0m │ hello\n")) << colored;
  EXPECT_EQ(colored, FormatLogLine("api", "hello", true));  // one colour per label
}

TEST(OutputTest, FunctionList) {
  EXPECT_EQ(FunctionListHeader(),
            "NAME                                     RUNTIME           MEMORY  TIMEOUT  LAST "
            "MODIFIED\n");
  EXPECT_EQ(FormatFunctionRow(Parse(R"({"FunctionName": "hello", "Runtime": "python3.12",
                "MemorySize": 128, "Timeout": 3, "LastModified": "2024-01-01T00:00:00.000+0000"})")
                                  .as_object()),
            "hello                                    python3.12           128        3  "
            "2024-01-01T00:00:00.000+0000\n");
}

TEST(OutputTest, Bench) {
  EXPECT_EQ(Percentile({}, 50), 0);
  std::vector<double> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(Percentile(v, 50), 6);
  EXPECT_EQ(Percentile(v, 90), 9);
  EXPECT_EQ(Percentile(v, 100), 10);
  EXPECT_EQ(Percentile(v, 0), 1);

  BenchSummary s;
  s.target = "http://127.0.0.1:3000/";
  s.connections = 2;
  s.elapsed_s = 2;
  s.latencies_ms = {1, 2, 3, 4};
  s.errors = {{"HTTP 500", 1}};
  s.endpoint = "http://127.0.0.1:4566";
  EXPECT_EQ(FormatBenchReport(s),
            "target       http://127.0.0.1:3000/\n"
            "connections  2\n"
            "requests     4 in 2.00 s (1 errors)\n"
            "throughput   2 requests/s\n"
            "latency ms   p50 3.000  p90 4.000  p99 4.000  max 4.000\n"
            "cold starts  unknown (no Nimbus health endpoint at http://127.0.0.1:4566)\n"
            "error        1 × HTTP 500\n");
  s.cold_starts = 2;
  EXPECT_NE(FormatBenchReport(s).find("cold starts  2\n"), std::string::npos);
}

}  // namespace
}  // namespace nimbus::cli
