#include "core/json.h"

#include <gtest/gtest.h>

namespace nimbus {
namespace {

TEST(JsonTest, ParsesOneDocument) {
  auto v = ParseJson(R"({"a": 1, "b": "x"})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->at("a").as_int64(), 1);
  EXPECT_FALSE(ParseJson("{} {}").ok());
  EXPECT_FALSE(ParseJson("{").ok());
  EXPECT_FALSE(ParseJson("").ok());
  std::string deep(200, '[');
  EXPECT_FALSE(ParseJson(deep).ok());
}

TEST(JsonTest, ReaderChecksTypes) {
  auto v = ParseJson(R"({"s": "x", "i": 3, "f": 2.5, "b": true, "n": null, "o": {}})");
  ASSERT_TRUE(v.ok());
  JsonObjectReader r(v->as_object());
  EXPECT_EQ(**r.String("s"), "x");
  EXPECT_EQ(**r.Int("i"), 3);
  EXPECT_FALSE(r.Int("f").ok());
  EXPECT_FALSE(r.String("i").ok());
  EXPECT_TRUE(**r.Bool("b"));
  EXPECT_FALSE(r.String("n")->has_value());
  EXPECT_FALSE(r.String("missing")->has_value());
  EXPECT_NE(*r.Object("o"), nullptr);
  EXPECT_EQ(r.Int("s").status().message(), "member s must be an integer");
}

}  // namespace
}  // namespace nimbus
