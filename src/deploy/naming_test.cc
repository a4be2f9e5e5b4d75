#include "deploy/naming.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace nimbus::deploy {
namespace {

manifest::Manifest Service() {
  manifest::Manifest m;
  m.service = "shop";
  m.stage = "prod";
  m.region = "eu-west-1";
  return m;
}

TEST(DeployNamingTest, ServiceIdsAndTags) {
  manifest::Manifest m = Service();
  EXPECT_EQ(ServiceApiId(m), "shop-prod");
  EXPECT_EQ(RoleStackTag(m), "eu-west-1/shop-prod");
}

TEST(DeployNamingTest, TableNamesAreStableAndCloudFormationShaped) {
  manifest::Manifest m = Service();
  manifest::TableDef t;
  t.logical_id = "Orders";
  auto name = TableName(m, t);
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  ASSERT_EQ(name->size(), std::string("shop-prod-Orders-").size() + 12);
  EXPECT_TRUE(name->starts_with("shop-prod-Orders-"));
  for (char c : name->substr(17)) EXPECT_TRUE(isdigit(c) || (c >= 'A' && c <= 'F')) << *name;
  EXPECT_EQ(*TableName(m, t), *name);
  m.stage = "dev";
  EXPECT_NE(*TableName(m, t), *name);  // one table per stage
}

TEST(DeployNamingTest, TableNameEvaluatesItsIntrinsics) {
  manifest::Manifest m = Service();
  manifest::TableDef t;
  t.logical_id = "Orders";
  t.properties["TableName"] = boost::json::parse(R"({"Fn::Sub": "${AWS::StackName}-orders"})");
  EXPECT_EQ(*TableName(m, t), "shop-prod-orders");
  t.properties["TableName"] = "plain";
  EXPECT_EQ(*TableName(m, t), "plain");
  t.properties["TableName"] = boost::json::parse(R"({"Ref": "Other"})");
  auto refused = TableName(m, t);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("TableName may not refer to Other"), std::string::npos)
      << refused.status().message();
}

TEST(DeployNamingTest, LambdaPathsEncodeTheName) {
  EXPECT_EQ(LambdaFunctionPath("hello"), "/2015-03-31/functions/hello");
  EXPECT_EQ(LambdaFunctionPath("arn:aws:lambda:us-east-1:000000000000:function:a"),
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Aa");
  EXPECT_EQ(LambdaConcurrencyPath("a b"), "/2017-10-31/functions/a%20b/concurrency");
}

}  // namespace
}  // namespace nimbus::deploy
