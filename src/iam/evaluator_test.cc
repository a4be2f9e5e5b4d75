#include "iam/evaluator.h"

#include <gtest/gtest.h>

#include <string>

namespace nimbus::iam {
namespace {

std::shared_ptr<const Policy> P(const std::string& text, PolicyKind kind = PolicyKind::kIdentity) {
  auto p = ParsePolicy(text, kind);
  EXPECT_TRUE(p.ok()) << p.status().ToString() << "\n" << text;
  return p.ok() ? *p : nullptr;
}

Decision Eval(const std::vector<std::shared_ptr<const Policy>>& policies, std::string_view action,
              std::string_view resource, const ConditionContext* context = nullptr) {
  return Evaluate(policies, AccessRequest{action, resource, context});
}

constexpr std::string_view kTable = "arn:aws:dynamodb:us-east-1:000000000000:table/Todos";

TEST(EvaluatorTest, NoPoliciesIsAnImplicitDeny) {
  EXPECT_EQ(Eval({}, "dynamodb:GetItem", kTable), Decision::kImplicitDeny);
  EXPECT_EQ(Eval({nullptr}, "dynamodb:GetItem", kTable), Decision::kImplicitDeny);
}

TEST(EvaluatorTest, AllowMatchesActionAndResource) {
  auto p = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "Action":["dynamodb:GetItem","dynamodb:PutItem"],
      "Resource":"arn:aws:dynamodb:us-east-1:000000000000:table/Todos"}})");
  EXPECT_EQ(Eval({p}, "dynamodb:GetItem", kTable), Decision::kAllow);
  EXPECT_EQ(Eval({p}, "dynamodb:DeleteItem", kTable), Decision::kImplicitDeny);
  EXPECT_EQ(Eval({p}, "dynamodb:GetItem", std::string(kTable) + "2"), Decision::kImplicitDeny);
  EXPECT_EQ(Eval({p}, "dynamodb:GetItem", std::string(kTable) + "/index/byDate"),
            Decision::kImplicitDeny);
}

TEST(EvaluatorTest, ActionsAreCaseInsensitiveResourcesCaseSensitive) {
  auto p = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "Action":"SQS:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:Jobs"}})");
  EXPECT_EQ(Eval({p}, "sqs:sendmessage", "arn:aws:sqs:us-east-1:000000000000:Jobs"),
            Decision::kAllow);
  EXPECT_EQ(Eval({p}, "sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:jobs"),
            Decision::kImplicitDeny);
  auto wild = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "Action":"s3:get*","Resource":"arn:aws:s3:::Bucket/*"}})");
  EXPECT_EQ(Eval({wild}, "s3:GetObject", "arn:aws:s3:::Bucket/a/b"), Decision::kAllow);
  EXPECT_EQ(Eval({wild}, "s3:GetObject", "arn:aws:s3:::bucket/a/b"), Decision::kImplicitDeny);
  EXPECT_EQ(Eval({wild}, "s3:PutObject", "arn:aws:s3:::Bucket/a/b"), Decision::kImplicitDeny);
}

TEST(EvaluatorTest, ExplicitDenyWinsOverAllowInAnyPolicy) {
  auto allow = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*",
      "Resource":"*"}})");
  auto deny = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Deny",
      "Action":"dynamodb:DeleteItem","Resource":"*"}})");
  EXPECT_EQ(Eval({allow, deny}, "dynamodb:DeleteItem", kTable), Decision::kExplicitDeny);
  EXPECT_EQ(Eval({deny, allow}, "dynamodb:DeleteItem", kTable), Decision::kExplicitDeny);
  EXPECT_EQ(Eval({allow, deny}, "dynamodb:GetItem", kTable), Decision::kAllow);
  EXPECT_EQ(Eval({deny}, "dynamodb:GetItem", kTable), Decision::kImplicitDeny);
  // Within one policy too, whatever the statement order.
  auto both = P(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"dynamodb:*","Resource":"*"},
      {"Effect":"Deny","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:*:*:table/Todos"}]})");
  EXPECT_EQ(Eval({both}, "dynamodb:GetItem", kTable), Decision::kExplicitDeny);
  EXPECT_EQ(Eval({both}, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:0:table/Other"),
            Decision::kAllow);
}

