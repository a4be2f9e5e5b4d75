#include "iam/policy.h"

#include <gtest/gtest.h>

#include <string>

namespace nimbus::iam {
namespace {

std::shared_ptr<const Policy> Parse(const std::string& text,
                                    PolicyKind kind = PolicyKind::kIdentity) {
  auto p = ParsePolicy(text, kind);
  EXPECT_TRUE(p.ok()) << p.status().ToString() << "\n" << text;
  return p.ok() ? *p : nullptr;
}

// The error message of a document that must be refused as malformed.
std::string Error(const std::string& text, PolicyKind kind = PolicyKind::kIdentity) {
  auto p = ParsePolicy(text, kind);
  if (p.ok()) {
    ADD_FAILURE() << "parsed: " << text;
    return "";
  }
  EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(p.status().reason(), "MalformedPolicyDocument");
  return p.status().message();
}

TEST(PolicyTest, SingleOrListElementsNormaliseToLists) {
  auto p = Parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->version, "2012-10-17");
  ASSERT_EQ(p->statements.size(), 1u);
  EXPECT_EQ(p->statements[0].actions, std::vector<std::string>{"s3:GetObject"});
  EXPECT_EQ(p->statements[0].resources, std::vector<std::string>{"arn:aws:s3:::b/*"});

  p = Parse(R"({"Version":"2012-10-17","Statement":[
      {"Sid":"A1","Effect":"Deny","NotAction":["s3:Get*","sqs:*"],"NotResource":["*"]},
      {"Effect":"Allow","Action":"*","Resource":"*",
       "Condition":{"StringEquals":{"AWS:SourceAccount":["1","2"]},
                    "NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}]})");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->statements.size(), 2u);
  const Statement& deny = p->statements[0];
  EXPECT_EQ(deny.sid, "A1");
  EXPECT_FALSE(deny.allow);
  EXPECT_TRUE(deny.not_action);
  EXPECT_TRUE(deny.not_resource);
  EXPECT_EQ(deny.actions.size(), 2u);
  const Statement& allow = p->statements[1];
  ASSERT_EQ(allow.conditions.size(), 3u);
  for (const Condition& c : allow.conditions) {
    if (c.op == "StringEquals") {
      EXPECT_EQ(c.key, "aws:sourceaccount");  // keys are lower-cased
      EXPECT_EQ(c.values, (std::vector<std::string>{"1", "2"}));
    } else if (c.op == "NumericLessThan") {
      EXPECT_EQ(c.values, std::vector<std::string>{"10"});
      EXPECT_EQ(c.family, ConditionFamily::kNumeric);
      EXPECT_EQ(c.compare, ConditionCompare::kLessThan);
    } else {
      EXPECT_EQ(c.op, "Bool");
      EXPECT_EQ(c.values, std::vector<std::string>{"true"});
    }
  }
}

TEST(PolicyTest, VersionDefaultsTo2008AndRejectsOthers) {
  auto p = Parse(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->version, "2008-10-17");
  EXPECT_FALSE(p->variables());
  EXPECT_EQ(Error(R"({"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*",
      "Resource":"*"}})"),
            "The policy failed legacy parsing");
  EXPECT_EQ(Error(R"({"Version":20121017,"Statement":{"Effect":"Allow","Action":"*",
      "Resource":"*"}})"),
            "The policy failed legacy parsing");
}

TEST(PolicyTest, RefusesWhatIsNotAPolicy) {
  EXPECT_EQ(Error(""), "Syntax errors in policy.");
  EXPECT_EQ(Error("{"), "Syntax errors in policy.");
  EXPECT_EQ(Error("[]"), "Syntax errors in policy.");
  EXPECT_EQ(Error("\"x\""), "Syntax errors in policy.");
  EXPECT_EQ(Error("{} {}"), "Syntax errors in policy.");
  EXPECT_EQ(Error("{}"), "Missing required field Statement");
  EXPECT_EQ(Error(R"({"Statement":[]})"), "Missing required field Statement");
  EXPECT_EQ(Error(R"({"Statement":"x"})"),
            "Syntax errors in policy: each statement must be an object.");
  EXPECT_EQ(Error(R"({"Statment":[]})"), "Syntax errors in policy: unknown field Statment.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Foo":1}})"),
            "Syntax errors in policy: unknown field Foo.");
  std::string deep(100, '[');
  EXPECT_EQ(Error(R"({"Statement":)" + deep), "Syntax errors in policy.");
  EXPECT_NE(Error(std::string(kMaxPolicyDocumentChars + 1, ' ')), "");
  // The limit counts characters: 100000 two-byte characters are within it.
  std::string wide;
  for (int i = 0; i < 100000; ++i) wide += "\xc3\xa9";
  auto p = ParsePolicy(
      R"({"Statement":{"Sid":")" + wide + R"(","Effect":"Allow","Principal":"*","Action":"*"}})",
      PolicyKind::kResource);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
}

