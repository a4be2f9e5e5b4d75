#include <gtest/gtest.h>

#include "tables/expression.h"

namespace nimbus::tables {
namespace {

Value N(const std::string& text) {
  return Value::N(*Decimal::Parse(text));
}
Value S(const std::string& text) {
  return Value::S(text);
}

const std::string kPrefix = "Invalid ProjectionExpression: ";

class ProjectionTest : public ::testing::Test {
 protected:
  Result<Projection> Parse(const std::string& text) {
    ExpressionContext context(&names_, nullptr);
    return ParseProjection(text, &context);
  }

  std::string Error(const std::string& text) {
    auto p = Parse(text);
    EXPECT_FALSE(p.ok()) << text;
    return p.ok() ? "" : p.status().message();
  }

  Item ProjectText(const std::string& text) {
    auto p = Parse(text);
    EXPECT_TRUE(p.ok()) << text << ": " << p.status().message();
    return p.ok() ? Project(*p, item_) : Item();
  }

  ExpressionNames names_{{"#b", "b"}, {"#name", "name"}, {"#dot", "a.b"}};
  Item item_{
      {"a", S("x")},
      {"b", N("1")},
      {"name", S("n")},
      {"a.b", S("dotted")},
      {"c", Value::M({{"d", Value::L({S("d0"), S("d1"), S("d2"), S("d3")})}, {"e", S("e")}})},
      {"l", Value::L({Value::L({N("0"), N("1")}), Value::M({{"k", S("v")}, {"j", S("w")}})})}};
};

TEST_F(ProjectionTest, TopLevelAttributes) {
  EXPECT_EQ(ProjectText("a, #b, #name"), (Item{{"a", S("x")}, {"b", N("1")}, {"name", S("n")}}));
  EXPECT_EQ(ProjectText("#dot"), (Item{{"a.b", S("dotted")}}));
  EXPECT_EQ(ProjectText("absent, a"), (Item{{"a", S("x")}}));  // missing paths are skipped
  EXPECT_EQ(ProjectText("absent"), Item{});
}

TEST_F(ProjectionTest, NestedStructureIsPreserved) {
  EXPECT_EQ(ProjectText("c.d[1]"), (Item{{"c", Value::M({{"d", Value::L({S("d1")})}})}}));
  EXPECT_EQ(ProjectText("c.d[3], c.d[1], c.e"),
            (Item{{"c", Value::M({{"d", Value::L({S("d1"), S("d3")})}, {"e", S("e")}})}}));
  EXPECT_EQ(ProjectText("c.d[9]"), Item{});
  EXPECT_EQ(ProjectText("c.d[2], c.d[9]"), (Item{{"c", Value::M({{"d", Value::L({S("d2")})}})}}));
  EXPECT_EQ(ProjectText("l[0][1], l[1].j"),
            (Item{{"l", Value::L({Value::L({N("1")}), Value::M({{"j", S("w")}})})}}));
  EXPECT_EQ(ProjectText("l[1].k"), (Item{{"l", Value::L({Value::M({{"k", S("v")}})})}}));
  EXPECT_EQ(ProjectText("c.nope, a.x, l.x, b[0]"), Item{});  // wrong kinds are simply missing
  EXPECT_EQ(ProjectText(" c . e "), (Item{{"c", Value::M({{"e", S("e")}})}}));
}

TEST_F(ProjectionTest, ParsedPaths) {
  auto p = Parse("a, c.d[1], #b");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->paths().size(), 3u);
  EXPECT_EQ(PathToString(p->paths()[1]), "[c, d, [1]]");
  EXPECT_EQ(p->TopLevelAttributes(), (std::set<std::string>{"a", "b", "c"}));
}

TEST_F(ProjectionTest, Errors) {
  EXPECT_EQ(Error(""), kPrefix + "The expression can not be empty;");
  EXPECT_EQ(Error("a,"), kPrefix + "Syntax error; token: \"<EOF>\", near: \",\"");
  EXPECT_EQ(Error("a b"), kPrefix + "Syntax error; token: \"b\", near: \"a b\"");
  EXPECT_EQ(Error("(a1)"), kPrefix + "Syntax error; token: \"(\", near: \"(a1\"");
  for (const char* text : {"a.", "a[", "a[x]", "a[1", ":v", "a = b", "size(a)", "a,,b", "a-b"}) {
    EXPECT_EQ(Error(text).rfind(kPrefix + "Syntax error; ", 0), 0u) << text;
  }
  EXPECT_EQ(Error("name"),
            kPrefix + "Attribute name is a reserved keyword; reserved keyword: name");
  EXPECT_EQ(Error("#nope"), kPrefix +
                                "An expression attribute name used in the document path is not "
                                "defined; attribute name: #nope");
  EXPECT_EQ(Error("a, c.d, c"), kPrefix +
                                    "Two document paths overlap with each other; must remove or "
                                    "rewrite one of these paths; path one: [c, d], path two: [c]");
  EXPECT_EQ(Error("a, a"), kPrefix +
                               "Two document paths overlap with each other; must remove or rewrite "
                               "one of these paths; path one: [a], path two: [a]");
  EXPECT_EQ(Error("c.d, c[1]"), kPrefix +
                                    "Two document paths conflict with each other; must remove or "
                                    "rewrite one of these paths; path one: [c, d], path two: [c, "
                                    "[1]]");
  // Reserved words are reported before undefined names and overlaps.
  EXPECT_EQ(Error("#nope, a, a, name"),
            kPrefix + "Attribute name is a reserved keyword; reserved keyword: name");
}

TEST(ProjectPathsTest, OverlappingPathsKeepTheWholeValue) {
  Item item{{"m", Value::M({{"x", S("1")}, {"y", S("2")}})}};
  std::vector<Path> paths = {{PathElement::Name("m"), PathElement::Name("x")},
                             {PathElement::Name("m")}};
  EXPECT_EQ(ProjectPaths(paths, item), item);
}

}  // namespace
}  // namespace nimbus::tables