TEST(EvaluatorTest, NotActionAndNotResource) {
  auto p = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "NotAction":"iam:*","Resource":"*"}})");
  EXPECT_EQ(Eval({p}, "dynamodb:PutItem", kTable), Decision::kAllow);
  EXPECT_EQ(Eval({p}, "IAM:CreateRole", "arn:aws:iam::0:role/x"), Decision::kImplicitDeny);

  auto nr = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "Action":"dynamodb:*","NotResource":"arn:aws:dynamodb:*:*:table/Secret*"}})");
  EXPECT_EQ(Eval({nr}, "dynamodb:GetItem", kTable), Decision::kAllow);
  EXPECT_EQ(Eval({nr}, "dynamodb:GetItem", "arn:aws:dynamodb:r:0:table/Secrets"),
            Decision::kImplicitDeny);

  // Deny with NotResource denies everything outside the list.
  auto fence = P(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"*","Resource":"*"},
      {"Effect":"Deny","Action":"*","NotResource":["arn:aws:s3:::mine","arn:aws:s3:::mine/*"]}]})");
  EXPECT_EQ(Eval({fence}, "s3:GetObject", "arn:aws:s3:::mine/k"), Decision::kAllow);
  EXPECT_EQ(Eval({fence}, "s3:GetObject", "arn:aws:s3:::theirs/k"), Decision::kExplicitDeny);

  // Deny with NotAction denies every other action.
  auto only_reads = P(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"*","Resource":"*"},
      {"Effect":"Deny","NotAction":["dynamodb:Get*","dynamodb:Query"],"Resource":"*"}]})");
  EXPECT_EQ(Eval({only_reads}, "dynamodb:GetItem", kTable), Decision::kAllow);
  EXPECT_EQ(Eval({only_reads}, "dynamodb:PutItem", kTable), Decision::kExplicitDeny);
}

TEST(EvaluatorTest, ConditionsMustAllHold) {
  auto p = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*",
      "Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"},
                                  "ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:topic-*"}}}})");
  ConditionContext both{{"aws:sourceaccount", {"000000000000"}},
                        {"aws:sourcearn", {"arn:aws:sns:us-east-1:000000000000:topic-a"}}};
  ConditionContext one{{"aws:sourceaccount", {"000000000000"}}};
  EXPECT_EQ(Eval({p}, "sqs:SendMessage", "arn:aws:sqs:r:0:q", &both), Decision::kAllow);
  EXPECT_EQ(Eval({p}, "sqs:SendMessage", "arn:aws:sqs:r:0:q", &one), Decision::kImplicitDeny);
  EXPECT_EQ(Eval({p}, "sqs:SendMessage", "arn:aws:sqs:r:0:q", nullptr), Decision::kImplicitDeny);
}

TEST(EvaluatorTest, DenyWithConditionAppliesOnlyWhenItHolds) {
  auto p = P(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"s3:*","Resource":"*"},
      {"Effect":"Deny","Action":"s3:*","Resource":"*",
       "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]})");
  ConditionContext tls{{"aws:securetransport", {"true"}}};
  ConditionContext plain{{"aws:securetransport", {"false"}}};
  EXPECT_EQ(Eval({p}, "s3:GetObject", "arn:aws:s3:::b/k", &tls), Decision::kAllow);
  EXPECT_EQ(Eval({p}, "s3:GetObject", "arn:aws:s3:::b/k", &plain), Decision::kExplicitDeny);
}

TEST(EvaluatorTest, PolicyVariablesInResources) {
  auto p = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",
      "Resource":"arn:aws:s3:::home/${aws:PrincipalTag/team}/*"}})");
  ConditionContext blue{{"aws:principaltag/team", {"blue"}}};
  ConditionContext star{{"aws:principaltag/team", {"*"}}};
  EXPECT_EQ(Eval({p}, "s3:GetObject", "arn:aws:s3:::home/blue/k", &blue), Decision::kAllow);
  EXPECT_EQ(Eval({p}, "s3:GetObject", "arn:aws:s3:::home/red/k", &blue), Decision::kImplicitDeny);
  // A missing key matches nothing; a substituted '*' is a literal, not a wildcard.
  EXPECT_EQ(Eval({p}, "s3:GetObject", "arn:aws:s3:::home/blue/k", nullptr),
            Decision::kImplicitDeny);
  EXPECT_EQ(Eval({p}, "s3:GetObject", "arn:aws:s3:::home/red/k", &star), Decision::kImplicitDeny);
  EXPECT_EQ(Eval({p}, "s3:GetObject", "arn:aws:s3:::home/*/k", &star), Decision::kAllow);

  // 2008-10-17 documents take "${...}" literally.
  auto old = P(R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",
      "Resource":"arn:aws:s3:::home/${aws:PrincipalTag/team}/*"}})");
  EXPECT_EQ(Eval({old}, "s3:GetObject", "arn:aws:s3:::home/blue/k", &blue),
            Decision::kImplicitDeny);
  EXPECT_EQ(Eval({old}, "s3:GetObject", "arn:aws:s3:::home/${aws:PrincipalTag/team}/k", &blue),
            Decision::kAllow);

  // Escapes and defaults.
  auto esc = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",
      "Resource":"arn:aws:s3:::b/${*}${?}${$}/${aws:x, 'none'}"}})");
  EXPECT_EQ(Eval({esc}, "s3:GetObject", "arn:aws:s3:::b/*?$/none", nullptr), Decision::kAllow);
  EXPECT_EQ(Eval({esc}, "s3:GetObject", "arn:aws:s3:::b/ab$/none", nullptr),
            Decision::kImplicitDeny);
}

