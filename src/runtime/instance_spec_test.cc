#include "runtime/instance_spec.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace nimbus::runtime {
namespace {

std::string Env(const sandbox::SandboxSpec& spec, const std::string& key) {
  for (const auto& e : spec.env) {
    if (e.rfind(key + "=", 0) == 0) return e.substr(key.size() + 1);
  }
  return "<unset>";
}

TEST(InstanceSpecTest, SetsLambdaEnvironmentAndLayout) {
  RuntimeCatalog catalog({"/opt/nimbus/runtimes"});
  FunctionSpec fn;
  fn.name = "svc-hello";
  fn.handler = "index.handler";
  fn.runtime = "nodejs20.x";
  fn.code_dir = "/data/code/abc";
  fn.memory_mb = 256;
  fn.ephemeral_mb = 1024;
  fn.environment = {{"STAGE", "dev"}, {"LANG", "C.UTF-8"}};
  InstanceContext inst;
  inst.runtime_api = "127.0.0.1:9001";
  inst.aws_endpoint = "http://127.0.0.1:4566";
  inst.access_key_id = "ASIAXXX";
  inst.secret_access_key = "secret";
  inst.session_token = "token";
  inst.log_stream = "2024/01/31/[$LATEST]abc";
  auto spec = BuildInstanceSpec(fn, *catalog.Find("nodejs20.x"), inst, {});
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(Env(*spec, "_HANDLER"), "index.handler");
  EXPECT_EQ(Env(*spec, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "256");
  EXPECT_EQ(Env(*spec, "AWS_LAMBDA_FUNCTION_VERSION"), "$LATEST");
  EXPECT_EQ(Env(*spec, "AWS_LAMBDA_LOG_GROUP_NAME"), "/aws/lambda/svc-hello");
  EXPECT_EQ(Env(*spec, "AWS_LAMBDA_LOG_STREAM_NAME"), "2024/01/31/[$LATEST]abc");
  EXPECT_EQ(Env(*spec, "AWS_LAMBDA_RUNTIME_API"), "127.0.0.1:9001");
  EXPECT_EQ(Env(*spec, "AWS_EXECUTION_ENV"), "AWS_Lambda_nodejs20.x");
  EXPECT_EQ(Env(*spec, "AWS_ENDPOINT_URL"), "http://127.0.0.1:4566");
  EXPECT_EQ(Env(*spec, "TZ"), ":UTC");
  EXPECT_EQ(Env(*spec, "STAGE"), "dev");
  EXPECT_EQ(Env(*spec, "LANG"), "C.UTF-8");  // unreserved defaults yield to the user
  EXPECT_EQ(Env(*spec, "AWS_SESSION_TOKEN"), "token");
  EXPECT_EQ(spec->argv.back(), "/var/runtime/bootstrap.mjs");
  EXPECT_NE(std::find(spec->argv.begin(), spec->argv.end(), "--max-old-space-size=231"),
            spec->argv.end());
  EXPECT_EQ(Env(*spec, "NODE_PATH"),
            "/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:"
            "/var/runtime:/var/task");
  EXPECT_EQ(spec->cwd, "/var/task");
  EXPECT_EQ(spec->limits.memory_mb, 256u);
  auto has = [&](const std::string& target) {
    return std::any_of(spec->mounts.begin(), spec->mounts.end(),
                       [&](const sandbox::Mount& m) { return m.target == target; });
  };
  EXPECT_TRUE(has("/var/task"));
  EXPECT_TRUE(has("/var/runtime"));
  EXPECT_TRUE(has("/tmp"));
  EXPECT_TRUE(has("/node_modules"));
  EXPECT_TRUE(IsReservedEnvironmentKey("AWS_REGION"));
  EXPECT_FALSE(IsReservedEnvironmentKey("STAGE"));
}

TEST(CatalogTest, KnowsLambdaRuntimeNames) {
  RuntimeCatalog catalog({"/r"});
  EXPECT_NE(catalog.Find("provided.al2023"), nullptr);
  EXPECT_NE(catalog.Find("python3.13"), nullptr);
  EXPECT_NE(catalog.Find("nodejs22.x"), nullptr);
  EXPECT_EQ(catalog.Find("java21"), nullptr);
  EXPECT_EQ(catalog.Find("provided")->argv[0], "/var/task/bootstrap");
}

}  // namespace
}  // namespace nimbus::runtime
