#include "deploy/plan.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace nimbus::deploy {
namespace {

json::object Obj(const char* text) {
  return boost::json::parse(text).as_object();
}

std::string Json(const json::value& v) {
  return boost::json::serialize(v);
}

TEST(DeployPlanTest, CreateTableRequestKeepsWhatCreateTableTakes) {
  json::object req = CreateTableRequest("t1", Obj(R"({
      "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
      "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
      "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
      "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": true},
      "SSESpecification": {"SSEEnabled": true}})"));
  EXPECT_EQ(req.at("TableName"), "t1");
  EXPECT_EQ(req.at("BillingMode"), "PROVISIONED");
  EXPECT_EQ(Json(req.at("ProvisionedThroughput")),
            R"({"ReadCapacityUnits":5,"WriteCapacityUnits":5})");
  EXPECT_EQ(Json(req.at("StreamSpecification")),
            R"({"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"})");
  EXPECT_FALSE(req.contains("SSESpecification"));
  EXPECT_FALSE(req.contains("TimeToLiveSpecification"));

  json::object on_demand = CreateTableRequest("t2", Obj(R"({"BillingMode": "PAY_PER_REQUEST"})"));
  EXPECT_EQ(on_demand.at("BillingMode"), "PAY_PER_REQUEST");
  EXPECT_FALSE(on_demand.contains("ProvisionedThroughput"));
}

TEST(DeployPlanTest, TimeToLiveOnlyWhenEnabled) {
  auto ttl = TimeToLiveSpecification(
      Obj(R"({"TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": true}})"));
  ASSERT_TRUE(ttl.has_value());
  EXPECT_EQ(Json(*ttl), R"({"AttributeName":"exp","Enabled":true})");
  EXPECT_FALSE(TimeToLiveSpecification(
      Obj(R"({"TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": false}})")));
  EXPECT_FALSE(TimeToLiveSpecification(Obj(R"({"TimeToLiveSpecification": {"Enabled": true}})")));
  EXPECT_FALSE(TimeToLiveSpecification(Obj("{}")));
}

manifest::FunctionDef Function() {
  manifest::FunctionDef fn;
  fn.key = "api";
  fn.name = "shop-dev-api";
  fn.handler = "h.api";
  fn.runtime = "nodejs20.x";
  fn.memory_mb = 256;
  fn.timeout_s = 10;
  return fn;
}

TEST(DeployPlanTest, EnvironmentEvaluatesIntrinsicsAndDropsNoValue) {
  manifest::FunctionDef fn = Function();
  fn.environment["PLAIN"] = "x";
  fn.environment["TABLE"] = boost::json::parse(R"({"Ref": "Orders"})");
  fn.environment["GONE"] = boost::json::parse(R"({"Ref": "AWS::NoValue"})");
  manifest::IntrinsicContext ctx;
  ctx.resolve = [](const std::string& id, const std::string& attr) -> Result<std::string> {
    if (id == "Orders" && attr.empty()) return std::string("orders-table");
    return NotFound("no resource " + id);
  };
  auto vars = EnvironmentVariables(fn, ctx);
  ASSERT_TRUE(vars.ok()) << vars.status().ToString();
  EXPECT_EQ(Json(*vars), R"({"PLAIN":"x","TABLE":"orders-table"})");

  fn.environment["BAD"] = boost::json::parse(R"({"Ref": "Missing"})");
  auto bad = EnvironmentVariables(fn, ctx);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("function api: environment BAD: "), std::string::npos)
      << bad.status().message();
}

TEST(DeployPlanTest, ConfigurationComparesFieldByField) {
  manifest::FunctionDef fn = Function();
  json::object want =
      FunctionConfiguration(fn, "arn:aws:iam::000000000000:role/r", Obj(R"({"A":"1"})"));
  EXPECT_EQ(want.at("Role"), "arn:aws:iam::000000000000:role/r");
  EXPECT_EQ(want.at("MemorySize"), 256);
  EXPECT_EQ(Json(want.at("Environment")), R"({"Variables":{"A":"1"}})");

  // What Lambda answers for the same function, with fields of its own.
  json::object have =
      Obj(R"({"FunctionName": "shop-dev-api", "Role": "arn:aws:iam::000000000000:role/r",
      "Handler": "h.api", "Runtime": "nodejs20.x", "MemorySize": 256, "Timeout": 10,
      "Environment": {"Variables": {"A": "1"}}, "EphemeralStorage": {"Size": 512},
      "CodeSha256": "abc", "LastModified": "2024-01-01T00:00:00.000+0000"})");
  EXPECT_FALSE(ConfigurationDiffers(have, want));  // no Description, no capacity config: defaults

  json::object changed = have;
  changed["Environment"] = Obj(R"({"Variables": {"A": "2"}})");
  EXPECT_TRUE(ConfigurationDiffers(changed, want));
  changed = have;
  changed.erase("Environment");
  EXPECT_TRUE(ConfigurationDiffers(changed, want));
  changed = have;
  changed["Timeout"] = 11;
  EXPECT_TRUE(ConfigurationDiffers(changed, want));
  changed = have;
  changed["EphemeralStorage"] = Obj(R"({"Size": 1024})");
  EXPECT_TRUE(ConfigurationDiffers(changed, want));

  fn.max_concurrency = 8;
  json::object many =
      FunctionConfiguration(fn, "arn:aws:iam::000000000000:role/r", Obj(R"({"A":"1"})"));
  EXPECT_TRUE(ConfigurationDiffers(have, many));
  have["CapacityProviderConfig"] = Obj(
      R"({"LambdaManagedInstancesCapacityProviderConfig": {"PerExecutionEnvironmentMaxConcurrency": 8}})");
  EXPECT_FALSE(ConfigurationDiffers(have, many));
  fn.description = "now described";
  EXPECT_TRUE(ConfigurationDiffers(
      have, FunctionConfiguration(fn, "arn:aws:iam::000000000000:role/r", Obj(R"({"A":"1"})"))));
}

