#include "cli/arguments.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

namespace nimbus::cli {
namespace {

// Parses `argv` (without the program name) against a command set up by `add`.
template <typename Add>
void Parse(Add add, std::vector<std::string> argv) {
  CLI::App app{"test"};
  add(&app);
  std::reverse(argv.begin(), argv.end());  // CLI11 takes them last first
  app.parse(argv);
}

TEST(ArgumentsTest, DeployFlagsBecomeDeployOptions) {
  ServiceArgs args;
  Parse(
      [&](CLI::App* app) {
        AddServiceOptions(app, args);
        AddRootFlags(app, args);
      },
      {"--config", "svc/serverless.yml", "-s", "prod", "--root"});
  deploy::DeployOptions o = ToDeployOptions(args);
  EXPECT_EQ(o.config, "svc/serverless.yml");
  EXPECT_EQ(o.stage, "prod");
  ASSERT_TRUE(o.root.has_value());
  EXPECT_TRUE(*o.root);

  ServiceArgs no_root;
  Parse(
      [&](CLI::App* app) {
        AddServiceOptions(app, no_root);
        AddRootFlags(app, no_root);
      },
      {"--no-root"});
  o = ToDeployOptions(no_root);
  EXPECT_EQ(o.config, "serverless.yml");
  EXPECT_EQ(o.stage, "");
  ASSERT_TRUE(o.root.has_value());
  EXPECT_FALSE(*o.root);

  EXPECT_FALSE(ToDeployOptions(ServiceArgs{}).root.has_value());  // the gateway decides
}

TEST(ArgumentsTest, ClientFlags) {
  deploy::ClientOptions o;
  Parse([&](CLI::App* app) { AddClientOptions(app, o); },
        {"--endpoint", "http://127.0.0.1:9999", "--region", "eu-west-1", "--access-key", "AK",
         "--secret-key", "SK", "--data-dir", "/tmp/d"});
  EXPECT_EQ(o.endpoint, "http://127.0.0.1:9999");
  EXPECT_EQ(o.region, "eu-west-1");
  EXPECT_EQ(o.access_key_id, "AK");
  EXPECT_EQ(o.secret_access_key, "SK");
  EXPECT_EQ(o.data_dir, "/tmp/d");
}

TEST(ArgumentsTest, FunctionRequests) {
  FunctionArgs a;
  Parse([&](CLI::App* app) { AddFunctionConfigOptions(app, a); },
        {"--runtime", "python3.12", "--handler", "app.handler", "--memory", "256", "--env", "A=1",
         "--env", "B=x=y", "--dir", "."});
  a.name = "hello";
  a.network = "host";
  auto create = CreateFunctionRequest(a, "arn:aws:iam::000000000000:role/lambda", "zip");
  ASSERT_TRUE(create.ok()) << create.status().ToString();
  EXPECT_EQ(boost::json::serialize(*create),
            R"({"FunctionName":"hello","Runtime":"python3.12",)"
            R"("Role":"arn:aws:iam::000000000000:role/lambda","Code":{"ZipFile":"emlw"},)"
            R"("Handler":"app.handler","MemorySize":256,)"
            R"("Environment":{"Variables":{"A":"1","B":"x=y"}},"Tags":{"nimbus:network":"host"}})");

  auto update = UpdateConfigurationRequest(a);
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(boost::json::serialize(*update),
            R"({"Runtime":"python3.12","Handler":"app.handler","MemorySize":256,)"
            R"("Environment":{"Variables":{"A":"1","B":"x=y"}}})");
  EXPECT_TRUE(UpdateConfigurationRequest(FunctionArgs{})->empty());

  a.env = {"NOEQUALS"};
  auto bad = CreateFunctionRequest(a, "r", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "--env takes KEY=VALUE, not NOEQUALS");
  EXPECT_FALSE(UpdateConfigurationRequest(a).ok());
}

TEST(ArgumentsTest, ZipAndDirExcludeEachOther) {
  FunctionArgs a;
  EXPECT_THROW(Parse([&](CLI::App* app) { AddFunctionConfigOptions(app, a); },
                     {"--zip", "f.zip", "--dir", "."}),
               CLI::ExcludesError);
}

TEST(ArgumentsTest, Since) {
  EXPECT_EQ(*ParseSince("30s"), 30'000);
  EXPECT_EQ(*ParseSince("10m"), 600'000);
  EXPECT_EQ(*ParseSince("2h"), 7'200'000);
  EXPECT_EQ(*ParseSince("1d"), 86'400'000);
  EXPECT_EQ(*ParseSince(""), 0);
  EXPECT_EQ(ParseSince("abc").status().message(), "bad --since abc");
  EXPECT_EQ(ParseSince("10y").status().message(), "--since takes a number with s, m, h or d: 10y");
}

TEST(ArgumentsTest, BenchHeaders) {
  auto headers = ParseHeaders({"Authorization: Bearer x", "X-Empty:", "no colon", "A:b:c"});
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].name, "Authorization");
  EXPECT_EQ(headers[0].value, "Bearer x");
  EXPECT_EQ(headers[1].value, "");
  EXPECT_EQ(headers[2].name, "A");
  EXPECT_EQ(headers[2].value, "b:c");
}

TEST(ArgumentsTest, DevPaths) {
  DevPaths p = ResolveDevPaths("/srv/app/", "serverless.yml", ".nimbus");
  EXPECT_EQ(p.dir, "/srv/app");
  EXPECT_EQ(p.config, "/srv/app/serverless.yml");
  EXPECT_EQ(p.data_dir, "/srv/app/.nimbus");
  p = ResolveDevPaths("/srv/app/./sub/..", "/etc/svc.yml", "/var/nimbus");
  EXPECT_EQ(p.dir, "/srv/app");
  EXPECT_EQ(p.config, "/etc/svc.yml");
  EXPECT_EQ(p.data_dir, "/var/nimbus");
}

}  // namespace
}  // namespace nimbus::cli
