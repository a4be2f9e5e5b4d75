#include "tables/value.h"

#include <gtest/gtest.h>

#include "tables/path.h"

namespace nimbus::tables {
namespace {

Value N(const char* text) {
  return Value::N(*Decimal::Parse(text));
}
Decimal Dec(const char* text) {
  return *Decimal::Parse(text);
}

TEST(ValueTest, TypeNames) {
  EXPECT_STREQ(Value::S("x").TypeName(), "S");
  EXPECT_STREQ(N("1").TypeName(), "N");
  EXPECT_STREQ(Value::B("x").TypeName(), "B");
  EXPECT_STREQ(Value::Bool(true).TypeName(), "BOOL");
  EXPECT_STREQ(Value::Null().TypeName(), "NULL");
  EXPECT_STREQ(Value::M({}).TypeName(), "M");
  EXPECT_STREQ(Value::L({}).TypeName(), "L");
  EXPECT_STREQ(Value::SS({"a"}).TypeName(), "SS");
  EXPECT_STREQ(Value::NS({Dec("1")}).TypeName(), "NS");
  EXPECT_STREQ(Value::BS({"a"}).TypeName(), "BS");
  for (const char* name : {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}) {
    ASSERT_TRUE(TypeFromName(name).has_value()) << name;
    EXPECT_STREQ(TypeName(*TypeFromName(name)), name);
  }
  EXPECT_FALSE(TypeFromName("s").has_value());
  EXPECT_FALSE(TypeFromName("X").has_value());
}

TEST(ValueTest, SetsAreSortedAndUnique) {
  Value ss = Value::SS({"b", "a", "b", "\xff", "A"});
  EXPECT_EQ(ss.strings(), (std::vector<std::string>{"A", "a", "b", "\xff"}));
  Value ns = Value::NS({Dec("10"), Dec("9"), Dec("1.0"), Dec("1"), Dec("-3")});
  ASSERT_EQ(ns.numbers().size(), 4u);
  EXPECT_EQ(ns.numbers()[0].ToString(), "-3");
  EXPECT_EQ(ns.numbers()[1].ToString(), "1");
  EXPECT_EQ(ns.numbers()[3].ToString(), "10");
  EXPECT_EQ(Value::BS({std::string("\x00", 1), "\x80", "\x01"}).SetSize(), 3u);
}

TEST(ValueTest, Equality) {
  EXPECT_EQ(N("1"), N("1.00"));
  EXPECT_NE(N("1"), Value::S("1"));
  EXPECT_EQ(Value::SS({"a", "b"}), Value::SS({"b", "a"}));
  EXPECT_NE(Value::SS({"a"}), Value::BS({"a"}));
  EXPECT_EQ(Value::NS({Dec("2"), Dec("1")}), Value::NS({Dec("1.0"), Dec("2.00")}));
  EXPECT_EQ(Value::L({N("1"), Value::S("x")}), Value::L({N("1.0"), Value::S("x")}));
  EXPECT_NE(Value::L({N("1"), Value::S("x")}), Value::L({Value::S("x"), N("1")}));
  EXPECT_EQ(Value::M({{"a", N("1")}, {"b", Value::Null()}}),
            Value::M({{"b", Value::Null()}, {"a", N("1")}}));
  EXPECT_NE(Value::M({{"a", N("1")}}), Value::M({{"a", N("2")}}));
  EXPECT_EQ(Value::Bool(true), Value::Bool(true));
  EXPECT_NE(Value::Bool(true), Value::Bool(false));
  EXPECT_EQ(Value::Null(), Value());
}

TEST(ValueTest, DeepCopyIsIndependent) {
  Value original = Value::M({{"list", Value::L({N("1")})}});
  Value copy = original;
  copy.m()["list"].l().push_back(N("2"));
  EXPECT_EQ(original.m().at("list").l().size(), 1u);
  EXPECT_EQ(copy.m().at("list").l().size(), 2u);
}

TEST(ValueTest, SetAlgebra) {
  Value a = Value::SS({"a", "b"}), b = Value::SS({"b", "c"});
  EXPECT_EQ(SetUnion(a, b), Value::SS({"a", "b", "c"}));
  EXPECT_EQ(SetDifference(a, b), Value::SS({"a"}));
  EXPECT_EQ(SetDifference(a, a).SetSize(), 0u);
  EXPECT_TRUE(SetContains(a, Value::S("a")));
  EXPECT_FALSE(SetContains(a, Value::S("c")));
  EXPECT_FALSE(SetContains(a, Value::B("a")));
  Value ns = Value::NS({Dec("1"), Dec("2")});
  EXPECT_TRUE(SetContains(ns, N("2.0")));
  EXPECT_EQ(SetUnion(ns, Value::NS({Dec("2"), Dec("3")})).SetSize(), 3u);
  EXPECT_TRUE(SetContains(Value::BS({"\x01"}), Value::B("\x01")));
}

TEST(ValueTest, Sizes) {
  EXPECT_EQ(ValueSize(Value::S("héllo")), 6u);  // UTF-8 bytes
  EXPECT_EQ(ValueSize(Value::B("abc")), 3u);
  EXPECT_EQ(ValueSize(N("12.3456")), 4u);
  EXPECT_EQ(ValueSize(Value::Bool(false)), 1u);
  EXPECT_EQ(ValueSize(Value::Null()), 1u);
  EXPECT_EQ(ValueSize(Value::SS({"ab", "c"})), 3u);
  EXPECT_EQ(ValueSize(Value::NS({Dec("1"), Dec("12")})), 4u);
  EXPECT_EQ(ValueSize(Value::L({})), 3u);
  EXPECT_EQ(ValueSize(Value::M({})), 3u);
  EXPECT_EQ(ValueSize(Value::L({Value::S("ab"), Value::Null()})), 3u + (1 + 2) + (1 + 1));
  EXPECT_EQ(ValueSize(Value::M({{"key", Value::S("ab")}})), 3u + 1 + 3 + 2);
  Item item{{"pk", Value::S("u#1")}, {"n", N("5")}, {"tags", Value::SS({"x"})}};
  EXPECT_EQ(ItemSize(item), (2u + 3) + (1 + 2) + (4 + 1));
  EXPECT_EQ(ItemSize({}), 0u);
}

TEST(ValueTest, NestingDepth) {
  EXPECT_EQ(NestingDepth(Value::S("x")), 1u);
  EXPECT_EQ(NestingDepth(Value::L({})), 1u);
  Value v = Value::S("x");
  for (int i = 0; i < 5; ++i) v = Value::M({{"a", v}});
  EXPECT_EQ(NestingDepth(v), 6u);
  EXPECT_EQ(NestingDepth(Value::L({Value::S("a"), Value::L({Value::L({})})})), 3u);
}

TEST(PathTest, ToStringAndFind) {
  Path p = {PathElement::Name("a"), PathElement::Name("b"), PathElement::Index(2),
            PathElement::Name("c")};
  EXPECT_EQ(PathToString(p), "[a, b, [2], c]");
  Item item{{"a", Value::M({{"b", Value::L({N("0"), N("1"), Value::M({{"c", N("42")}})})}})}};
  ASSERT_NE(FindPath(item, p), nullptr);
  EXPECT_EQ(*FindPath(item, p), N("42"));
  EXPECT_EQ(FindPath(item, {PathElement::Name("missing")}), nullptr);
  EXPECT_EQ(FindPath(item, {PathElement::Name("a"), PathElement::Index(0)}), nullptr);
  EXPECT_EQ(FindPath(item, {PathElement::Name("a"), PathElement::Name("b"), PathElement::Index(3)}),
            nullptr);
  EXPECT_EQ(
      FindPath(item, {PathElement::Name("a"), PathElement::Name("b"), PathElement::Name("x")}),
      nullptr);
  Value* mutable_value =
      FindPath(&item, {PathElement::Name("a"), PathElement::Name("b"), PathElement::Index(0)});
  ASSERT_NE(mutable_value, nullptr);
  *mutable_value = Value::S("changed");
  EXPECT_EQ(item["a"].m().at("b").l()[0], Value::S("changed"));
}

TEST(PathTest, OrderingPutsIndexesInNumericOrder) {
  EXPECT_LT(PathElement::Index(2), PathElement::Index(10));
  EXPECT_LT(PathElement::Name("a"), PathElement::Name("b"));
  Path a = {PathElement::Name("l"), PathElement::Index(2)};
  Path b = {PathElement::Name("l"), PathElement::Index(10)};
  EXPECT_LT(a, b);
}

}  // namespace
}  // namespace nimbus::tables
