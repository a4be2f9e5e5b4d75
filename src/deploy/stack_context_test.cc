#include "deploy/stack_context.h"

#include <gtest/gtest.h>

namespace nimbus::deploy {
namespace {

const std::string kService =
    "service: shop\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  region: eu-west-1\n"
    "functions:\n  api:\n    handler: h.api\n"
    "  old:\n    handler: h.old\n    role: arn:aws:iam::000000000000:role/existing\n"
    "resources:\n  Resources:\n"
    "    Orders:\n      Type: AWS::DynamoDB::Table\n      Properties:\n        TableName: orders\n"
    "        KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
    "        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
    "    Worker:\n      Type: AWS::IAM::Role\n      Properties:\n"
    "        RoleName: shop-worker\n        Path: /app/\n"
    "        AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n";

manifest::Manifest Load() {
  auto m = manifest::LoadManifestFromText(kService, "/srv/shop", "serverless.yml", {});
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : manifest::Manifest{};
}

TEST(StackContextTest, TablesByNameAlwaysByArnOnceDescribed) {
  manifest::Manifest m = Load();
  StackContext stack(m, "111122223333");
  EXPECT_EQ(*stack.Resolve("Orders", ""), "orders");
  EXPECT_EQ(stack.Resolve("Orders", "Arn").status().code(), Code::kNotFound);
  stack.SetTable("Orders", json::object{{"TableArn", "arn:t"}, {"LatestStreamArn", "arn:s"}});
  EXPECT_EQ(*stack.Resolve("Orders", "Arn"), "arn:t");
  EXPECT_EQ(*stack.Resolve("Orders", "StreamArn"), "arn:s");
  EXPECT_EQ(stack.Resolve("Orders", "Size").status().code(), Code::kInvalidArgument);
}

TEST(StackContextTest, FunctionsAndTheDeploysAccountAndRegion) {
  manifest::Manifest m = Load();
  StackContext stack(m, "111122223333");
  EXPECT_EQ(*stack.Resolve("ApiLambdaFunction", ""), "shop-dev-api");
  EXPECT_EQ(*stack.Resolve("ApiLambdaFunction", "Arn"),
            "arn:aws:lambda:eu-west-1:111122223333:function:shop-dev-api");
  manifest::IntrinsicContext ctx = stack.Context();
  EXPECT_EQ(ctx.region, "eu-west-1");
  EXPECT_EQ(ctx.account_id, "111122223333");
  EXPECT_EQ(ctx.stack_name, "shop-dev");
  EXPECT_EQ(*ctx.resolve("ApiLambdaFunction", ""), "shop-dev-api");
  EXPECT_EQ(stack.Resolve("Nothing", "").status().code(), Code::kNotFound);
}

TEST(StackContextTest, RolesBeforeAndAfterTheirDeploy) {
  manifest::Manifest m = Load();
  StackContext stack(m, "111122223333");
  EXPECT_EQ(*stack.Resolve("Worker", ""), "shop-worker");
  EXPECT_EQ(*stack.Resolve("Worker", "Arn"), "arn:aws:iam::111122223333:role/app/shop-worker");
  EXPECT_EQ(stack.Resolve("Worker", "RoleId").status().code(), Code::kNotFound);
  stack.SetRoles({{"Worker", DeployedRole{"shop-worker", "arn:deployed", "AROA9"}}});
  EXPECT_EQ(*stack.Resolve("Worker", "Arn"), "arn:deployed");
  EXPECT_EQ(*stack.Resolve("Worker", "RoleId"), "AROA9");
}

TEST(StackContextTest, FunctionRoles) {
  manifest::Manifest m = Load();
  StackContext stack(m, "000000000000");
  const manifest::FunctionDef* old = m.FindFunction("old");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(*stack.FunctionRoleArn(*old), "arn:aws:iam::000000000000:role/existing");
  const manifest::FunctionDef* api = m.FindFunction("api");
  ASSERT_NE(api, nullptr);
  ASSERT_FALSE(api->role.empty());                                          // the role v3 generates
  EXPECT_EQ(stack.FunctionRoleArn(*api).status().code(), Code::kInternal);  // not deployed yet
  stack.SetRoles({{api->role, DeployedRole{"r", "arn:aws:iam::000000000000:role/r", "AROA1"}}});
  EXPECT_EQ(*stack.FunctionRoleArn(*api), "arn:aws:iam::000000000000:role/r");
}

}  // namespace
}  // namespace nimbus::deploy
