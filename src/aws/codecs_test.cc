#include "aws/codecs.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::aws {
namespace {

net::HttpRequest Request(const std::string& method, const std::string& target) {
  net::HttpRequest r;
  r.method = method;
  r.target = target;
  r.SplitTarget();
  return r;
}

TEST(RestRouteTest, MatchesLiteralsAndDecodesLabels) {
  auto route = RestRoute::Parse("GET /2015-03-31/functions/{FunctionName}/configuration");
  ASSERT_TRUE(route.ok());
  auto m = route->Match(Request("GET", "/2015-03-31/functions/my%3Afn/configuration"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("FunctionName"), "my:fn");
  EXPECT_FALSE(route->Match(Request("PUT", "/2015-03-31/functions/f/configuration")));
  EXPECT_FALSE(route->Match(Request("GET", "/2015-03-31/functions/f")));
  EXPECT_FALSE(route->Match(Request("GET", "/2015-03-31/functions/f/configuration/x")));
  EXPECT_FALSE(route->Match(Request("GET", "/2015-03-31/functions//configuration")));
}

TEST(RestRouteTest, TrailingSlashAndGreedyLabels) {
  auto list = RestRoute::Parse("GET /2015-03-31/functions");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->Match(Request("GET", "/2015-03-31/functions/")));
  EXPECT_TRUE(list->Match(Request("GET", "/2015-03-31/functions?MaxItems=3")));
  auto object = RestRoute::Parse("GET /{Bucket}/{Key+}");
  ASSERT_TRUE(object.ok());
  auto m = object->Match(Request("GET", "/b/a/b%20c/d.txt"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("Bucket"), "b");
  EXPECT_EQ(m->at("Key"), "a/b c/d.txt");
  EXPECT_FALSE(object->Match(Request("GET", "/b")));
}

TEST(RestRouteTest, QueryKeysSelectASubresourceAndMakeARouteMoreSpecific) {
  auto tagging = RestRoute::Parse("GET /{Bucket}/{Key+}?tagging");
  auto object = RestRoute::Parse("GET /{Bucket}/{Key+}");
  ASSERT_TRUE(tagging.ok() && object.ok());
  EXPECT_TRUE(tagging->Match(Request("GET", "/b/k?tagging")));
  EXPECT_FALSE(tagging->Match(Request("GET", "/b/k")));
  EXPECT_GT(tagging->specificity(), object->specificity());
  EXPECT_FALSE(RestRoute::Parse("GET").ok());
  EXPECT_FALSE(RestRoute::Parse("GET relative").ok());
}

TEST(JsonCodecTest, TargetNamesTheOperationForAKnownPrefix) {
  net::HttpRequest r = Request("POST", "/");
  EXPECT_FALSE(JsonTarget(r, {"DynamoDB_20120810"}));
  r.headers.push_back({"X-Amz-Target", "DynamoDB_20120810.PutItem"});
  EXPECT_EQ(JsonTarget(r, {"DynamoDBStreams_20120810", "DynamoDB_20120810"}), "PutItem");
  EXPECT_FALSE(JsonTarget(r, {"DynamoDB"}));
  EXPECT_FALSE(JsonTarget(r, {"Logs_20140328"}));
}

TEST(JsonCodecTest, BodiesThatAreNotObjectsAreSerializationErrors) {
  EXPECT_TRUE(DecodeJsonObject("").ok());
  EXPECT_TRUE(DecodeJsonObject(R"({"a":1})").ok());
  for (const char* bad : {"[1]", "\"s\"", "{", "nul"}) {
    auto r = DecodeJsonObject(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().reason(), kSerializationReason) << bad;
  }
}

TEST(JsonCodecTest, MembersOfTheWrongTypeAreSerializationErrors) {
  auto body = boost::json::parse(R"({"s":"x","n":5,"b":true,"a":["p","q"],"bad":[1]})").as_object();
  JsonMembers m(body);
  EXPECT_EQ(*m.String("s", ""), "x");
  EXPECT_EQ(*m.Int("n", 0), 5);
  EXPECT_EQ(*m.Int("missing", 7), 7);
  EXPECT_TRUE(*m.Bool("b", false));
  EXPECT_EQ(m.Strings("a")->size(), 2u);
  EXPECT_EQ(m.String("n").status().reason(), kSerializationReason);
  EXPECT_EQ(m.Int("s").status().reason(), kSerializationReason);
  EXPECT_EQ(m.Strings("bad").status().reason(), kSerializationReason);
  EXPECT_EQ(m.Object("a").status().reason(), kSerializationReason);
}

TEST(QueryCodecTest, FormFieldsComeFromTheBodyAndTheQueryString) {
  net::HttpRequest r = Request("POST", "/?Version=2010-05-08");
  r.body = "Action=CreateRole&RoleName=a+b&Tags.member.1.Key=k1&Tags.member.1.Value=v%261"
           "&Tags.member.2.Key=k2&Tags.member.2.Value=v2&Tags.member.4.Key=gap";
  FormFields f = DecodeForm(r);
  EXPECT_EQ(f["Action"], "CreateRole");
  EXPECT_EQ(f["Version"], "2010-05-08");
  EXPECT_EQ(f["RoleName"], "a b");
  EXPECT_EQ(FormList(f, "Tags.member", "Key"), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(FormList(f, "Tags.member", "Value"), (std::vector<std::string>{"v&1", "v2"}));
}

}  // namespace
}  // namespace nimbus::aws