TEST(EvaluatorTest, ResourcePolicyPrincipals) {
  auto p = P(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage",
       "Resource":"arn:aws:sqs:r:000000000000:q",
       "Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:r:000000000000:t"}}},
      {"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"sqs:ReceiveMessage"},
      {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/reader"},
       "Action":"sqs:ReceiveMessage"},
      {"Effect":"Deny","Principal":"*","Action":"sqs:DeleteQueue"}]})",
             PolicyKind::kResource);
  ConditionContext source{{"aws:sourcearn", {"arn:aws:sns:r:000000000000:t"}}};
  AccessRequest send{"sqs:SendMessage", "arn:aws:sqs:r:000000000000:q", &source};
  EXPECT_EQ(EvaluateResourcePolicy(*p, "Service", "sns.amazonaws.com", send), Decision::kAllow);
  EXPECT_EQ(EvaluateResourcePolicy(*p, "Service", "s3.amazonaws.com", send),
            Decision::kImplicitDeny);
  AccessRequest no_source{"sqs:SendMessage", "arn:aws:sqs:r:000000000000:q", nullptr};
  EXPECT_EQ(EvaluateResourcePolicy(*p, "Service", "sns.amazonaws.com", no_source),
            Decision::kImplicitDeny);

  AccessRequest receive{"sqs:ReceiveMessage", "arn:aws:sqs:r:000000000000:q", nullptr};
  EXPECT_EQ(EvaluateResourcePolicy(*p, "AWS", "arn:aws:iam::000000000000:role/any", receive),
            Decision::kAllow);
  EXPECT_EQ(EvaluateResourcePolicy(*p, "AWS", "000000000000", receive), Decision::kAllow);
  EXPECT_EQ(EvaluateResourcePolicy(*p, "AWS", "arn:aws:iam::111111111111:role/reader", receive),
            Decision::kAllow);
  EXPECT_EQ(EvaluateResourcePolicy(*p, "AWS", "arn:aws:iam::111111111111:role/other", receive),
            Decision::kImplicitDeny);
  EXPECT_EQ(EvaluateResourcePolicy(*p, "Service", "000000000000", receive),
            Decision::kImplicitDeny);

  AccessRequest del{"sqs:DeleteQueue", "arn:aws:sqs:r:000000000000:q", nullptr};
  EXPECT_EQ(EvaluateResourcePolicy(*p, "AWS", "000000000000", del), Decision::kExplicitDeny);
  EXPECT_EQ(EvaluateResourcePolicy(*p, "Service", "sns.amazonaws.com", del),
            Decision::kExplicitDeny);
}

TEST(EvaluatorTest, TrustPolicyAndNotPrincipal) {
  auto trust = P(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})",
                 PolicyKind::kTrust);
  AccessRequest assume{"sts:AssumeRole", "arn:aws:iam::0:role/r", nullptr};
  EXPECT_EQ(EvaluateResourcePolicy(*trust, "Service", "lambda.amazonaws.com", assume),
            Decision::kAllow);
  EXPECT_EQ(EvaluateResourcePolicy(*trust, "Service", "scheduler.amazonaws.com", assume),
            Decision::kImplicitDeny);
  EXPECT_EQ(EvaluateResourcePolicy(*trust, "AWS", "arn:aws:iam::0:role/x", assume),
            Decision::kImplicitDeny);
  AccessRequest tag{"sts:TagSession", "arn:aws:iam::0:role/r", nullptr};
  EXPECT_EQ(EvaluateResourcePolicy(*trust, "Service", "lambda.amazonaws.com", tag),
            Decision::kImplicitDeny);

  auto fence = P(R"({"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"000000000000"},
      "Action":"*","Resource":"*"}]})",
                 PolicyKind::kResource);
  AccessRequest any{"s3:GetObject", "arn:aws:s3:::b/k", nullptr};
  EXPECT_EQ(EvaluateResourcePolicy(*fence, "AWS", "arn:aws:iam::999999999999:role/x", any),
            Decision::kExplicitDeny);
  EXPECT_EQ(EvaluateResourcePolicy(*fence, "AWS", "arn:aws:iam::000000000000:role/x", any),
            Decision::kImplicitDeny);

  // Identity policies name no principal and so never match here.
  auto identity = P(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})");
  EXPECT_EQ(EvaluateResourcePolicy(*identity, "AWS", "000000000000", any), Decision::kImplicitDeny);
}

}  // namespace
}  // namespace nimbus::iam