TEST(PolicyTest, StatementRules) {
  EXPECT_EQ(Error(R"({"Statement":{"Action":"*","Resource":"*"}})"),
            "Missing required field Effect");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"allow","Action":"*","Resource":"*"}})"),
            "Invalid effect: allow. Effect must be Allow or Deny.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Resource":"*"}})"),
            "Policy statement must contain actions.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}})"),
            "Policy statement must contain actions.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*",
      "Resource":"*"}})"),
            "Statement cannot contain both Action and NotAction.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"*"}})"),
            "Policy statement must contain resources.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
      "NotResource":"*"}})"),
            "Statement cannot contain both Resource and NotResource.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}})"),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"s*:Get","Resource":"*"}})"),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":[1],"Resource":"*"}})"),
            "Syntax errors in policy: Action must be a string or a list of strings.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"bucket"}})"),
            "Resource bucket must be in ARN format or \"*\".");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:*:::b"}})"),
            "Resource vendor must be fully qualified and cannot contain regexes.");
  EXPECT_EQ(Error(R"({"Statement":[{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"},
      {"Sid":"a","Effect":"Deny","Action":"*","Resource":"*"}]})"),
            "Statement IDs (SID) in a single policy must be unique.");
  EXPECT_NE(Error(R"({"Statement":{"Sid":"a-b","Effect":"Allow","Action":"*","Resource":"*"}})")
                .find("alpha-numeric"),
            std::string::npos);
}

TEST(PolicyTest, IdentityPoliciesRefusePrincipals) {
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"*",
      "Resource":"*"}})"),
            "Policy document should not specify a principal.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"1"},"Action":"*",
      "Resource":"*"}})"),
            "Policy document should not specify a principal.");
}

TEST(PolicyTest, TrustPolicies) {
  auto p = Parse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"Service":["lambda.amazonaws.com"],"AWS":"arn:aws:iam::123456789012:root"},
      "Action":"sts:AssumeRole"}]})",
                 PolicyKind::kTrust);
  ASSERT_TRUE(p);
  const Statement& s = p->statements[0];
  EXPECT_TRUE(s.has_principal);
  EXPECT_EQ(s.principals.at("Service"), std::vector<std::string>{"lambda.amazonaws.com"});
  EXPECT_EQ(s.principals.at("AWS"), std::vector<std::string>{"arn:aws:iam::123456789012:root"});
  EXPECT_TRUE(s.resources.empty());

  p = Parse(R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}})",
            PolicyKind::kTrust);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->statements[0].principals.count("*"), 1u);

  EXPECT_EQ(
      Error(R"({"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}})", PolicyKind::kTrust),
      "Missing required field Principal");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Principal":{"Service":"x"},
      "Action":"sts:AssumeRole","Resource":"*"}})",
                  PolicyKind::kTrust),
            "Has prohibited field Resource");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Principal":{"Robot":"x"},
      "Action":"sts:AssumeRole"}})",
                  PolicyKind::kTrust),
            "Invalid principal in policy: \"Robot\"");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Principal":"someone",
      "Action":"sts:AssumeRole"}})",
                  PolicyKind::kTrust),
            "Invalid principal in policy: \"someone\"");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Principal":{"AWS":[]},
      "Action":"sts:AssumeRole"}})",
                  PolicyKind::kTrust),
            "Invalid principal in policy: \"AWS\"");
}

TEST(PolicyTest, ResourcePoliciesMayOmitResource) {
  auto p = Parse(R"({"Statement":{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},
      "Action":"sqs:SendMessage"}})",
                 PolicyKind::kResource);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->statements[0].resources.empty());
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"sqs:SendMessage",
      "Resource":"*"}})",
                  PolicyKind::kResource),
            "Missing required field Principal");
}

TEST(PolicyTest, ConditionOperatorsDecode) {
  Condition c;
  ASSERT_TRUE(DecodeConditionOperator("ForAnyValue:StringLikeIfExists", &c));
  EXPECT_EQ(c.set, SetQualifier::kForAnyValue);
  EXPECT_TRUE(c.if_exists);
  EXPECT_EQ(c.family, ConditionFamily::kStringLike);
  EXPECT_FALSE(c.negated);
  ASSERT_TRUE(DecodeConditionOperator("ArnNotLike", &c));
  EXPECT_EQ(c.set, SetQualifier::kNone);
  EXPECT_FALSE(c.if_exists);
  EXPECT_TRUE(c.negated);
  ASSERT_TRUE(DecodeConditionOperator("NotIpAddressIfExists", &c));
  EXPECT_EQ(c.family, ConditionFamily::kIpAddress);
  EXPECT_TRUE(c.negated && c.if_exists);
  ASSERT_TRUE(DecodeConditionOperator("DateGreaterThanEquals", &c));
  EXPECT_EQ(c.compare, ConditionCompare::kGreaterThanEquals);
  EXPECT_FALSE(DecodeConditionOperator("NullIfExists", &c));
  EXPECT_FALSE(DecodeConditionOperator("StringEqualz", &c));
  EXPECT_FALSE(DecodeConditionOperator("IfExists", &c));
  EXPECT_FALSE(DecodeConditionOperator("ForAnyValue:", &c));

  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"StringEqualz":{"aws:x":"1"}}}})"),
            "Invalid Condition type : StringEqualz.");
  EXPECT_EQ(Error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"StringEquals":{"nokey":"1"}}}})"),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  EXPECT_NE(Error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"StringEquals":{"aws:x":{"a":1}}}}})"),
            "");
  EXPECT_NE(Error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"StringEquals":{"aws:x":null}}}})"),
            "");
  EXPECT_NE(Error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"StringEquals":{}}}})"),
            "");
}

}  // namespace
}  // namespace nimbus::iam
