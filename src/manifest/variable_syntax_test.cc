#include "manifest/variable_syntax.h"

#include <gtest/gtest.h>

namespace nimbus::manifest {
namespace {

TEST(VariableSyntaxTest, PlainTextHasNoVariables) {
  auto t = ParseTemplate("just text");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->HasVariables());
  EXPECT_EQ(t->Text(), "just text");
}

TEST(VariableSyntaxTest, SingleVariableWithFallbacks) {
  auto t = ParseTemplate("${env:A, self:b.c, 'lit'}");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_TRUE(t->IsSingleVariable());
  const Variable& v = *t->pieces[0].variable;
  ASSERT_EQ(v.sources.size(), 3u);
  EXPECT_EQ(v.sources[0].type, "env");
  EXPECT_EQ(v.sources[0].address.Text(), "A");
  EXPECT_EQ(v.sources[1].type, "self");
  EXPECT_EQ(v.sources[1].address.Text(), "b.c");
  EXPECT_EQ(v.sources[2].kind, Source::Kind::kLiteral);
  EXPECT_EQ(v.sources[2].literal, boost::json::value("lit"));
  EXPECT_EQ(v.text, "${env:A, self:b.c, 'lit'}");
}

TEST(VariableSyntaxTest, ParamsAndNestedAddress) {
  auto t = ParseTemplate("pre-${file(./x.yml):${opt:stage}.name}-post");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->pieces.size(), 3u);
  const Source& s = t->pieces[1].variable->sources[0];
  EXPECT_EQ(s.type, "file");
  ASSERT_EQ(s.params.size(), 1u);
  EXPECT_EQ(s.params[0].Text(), "./x.yml");
  ASSERT_EQ(s.address.pieces.size(), 2u);
  EXPECT_TRUE(s.address.pieces[0].variable);
  EXPECT_EQ(s.address.pieces[1].text, ".name");
}

TEST(VariableSyntaxTest, CloudFormationSyntaxIsNotAVariable) {
  for (const char* text : {"${AWS::Region}", "${Bucket}", "${Bucket.Arn}", "${!Literal}", "${}"}) {
    auto t = ParseTemplate(text);
    ASSERT_TRUE(t.ok()) << text;
    EXPECT_FALSE(t->HasVariables()) << text;
    EXPECT_EQ(t->Text(), text);
  }
  auto mixed = ParseTemplate("${AWS::Region}-${sls:stage}");
  ASSERT_TRUE(mixed.ok());
  ASSERT_EQ(mixed->pieces.size(), 2u);
  EXPECT_EQ(mixed->pieces[0].text, "${AWS::Region}-");
}

TEST(VariableSyntaxTest, Errors) {
  EXPECT_FALSE(ParseTemplate("${self:a").ok());
  EXPECT_FALSE(ParseTemplate("${env:A, 'x', env:B}").ok());  // literal must be last
  EXPECT_FALSE(ParseTemplate("${env:A, bare}").ok());
  EXPECT_FALSE(ParseTemplate("${file(./a.yml):x:y}").ok());
  EXPECT_FALSE(ParseTemplate("${env:${Bad}}").ok());  // nested must be a variable
  std::string deep = "x";
  for (int i = 0; i < 20; ++i) deep = "${env:" + deep + "}";
  EXPECT_FALSE(ParseTemplate(deep).ok());
}

}  // namespace
}  // namespace nimbus::manifest
