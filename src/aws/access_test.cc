#include "aws/access.h"

#include <gtest/gtest.h>

#include "store/kv_store.h"

namespace nimbus::aws {
namespace {

constexpr const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
    R"("Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kv_ = store::NewMemoryStore();
    iam_ = std::make_unique<iam::IamService>(*kv_, iam::IamOptions{});
    ASSERT_TRUE(iam_->Open().ok());
    access_ = std::make_unique<AccessControl>(*iam_, "000000000000");
  }

  Principal Instance(const std::string& role_name) {
    Principal p;
    p.kind = Principal::Kind::kInstance;
    p.access_key_id = "ASIATEST";
    p.function_name = "fn";
    p.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:fn";
    p.role_arn = "arn:aws:iam::000000000000:role/service-role/" + role_name;
    p.region = "us-east-1";
    return p;
  }

  void MakeRole(const std::string& name, const std::string& policy) {
    iam::CreateRoleInput in;
    in.name = name;
    in.path = "/service-role/";
    in.assume_role_policy = kTrust;
    ASSERT_TRUE(iam_->CreateRole(in).ok());
    if (!policy.empty()) ASSERT_TRUE(iam_->PutRolePolicy(name, "p", policy).ok());
  }

  std::unique_ptr<store::KvStore> kv_;
  std::unique_ptr<iam::IamService> iam_;
  std::unique_ptr<AccessControl> access_;
};

TEST_F(AccessTest, TheAccountMayDoEverything) {
  Principal root;
  EXPECT_FALSE(access_->Check(root, "lambda", "lambda:DeleteFunction", "*").has_value());
  Principal dev;
  dev.kind = Principal::Kind::kDev;
  EXPECT_FALSE(access_->Check(dev, "iam", "iam:PutRolePolicy", "*").has_value());
}

TEST_F(AccessTest, AnInstanceMayDoWhatItsRoleAllows) {
  MakeRole("writer", R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:*:*:table/T"},
      {"Effect":"Deny","Action":"dynamodb:DeleteItem","Resource":"*"}]})");
  Principal p = Instance("writer");
  const std::string table = "arn:aws:dynamodb:us-east-1:000000000000:table/T";
  EXPECT_FALSE(access_->Check(p, "dynamodb", "dynamodb:PutItem", table).has_value());
  auto other = access_->Check(p, "dynamodb", "dynamodb:PutItem", table + "2");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->status, 400);
  EXPECT_EQ(other->type, "com.amazon.coral.service#AccessDeniedException");
  EXPECT_EQ(other->message,
            "User: arn:aws:sts::000000000000:assumed-role/writer/fn is not authorized to "
            "perform: dynamodb:PutItem on resource: " + table + "2 because no identity-based "
            "policy allows the dynamodb:PutItem action");
  auto deny = access_->Check(p, "dynamodb", "dynamodb:DeleteItem", table);
  ASSERT_TRUE(deny.has_value());
  EXPECT_NE(deny->message.find("with an explicit deny in an identity-based policy"),
            std::string::npos);
}

TEST_F(AccessTest, PolicyChangesApplyAtOnce) {
  MakeRole("r", "");
  Principal p = Instance("r");
  EXPECT_TRUE(access_->Check(p, "lambda", "lambda:ListFunctions", "*").has_value());
  ASSERT_TRUE(iam_->PutRolePolicy("r", "p", R"({"Version":"2012-10-17","Statement":
      {"Effect":"Allow","Action":"lambda:List*","Resource":"*"}})").ok());
  EXPECT_FALSE(access_->Check(p, "lambda", "lambda:ListFunctions", "*").has_value());
  ASSERT_TRUE(iam_->DeleteRolePolicy("r", "p").ok());
  EXPECT_TRUE(access_->Check(p, "lambda", "lambda:ListFunctions", "*").has_value());
}

TEST_F(AccessTest, AnUnknownRoleGrantsTheFunctionsOwnLogsOnly) {
  Principal p = Instance("never-created");
  const std::string own = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn";
  EXPECT_FALSE(access_->Check(p, "logs", "logs:CreateLogStream", own + ":log-stream:s"));
  EXPECT_FALSE(access_->Check(p, "logs", "logs:CreateLogGroup", own));
  auto other = access_->Check(p, "logs", "logs:PutLogEvents",
                              "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/x");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->type, "AccessDeniedException");
  EXPECT_EQ(other->status, 400);
  EXPECT_TRUE(access_->Check(p, "lambda", "lambda:ListFunctions", "*").has_value());
}

TEST_F(AccessTest, DenialsHaveEachServicesShape) {
  Principal p = Instance("none");
  auto lambda = access_->Check(p, "lambda", "lambda:ListFunctions", "*");
  EXPECT_EQ(lambda->status, 403);
  EXPECT_EQ(lambda->type, "AccessDeniedException");
  auto iam = access_->Check(p, "iam", "iam:CreateRole", "*");
  EXPECT_EQ(iam->status, 403);
  EXPECT_EQ(iam->type, "AccessDenied");
  EXPECT_EQ(access_->CallerArn(p), "arn:aws:sts::000000000000:assumed-role/none/fn");
}

}  // namespace
}  // namespace nimbus::aws
