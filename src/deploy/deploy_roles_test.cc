#include "deploy/deploy_roles.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "deploy/stack_context.h"

namespace nimbus::deploy {
namespace {

const std::string kKeys =
    "        KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
    "        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n";

const std::string kHead = "service: shop\nprovider:\n  name: aws\n  runtime: nodejs20.x\n";

manifest::Manifest Load(const std::string& yaml) {
  auto m = manifest::LoadManifestFromText(yaml, "/srv/shop", "serverless.yml", {});
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : manifest::Manifest{};
}

std::string Json(const json::value& v) {
  return boost::json::serialize(v);
}

TEST(DeployRolesTest, TheSharedRoleWithItsStatementsEvaluated) {
  manifest::Manifest m =
      Load(kHead +
           "  iam:\n    role:\n      statements:\n"
           "        - Effect: Allow\n          Action: dynamodb:GetItem\n"
           "          Resource: !GetAtt Orders.Arn\n"
           "      managedPolicies:\n"
           "        - arn:aws:iam::aws:policy/ReadOnlyAccess\n"
           "        - !Ref AWS::NoValue\n"
           "functions:\n  api:\n    handler: h.api\n"
           "resources:\n  Resources:\n    Orders:\n      Type: AWS::DynamoDB::Table\n"
           "      Properties:\n        TableName: orders\n" +
           kKeys);
  ASSERT_EQ(m.roles.size(), 1u);
  StackContext stack(m, "123456789012");
  stack.SetTable(
      "Orders", json::object{{"TableArn", "arn:aws:dynamodb:us-east-1:123456789012:table/orders"}});
  manifest::IntrinsicContext ctx = stack.Context();
  auto want = WantRole(m, m.roles[0], ctx);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  EXPECT_EQ(want->name, "shop-dev-us-east-1-lambdaRole");
  EXPECT_EQ(*RoleArn(m.roles[0], ctx),
            "arn:aws:iam::123456789012:role/shop-dev-us-east-1-lambdaRole");
  ASSERT_EQ(want->policies.size(), 1u);
  EXPECT_EQ(want->policies[0].first, "shop-dev-lambda");
  const json::array& statements = want->policies[0].second.at("Statement").as_array();
  ASSERT_EQ(statements.size(), 3u);
  // The log statements name the account and region of the deploy.
  EXPECT_EQ(Json(statements[0].at("Resource")),
            R"(["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/shop-dev*:*"])");
  EXPECT_EQ(Json(statements[2]),
            R"({"Effect":"Allow","Action":"dynamodb:GetItem",)"
            R"("Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/orders"})");
  EXPECT_EQ(want->managed, (std::vector<std::string>{"arn:aws:iam::aws:policy/ReadOnlyAccess"}));
  EXPECT_EQ(want->tags.at("nimbus:stack"), "us-east-1/shop-dev");
  EXPECT_EQ(want->tags.at("nimbus:logical-id"), "IamRoleLambdaExecution");
  EXPECT_EQ(Json(want->trust.at("Statement").at(0).at("Principal")),
            R"({"Service":["lambda.amazonaws.com"]})");
}

TEST(DeployRolesTest, ErrorsNameTheRoleAndThePlace) {
  manifest::Manifest m =
      Load(kHead +
           "  iam:\n    role:\n      statements:\n"
           "        - Effect: Allow\n          Action: sqs:SendMessage\n"
           "          Resource: !GetAtt Orders.Arn\n"
           "functions:\n  api:\n    handler: h.api\n"
           "resources:\n  Resources:\n    Orders:\n      Type: AWS::DynamoDB::Table\n"
           "      Properties:\n        TableName: orders\n" +
           kKeys);
  StackContext stack(m, "000000000000");
  manifest::IntrinsicContext ctx = stack.Context();  // the table is not deployed yet
  auto want = WantRole(m, m.roles.at(0), ctx);
  ASSERT_FALSE(want.ok());
  EXPECT_NE(want.status().message().find("role IamRoleLambdaExecution: policy shop-dev-lambda: "),
            std::string::npos)
      << want.status().message();
}

TEST(DeployRolesTest, TwoRolesMayNotShareANameWhateverTheCase) {
  manifest::Manifest m =
      Load(kHead +
           "functions:\n  api:\n    handler: h.api\n"
           "resources:\n  Resources:\n"
           "    A:\n      Type: AWS::IAM::Role\n      Properties:\n"
           "        RoleName: worker\n"
           "        AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n"
           "    B:\n      Type: AWS::IAM::Role\n      Properties:\n"
           "        RoleName: Worker\n"
           "        AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n");
  StackContext stack(m, "000000000000");
  manifest::IntrinsicContext ctx = stack.Context();
  Status s = CheckRoleNames(m, ctx);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("roles A and B would both be named Worker"), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace nimbus::deploy
