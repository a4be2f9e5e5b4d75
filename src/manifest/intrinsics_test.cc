#include "manifest/intrinsics.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "manifest/yaml_loader.h"

namespace nimbus::manifest {
namespace {

namespace json = boost::json;

IntrinsicContext Context() {
  IntrinsicContext ctx;
  ctx.region = "eu-west-1";
  ctx.account_id = "123456789012";
  ctx.stack_name = "shop-dev";
  ctx.resolve = [](const std::string& id, const std::string& attr) -> Result<std::string> {
    if (id == "UsersTable" && attr.empty()) return std::string("shop-dev-users");
    if (id == "UsersTable" && attr == "Arn") {
      return std::string("arn:aws:dynamodb:eu-west-1:123456789012:table/shop-dev-users");
    }
    if (id == "Bucket" && attr.empty()) return std::string("uploads");
    return NotFound("no resource " + id + (attr.empty() ? "" : "." + attr));
  };
  return ctx;
}

// Evaluates the value of `key` in a YAML snippet, so short forms are exercised too.
Result<std::string> Eval(const std::string& yaml) {
  auto doc = ParseYaml("v: " + yaml + "\n", "t.yml");
  if (!doc.ok()) return doc.status();
  return EvaluateIntrinsic(doc->root.at("v"), Context());
}

TEST(IntrinsicsTest, ScalarsPassThrough) {
  EXPECT_EQ(*Eval("plain"), "plain");
  EXPECT_EQ(*Eval("42"), "42");
  EXPECT_EQ(*Eval("true"), "true");
}

TEST(IntrinsicsTest, RefAndPseudoParameters) {
  EXPECT_EQ(*Eval("!Ref UsersTable"), "shop-dev-users");
  EXPECT_EQ(*Eval("!Ref AWS::Region"), "eu-west-1");
  EXPECT_EQ(*Eval("!Ref AWS::AccountId"), "123456789012");
  EXPECT_EQ(*Eval("!Ref AWS::StackName"), "shop-dev");
  EXPECT_EQ(*Eval("!Ref AWS::Partition"), "aws");
  EXPECT_EQ(*Eval("!Ref AWS::URLSuffix"), "amazonaws.com");
  EXPECT_TRUE(IsNoValue(Eval("!Ref AWS::NoValue").status()));
  EXPECT_EQ(Eval("!Ref Missing").status().code(), Code::kNotFound);
}

TEST(IntrinsicsTest, GetAttJoinSelectSplitBase64) {
  EXPECT_EQ(*Eval("!GetAtt UsersTable.Arn"),
            "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-dev-users");
  EXPECT_EQ(*Eval("{'Fn::GetAtt': [UsersTable, Arn]}"),
            "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-dev-users");
  EXPECT_EQ(*Eval("!Join [':', [a, !Ref Bucket, 3]]"), "a:uploads:3");
  EXPECT_EQ(*Eval("!Join ['', [!Ref AWS::NoValue, x]]"), "x");
  EXPECT_EQ(*Eval("!Select [1, [a, b, c]]"), "b");
  EXPECT_EQ(*Eval("!Select ['2', !Split [',', 'x,y,z']]"), "z");
  EXPECT_EQ(*Eval("!Select [0, !GetAZs '']"), "eu-west-1a");
  EXPECT_FALSE(Eval("!Select [3, [a]]").ok());
  EXPECT_EQ(*Eval("!Base64 hello"), "aGVsbG8=");
  EXPECT_EQ(*Eval("!Join ['-', !Split ['/', !Sub 'a/${AWS::Region}']]"), "a-eu-west-1");
}

TEST(IntrinsicsTest, Sub) {
  EXPECT_EQ(*Eval("!Sub 'arn:aws:s3:::${Bucket}/*'"), "arn:aws:s3:::uploads/*");
  EXPECT_EQ(*Eval("!Sub '${UsersTable.Arn}/index/*'"),
            "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-dev-users/index/*");
  EXPECT_EQ(*Eval("!Sub '${AWS::Region}-${AWS::AccountId}-${!Literal}'"),
            "eu-west-1-123456789012-${Literal}");
  EXPECT_EQ(*Eval("!Sub ['${Name}-${Other}', {Name: !Ref Bucket, Other: fixed}]"), "uploads-fixed");
  EXPECT_FALSE(Eval("!Sub 'broken ${'").ok());
}

TEST(IntrinsicsTest, UnsupportedFunctionsAreErrors) {
  EXPECT_EQ(Eval("!ImportValue Shared").status().message(),
            "Fn::ImportValue is not supported by Nimbus");
  EXPECT_FALSE(Eval("!If [C, a, b]").ok());
  EXPECT_FALSE(Eval("!Split [',', 'a,b']").ok());
  EXPECT_FALSE(Eval("{a: 1, b: 2}").ok());
  EXPECT_FALSE(Eval("[a]").ok());
}

TEST(IntrinsicsTest, DeepEvaluationKeepsTypesAndDropsNoValue) {
  auto doc = ParseYaml(
      "TableName: !Sub '${AWS::StackName}-t'\nBillingMode: PAY_PER_REQUEST\n"
      "ProvisionedThroughput: !Ref AWS::NoValue\n"
      "Tags: [{Key: a, Value: !Ref Bucket}, !Ref AWS::NoValue]\n"
      "Zones: !GetAZs ''\nCount: 5\n",
      "t.yml");
  ASSERT_TRUE(doc.ok());
  auto v = EvaluateIntrinsicsIn(doc->root, Context());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(json::serialize(*v), R"({"TableName":"shop-dev-t","BillingMode":"PAY_PER_REQUEST",)"
                                 R"("Tags":[{"Key":"a","Value":"uploads"}],)"
                                 R"("Zones":["eu-west-1a","eu-west-1b","eu-west-1c"],"Count":5})");
}

TEST(IntrinsicsTest, ReferencedLogicalIds) {
  auto doc = ParseYaml(
      "a: !Ref UsersTable\nb: !GetAtt Queue.Arn\nc: !Sub "
      "'${Bucket}/${Topic.TopicName}/${AWS::Region}/${!X}/${V}'\n"
      "d: !Sub ['${W}', {W: !Ref Other}]\ne: [!Ref AWS::Region, {nested: !GetAtt [Fn, Arn]}]\n"
      "f: !Ref UsersTable\n",
      "t.yml");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(
      ReferencedLogicalIds(doc->root),
      (std::vector<std::string>{"Bucket", "Fn", "Other", "Queue", "Topic", "UsersTable", "V"}));
}

TEST(IntrinsicsTest, WithoutResolverReferencesFail) {
  IntrinsicContext ctx;
  auto r = EvaluateIntrinsic(json::parse(R"({"Ref":"X"})"), ctx);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(*EvaluateIntrinsic(json::parse(R"({"Ref":"AWS::Region"})"), ctx), "us-east-1");
}

}  // namespace
}  // namespace nimbus::manifest
