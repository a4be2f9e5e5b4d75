#include "manifest/yaml_loader.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace nimbus::manifest {
namespace {

namespace json = boost::json;

json::value Parse(const std::string& text) {
  auto doc = ParseYaml(text, "serverless.yml");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? doc->root : json::value();
}

TEST(YamlLoaderTest, PlainScalarsAreTypedLikeJsYaml) {
  json::value v = Parse(
      "a: 12\nb: -3\nc: 0x1F\nd: 0o17\ne: 1.5\nf: 1e3\ng: true\nh: False\ni: ~\nj: null\n"
      "k: yes\nl: 012\nm: 1_000\nn: hello world\no:\np: '12'\nq: \"true\"\nr: |\n  text\n"
      "s: 2001-12-14\nt: .inf\n");
  EXPECT_EQ(v.at("a"), json::value(12));
  EXPECT_EQ(v.at("b"), json::value(-3));
  EXPECT_EQ(v.at("c"), json::value(31));
  EXPECT_EQ(v.at("d"), json::value(15));
  EXPECT_EQ(v.at("e"), json::value(1.5));
  EXPECT_EQ(v.at("f"), json::value(1000.0));
  EXPECT_EQ(v.at("g"), json::value(true));
  EXPECT_EQ(v.at("h"), json::value(false));
  EXPECT_TRUE(v.at("i").is_null());
  EXPECT_TRUE(v.at("j").is_null());
  EXPECT_EQ(v.at("k"), json::value("yes"));  // YAML 1.2: not a boolean
  EXPECT_EQ(v.at("l"), json::value(12));     // leading zeros are still decimal
  EXPECT_EQ(v.at("m"), json::value(1000));
  EXPECT_EQ(v.at("n"), json::value("hello world"));
  EXPECT_TRUE(v.at("o").is_null());
  EXPECT_EQ(v.at("p"), json::value("12"));
  EXPECT_EQ(v.at("q"), json::value("true"));
  EXPECT_EQ(v.at("r"), json::value("text\n"));
  EXPECT_EQ(v.at("s"), json::value("2001-12-14"));
  EXPECT_TRUE(v.at("t").is_double());
}

TEST(YamlLoaderTest, CoreTagsForceTypes) {
  json::value v = Parse("a: !!str 12\nb: !!int '7'\nc: !!float 2\n");
  EXPECT_EQ(v.at("a"), json::value("12"));
  EXPECT_EQ(v.at("b"), json::value(7));
  EXPECT_EQ(v.at("c"), json::value(2.0));
}

TEST(YamlLoaderTest, CloudFormationShortFormsBecomeLongForm) {
  json::value v = Parse(
      "ref: !Ref UsersTable\n"
      "att: !GetAtt Queue.Arn\n"
      "att2: !GetAtt [Queue, Arn]\n"
      "attdots: !GetAtt Db.Endpoint.Address\n"
      "sub: !Sub 'arn:aws:s3:::${Bucket}/*'\n"
      "sublist: !Sub ['${A}-x', {A: !Ref B}]\n"
      "join: !Join [':', [a, !Ref B]]\n"
      "sel: !Select [0, !GetAZs '']\n"
      "split: !Split [',', 'a,b']\n"
      "b64: !Base64 hello\n"
      "imp: !ImportValue Shared\n"
      "map: !FindInMap [M, K, V]\n"
      "cond: !If [IsProd, a, b]\n"
      "eq: !Equals [a, b]\n"
      "and: !And [!Condition A, !Not [!Condition B]]\n"
      "or: !Or [!Condition A, !Condition B]\n");
  EXPECT_EQ(json::serialize(v.at("ref")), R"({"Ref":"UsersTable"})");
  EXPECT_EQ(json::serialize(v.at("att")), R"({"Fn::GetAtt":["Queue","Arn"]})");
  EXPECT_EQ(json::serialize(v.at("att2")), R"({"Fn::GetAtt":["Queue","Arn"]})");
  EXPECT_EQ(json::serialize(v.at("attdots")), R"({"Fn::GetAtt":["Db","Endpoint.Address"]})");
  EXPECT_EQ(json::serialize(v.at("sub")), R"({"Fn::Sub":"arn:aws:s3:::${Bucket}/*"})");
  EXPECT_EQ(json::serialize(v.at("sublist")), R"({"Fn::Sub":["${A}-x",{"A":{"Ref":"B"}}]})");
  EXPECT_EQ(json::serialize(v.at("join")), R"({"Fn::Join":[":",["a",{"Ref":"B"}]]})");
  EXPECT_EQ(json::serialize(v.at("sel")), R"({"Fn::Select":[0,{"Fn::GetAZs":""}]})");
  EXPECT_EQ(json::serialize(v.at("split")), R"({"Fn::Split":[",","a,b"]})");
  EXPECT_EQ(json::serialize(v.at("b64")), R"({"Fn::Base64":"hello"})");
  EXPECT_EQ(json::serialize(v.at("imp")), R"({"Fn::ImportValue":"Shared"})");
  EXPECT_EQ(json::serialize(v.at("map")), R"({"Fn::FindInMap":["M","K","V"]})");
  EXPECT_EQ(json::serialize(v.at("cond")), R"({"Fn::If":["IsProd","a","b"]})");
  EXPECT_EQ(json::serialize(v.at("eq")), R"({"Fn::Equals":["a","b"]})");
  EXPECT_EQ(json::serialize(v.at("and")),
            R"({"Fn::And":[{"Condition":"A"},{"Fn::Not":[{"Condition":"B"}]}]})");
  EXPECT_EQ(json::serialize(v.at("or")), R"({"Fn::Or":[{"Condition":"A"},{"Condition":"B"}]})");
}

TEST(YamlLoaderTest, UnknownTagIsAPositionedError) {
  auto doc = ParseYaml("a: 1\nb: !Reff X\n", "serverless.yml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message(), "serverless.yml:2:4: unknown tag !Reff");
}

TEST(YamlLoaderTest, SyntaxErrorNamesFileLineAndColumn) {
  auto doc =
      ParseYaml("service: x\nprovider:\n  name: aws\n   runtime: nodejs20.x\n", "serverless.yml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(doc.status().message().rfind("serverless.yml:4:", 0) == 0) << doc.status().message();
  EXPECT_NE(doc.status().message().find("YAML syntax error"), std::string::npos);

  auto flow = ParseYaml("a: [1, 2\nb: c\n", "x.yml");
  ASSERT_FALSE(flow.ok());
  EXPECT_TRUE(flow.status().message().rfind("x.yml:2:", 0) == 0) << flow.status().message();
}

TEST(YamlLoaderTest, DuplicateKeysAreRejected) {
  auto doc = ParseYaml("a: 1\nb: 2\na: 3\n", "serverless.yml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message(), "serverless.yml:3:1: duplicated mapping key \"a\"");
}

TEST(YamlLoaderTest, AnchorsAndMergeKeys) {
  json::value v = Parse(
      "base: &base {memorySize: 256, timeout: 10}\n"
      "fn:\n  <<: *base\n  timeout: 30\n"
      "list: &l [1, 2]\ncopy: *l\n");
  EXPECT_EQ(json::serialize(v.at("fn")), R"({"timeout":30,"memorySize":256})");
  EXPECT_EQ(json::serialize(v.at("copy")), "[1,2]");
}

TEST(YamlLoaderTest, AliasBombIsRefused) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 9; ++k) text += ", " + prev;
    text += "]\n";
  }
  auto doc = ParseYaml(text, "bomb.yml");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.status().message().find("more than 100000 values"), std::string::npos);
}

// Few values, long strings: 1,110 values expand to 64 MB of text.
TEST(YamlLoaderTest, AliasBombOfLongStringsIsRefused) {
  std::string text = "s: &s " + std::string(64 * 1024, 'x') + "\n";
  std::string prev = "*s";
  for (int i = 1; i <= 3; ++i) {
    std::string name = "a" + std::to_string(i);
    text += name + ": &" + name + " [" + prev;
    for (int k = 0; k < 9; ++k) text += ", " + prev;
    text += "]\n";
    prev = "*" + name;
  }
  auto doc = ParseYaml(text, "bomb.yml");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.status().message().find("expands to more than 16 MB"), std::string::npos)
      << doc.status().message();
  // Long keys count too.
  std::string keys = "k: &k " + std::string(64 * 1024, 'k') + "\n";
  keys += "m: &m {*k : 1}\nl: [*m";
  for (int i = 1; i < 300; ++i) keys += ", *m";
  keys += "]\n";
  auto key_doc = ParseYaml(keys, "keys.yml");
  ASSERT_FALSE(key_doc.ok());
  EXPECT_NE(key_doc.status().message().find("expands to more than 16 MB"), std::string::npos)
      << key_doc.status().message();
}

TEST(YamlLoaderTest, LargeDocumentsWithAliasesAreRead) {
  // 2 MB expanded: a 100 KB string used twenty times.
  std::string text = "s: &s " + std::string(100 * 1024, 'x') + "\nlist: [";
  for (int i = 0; i < 20; ++i) text += i == 0 ? "*s" : ", *s";
  text += "]\n";
  auto doc = ParseYaml(text, "serverless.yml");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->root.at("list").as_array().size(), 20u);
}

TEST(YamlLoaderTest, RecordsPositionsOfValues) {
  auto doc = ParseYaml(
      "service: demo\nprovider:\n  name: aws\n  environment:\n    TABLE: users\n"
      "functions:\n  api:\n    events:\n      - httpApi: GET /\n      - http:\n          path: x\n",
      "serverless.yml");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->positions.Find("service").ToString(), "serverless.yml:1:10");
  EXPECT_EQ(doc->positions.Find("provider.environment.TABLE").ToString(), "serverless.yml:5:12");
  EXPECT_EQ(doc->positions.Find("functions.api.events[0].httpApi").ToString(),
            "serverless.yml:9:18");
  EXPECT_EQ(doc->positions.Find("functions.api.events[1].http.path").ToString(),
            "serverless.yml:11:17");
  // Unknown paths fall back to their nearest known ancestor.
  EXPECT_EQ(doc->positions.Find("functions.api.events[1].http.nope").ToString(),
            "serverless.yml:11:11");
}

TEST(YamlLoaderTest, EmptyDocumentIsNull) {
  auto doc = ParseYaml("", "serverless.yml");
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->root.is_null());
  auto comments = ParseYaml("# nothing\n", "serverless.yml");
  ASSERT_TRUE(comments.ok());
  EXPECT_TRUE(comments->root.is_null());
}

TEST(YamlLoaderTest, SeveralDocumentsAreRefused) {
  auto doc = ParseYaml("a: 1\n---\nb: 2\n", "serverless.yml");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.status().message().find("one YAML document"), std::string::npos);
}

}  // namespace
}  // namespace nimbus::manifest