TEST(DeployPlanTest, ReservedConcurrencyOfGetFunction) {
  EXPECT_EQ(ReservedConcurrency(boost::json::parse(R"({"Configuration": {}})")), -1);
  EXPECT_EQ(ReservedConcurrency(
                boost::json::parse(R"({"Concurrency": {"ReservedConcurrentExecutions": 5}})")),
            5);
  EXPECT_EQ(ReservedConcurrency(
                boost::json::parse(R"({"Concurrency": {"ReservedConcurrentExecutions": 0}})")),
            0);
  EXPECT_EQ(ReservedConcurrency(boost::json::parse("null")), -1);
}

TEST(DeployPlanTest, PackagesAreSharedUnlessIndividual) {
  manifest::Manifest m;
  m.package_patterns = {"!tests/**"};
  manifest::FunctionDef a = Function(), b = Function();
  b.key = "worker";
  b.package_patterns = {"worker/**"};
  PackageSpec pa = PackageFor(m, a), pb = PackageFor(m, b);
  EXPECT_EQ(pa.key, pb.key);
  EXPECT_EQ(pa.patterns, (std::vector<std::string>{"!tests/**"}));
  b.package_individually = true;
  pb = PackageFor(m, b);
  EXPECT_NE(pa.key, pb.key);
  EXPECT_EQ(pb.patterns, (std::vector<std::string>{"!tests/**", "worker/**"}));
  EXPECT_EQ(pb.key, "!tests/**\nworker/**\n");
}

TEST(DeployPlanTest, LogRetention) {
  manifest::Manifest m;
  EXPECT_EQ(LogRetentionDays(m), 0);
  m.provider["logRetentionInDays"] = 14;
  EXPECT_EQ(LogRetentionDays(m), 14);
  m.provider["logRetentionInDays"] = "30";
  EXPECT_EQ(LogRetentionDays(m), 30);

  json::value described = boost::json::parse(R"({"logGroups": [
      {"logGroupName": "/aws/lambda/f-2", "retentionInDays": 7},
      {"logGroupName": "/aws/lambda/f", "retentionInDays": 14}]})");
  LogGroupState f = FindLogGroup(described, "/aws/lambda/f");
  EXPECT_TRUE(f.exists);
  EXPECT_EQ(f.retention_days, 14);
  LogGroupState none = FindLogGroup(described, "/aws/lambda/g");
  EXPECT_FALSE(none.exists);
  EXPECT_EQ(none.retention_days, 0);
  EXPECT_FALSE(
      FindLogGroup(boost::json::parse(R"({"logGroups": [{"logGroupName": "/aws/lambda/f"}]})"),
                   "/aws/lambda/f")
          .retention_days);
}

TEST(DeployPlanTest, UnsupportedSettingsLessWhatTheApiTook) {
  std::vector<std::string> reported = {"provider.vpc", "provider.httpApi.throttle",
                                       "functions.a.events[0].http.throttle", "provider.tracing"};
  auto left =
      UnsupportedSettings(reported, {"provider.httpApi.throttle", "functions.a.events[0].http"});
  EXPECT_EQ(left, (std::vector<std::string>{"provider.vpc", "provider.tracing"}));
  EXPECT_EQ(UnsupportedWarning(left),
            "warning: Nimbus does not implement these settings yet; they have no effect:\n"
            "  - provider.vpc\n  - provider.tracing");
  EXPECT_EQ(UnsupportedWarning({}), "");
}

TEST(DeployPlanTest, DeployedRecordAndApiDiff) {
  json::value record = boost::json::parse(R"({"id": "shop-dev", "functions": ["a", 3, "b"],
      "tables": [], "http_api_id": "h1", "rest_api_id": "r1", "routes": []})");
  EXPECT_EQ(DeployedNames(record, "functions"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(DeployedNames(record, "tables").empty());
  EXPECT_TRUE(DeployedNames(boost::json::parse("[]"), "functions").empty());

  json::object wanted =
      Obj(R"({"id": "shop-dev", "functions": ["a", 3, "b"], "tables": [], "routes": []})");
  EXPECT_FALSE(ApiDiffers(record.as_object(), wanted));
  EXPECT_EQ(wanted.at("http_api_id"), "h1");
  wanted["routes"] = boost::json::parse(R"(["GET /"])");
  EXPECT_TRUE(ApiDiffers(record.as_object(), wanted));
  // A record without ids compares equal to a wanted API without them.
  json::object bare = Obj(R"({"id": "x"})");
  json::object want_bare = Obj(R"({"id": "x"})");
  EXPECT_FALSE(ApiDiffers(bare, want_bare));
}

TEST(DeployPlanTest, ApiPaths) {
  EXPECT_EQ(ApiPath("shop-dev"), "/nimbus/apis/shop-dev");
  EXPECT_EQ(ApiPath("shop-dev", true), "/nimbus/apis/shop-dev?root=true");
  EXPECT_EQ(ApiPath("shop-dev", false), "/nimbus/apis/shop-dev?root=false");
}

}  // namespace
}  // namespace nimbus::deploy
