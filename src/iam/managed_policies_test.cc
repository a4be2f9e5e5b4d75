#include "iam/managed_policies.h"

#include <gtest/gtest.h>

#include <set>

#include "iam/evaluator.h"

namespace nimbus::iam {
namespace {

TEST(ManagedPoliciesTest, EveryDocumentParsesAsAnIdentityPolicy) {
  const auto& all = ManagedPolicies();
  EXPECT_EQ(all.size(), 8u);
  std::set<std::string> ids;
  for (const ManagedPolicy& p : all) {
    auto parsed = ParsePolicy(p.document, PolicyKind::kIdentity);
    ASSERT_TRUE(parsed.ok()) << p.name << ": " << parsed.status().ToString();
    ASSERT_TRUE(p.parsed) << p.name;
    EXPECT_EQ(p.arn, "arn:aws:iam::aws:policy" + p.path + p.name);
    EXPECT_EQ(p.policy_id.size(), 21u);
    EXPECT_EQ(p.policy_id.substr(0, 4), "ANPA");
    EXPECT_TRUE(ids.insert(p.policy_id).second) << "duplicate id " << p.policy_id;
    EXPECT_EQ(FindManagedPolicy(p.arn), &p);
  }
  EXPECT_EQ(FindManagedPolicy("arn:aws:iam::aws:policy/ReadOnlyAccess"), nullptr);
  EXPECT_EQ(FindManagedPolicy("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"), nullptr);
}

TEST(ManagedPoliciesTest, DocumentsGrantWhatAwsGrants) {
  const ManagedPolicy* basic =
      FindManagedPolicy("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(basic->default_version_id, "v1");
  const auto& st = basic->parsed->statements;
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].actions, (std::vector<std::string>{"logs:CreateLogGroup", "logs:CreateLogStream",
                                                     "logs:PutLogEvents"}));
  AccessRequest put{"logs:PutLogEvents", "arn:aws:logs:r:0:log-group:g:log-stream:s", nullptr};
  EXPECT_EQ(Evaluate({basic->parsed}, put), Decision::kAllow);
  AccessRequest ddb{"dynamodb:GetItem", "arn:aws:dynamodb:r:0:table/t", nullptr};
  EXPECT_EQ(Evaluate({basic->parsed}, ddb), Decision::kImplicitDeny);

  const ManagedPolicy* vpc =
      FindManagedPolicy("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole");
  ASSERT_NE(vpc, nullptr);
  EXPECT_EQ(vpc->default_version_id, "v3");
  EXPECT_EQ(vpc->parsed->statements[0].sid, "AWSLambdaVPCAccessExecutionPermissions");
  EXPECT_EQ(vpc->parsed->statements[0].actions.size(), 9u);

  const ManagedPolicy* kinesis =
      FindManagedPolicy("arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole");
  ASSERT_NE(kinesis, nullptr);
  EXPECT_EQ(kinesis->default_version_id, "v2");
  EXPECT_EQ(kinesis->parsed->statements[0].actions.size(), 10u);

  const ManagedPolicy* admin = FindManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(Evaluate({admin->parsed}, ddb), Decision::kAllow);

  const ManagedPolicy* xray = FindManagedPolicy("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess");
  ASSERT_NE(xray, nullptr);
  EXPECT_EQ(xray->path, "/");
  ASSERT_NE(FindManagedPolicy("arn:aws:iam::aws:policy/service-role/AWSLambdaRole"), nullptr);
  ASSERT_NE(
      FindManagedPolicy("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"),
      nullptr);
  ASSERT_NE(
      FindManagedPolicy("arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"),
      nullptr);
}

}  // namespace
}  // namespace nimbus::iam
