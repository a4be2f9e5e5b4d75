#include <gtest/gtest.h>

#include "tables/expression.h"

namespace nimbus::tables {
namespace {

Value N(const std::string& text) {
  return Value::N(*Decimal::Parse(text));
}

class KeyConditionTest : public ::testing::Test {
 protected:
  KeyConditionTest() {
    values_ = {{":p", Value::S("user")}, {":p2", Value::S("extra")},
               {":n", N("5")},           {":n1", N("1")},
               {":n2", N("9")},          {":prefix", Value::S("ab")},
               {":tS", Value::S("S")},   {":b", Value::B("x")}};
    names_ = {{"#pk", "pk"}, {"#sk", "sk"}};
  }

  Result<KeyCondition> Parse(const std::string& text, const KeySchema& schema) {
    ExpressionContext context(&names_, &values_);
    return ParseKeyCondition(text, schema, &context);
  }

  std::string Error(const std::string& text, const KeySchema& schema) {
    auto k = Parse(text, schema);
    EXPECT_FALSE(k.ok()) << text;
    return k.ok() ? "" : k.status().message();
  }

  const KeySchema composite_{{"pk", ValueType::kS}, KeyAttribute{"sk", ValueType::kN}};
  const KeySchema string_range_{{"pk", ValueType::kS}, KeyAttribute{"sk", ValueType::kS}};
  const KeySchema hash_only_{{"id", ValueType::kS}, std::nullopt};
  ExpressionNames names_;
  ExpressionValues values_;
};

TEST_F(KeyConditionTest, HashOnly) {
  auto k = Parse("id = :p", hash_only_);
  ASSERT_TRUE(k.ok()) << k.status().message();
  EXPECT_EQ(k->hash_value, Value::S("user"));
  EXPECT_FALSE(k->range.has_value());
  k = Parse(":p = id", hash_only_);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->hash_value, Value::S("user"));
}

TEST_F(KeyConditionTest, RangeConditions) {
  struct Case {
    const char* text;
    RangeOp op;
    Value value;
  } cases[] = {
      {"pk = :p AND sk = :n", RangeOp::kEq, N("5")},
      {"pk = :p AND sk < :n", RangeOp::kLt, N("5")},
      {"pk = :p AND sk <= :n", RangeOp::kLe, N("5")},
      {"pk = :p AND sk > :n", RangeOp::kGt, N("5")},
      {"pk = :p AND sk >= :n", RangeOp::kGe, N("5")},
      {"sk > :n AND pk = :p", RangeOp::kGt, N("5")},
      {"pk = :p AND :n < sk", RangeOp::kGt, N("5")},  // written the other way round
      {"pk = :p AND :n >= sk", RangeOp::kLe, N("5")},
      {"#pk = :p and #sk = :n", RangeOp::kEq, N("5")},
      {"(pk = :p) AND (sk > :n)", RangeOp::kGt, N("5")},
  };
  for (const Case& c : cases) {
    auto k = Parse(c.text, composite_);
    ASSERT_TRUE(k.ok()) << c.text << ": " << k.status().message();
    EXPECT_EQ(k->hash_value, Value::S("user"));
    ASSERT_TRUE(k->range.has_value()) << c.text;
    EXPECT_EQ(k->range->op, c.op) << c.text;
    EXPECT_EQ(k->range->value, c.value) << c.text;
  }
  auto between = Parse("pk = :p AND sk BETWEEN :n1 AND :n2", composite_);
  ASSERT_TRUE(between.ok());
  EXPECT_EQ(between->range->op, RangeOp::kBetween);
  EXPECT_EQ(between->range->value, N("1"));
  EXPECT_EQ(between->range->upper, N("9"));
  auto begins = Parse("begins_with(sk, :prefix) AND pk = :p", string_range_);
  ASSERT_TRUE(begins.ok()) << begins.status().message();
  EXPECT_EQ(begins->range->op, RangeOp::kBeginsWith);
  EXPECT_EQ(begins->range->value, Value::S("ab"));
  auto hash_only = Parse("pk = :p", composite_);
  ASSERT_TRUE(hash_only.ok());
  EXPECT_FALSE(hash_only->range.has_value());
}

TEST_F(KeyConditionTest, InvalidOperators) {
  EXPECT_EQ(Error("pk = :p OR sk = :n", composite_),
            "Invalid operator used in KeyConditionExpression: OR");
  EXPECT_EQ(Error("pk = :p AND NOT sk = :n", composite_),
            "Invalid operator used in KeyConditionExpression: NOT");
  EXPECT_EQ(Error("pk IN (:p, :p2)", composite_),
            "Invalid operator used in KeyConditionExpression: IN");
  EXPECT_EQ(Error("pk <> :p", composite_), "Invalid operator used in KeyConditionExpression: <>");
  EXPECT_EQ(Error("attribute_exists(pk)", composite_),
            "Invalid operator used in KeyConditionExpression: attribute_exists");
  EXPECT_EQ(Error("attribute_not_exists(pk)", composite_),
            "Invalid operator used in KeyConditionExpression: attribute_not_exists");
  EXPECT_EQ(Error("contains(pk, :p)", composite_),
            "Invalid operator used in KeyConditionExpression: contains");
  EXPECT_EQ(Error("attribute_type(pk, :tS)", composite_),
            "Invalid operator used in KeyConditionExpression: attribute_type");
}

TEST_F(KeyConditionTest, StructuralErrors) {
  EXPECT_EQ(Error("size(sk) > :n AND pk = :p", composite_),
            "KeyConditionExpressions cannot contain nested operations");
  EXPECT_EQ(Error("pk = :p AND sk > size(pk)", composite_),
            "KeyConditionExpressions cannot contain nested operations");
  EXPECT_EQ(Error(":n BETWEEN sk AND :n2 AND pk = :p", composite_),
            "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
            "attribute as its first operand");
  EXPECT_EQ(Error("begins_with(:prefix, sk) AND pk = :p", string_range_),
            "Invalid condition in KeyConditionExpression: begins_with operator must have the key "
            "attribute as its first operand");
  EXPECT_EQ(Error("sk > pk", composite_),
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
  EXPECT_EQ(Error("pk = :p AND sk BETWEEN extra AND :n", composite_),
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
  EXPECT_EQ(Error("pk.x = :p", composite_),
            "KeyConditionExpressions cannot have conditions on nested attributes");
  EXPECT_EQ(Error("pk[0] = :p", composite_),
            "KeyConditionExpressions cannot have conditions on nested attributes");
  EXPECT_EQ(Error(":p = :p2 AND pk = :p", composite_),
            "Invalid condition in KeyConditionExpression: No key attribute specified");
  EXPECT_EQ(Error("pk = :p AND pk = :p2", composite_),
            "KeyConditionExpressions must only contain one condition per key");
  EXPECT_EQ(Error("sk > :n1 AND sk < :n2 AND pk = :p", composite_),
            "KeyConditionExpressions must only contain one condition per key");
  EXPECT_EQ(Error("pk = :p AND sk = :n AND extra = :n", composite_),
            "Conditions can be of length 1 or 2 only");
}

TEST_F(KeyConditionTest, SchemaErrors) {
  EXPECT_EQ(Error("id > :p", hash_only_), "Query key condition not supported");
  EXPECT_EQ(Error("begins_with(id, :p)", hash_only_), "Query key condition not supported");
  EXPECT_EQ(Error("id = :p AND x = :p", hash_only_), "Query key condition not supported");
  EXPECT_EQ(Error("x = :p AND y = :p", hash_only_), "Query key condition not supported");
  EXPECT_EQ(Error("x = :p", hash_only_), "Query condition missed key schema element: id");
  EXPECT_EQ(Error("sk = :n", composite_), "Query condition missed key schema element: pk");
  EXPECT_EQ(Error("sk BETWEEN :n1 AND :n2", composite_),
            "Query condition missed key schema element: pk");
  EXPECT_EQ(Error("pk = :p AND extra = :n", composite_),
            "Query condition missed key schema element: sk");
  EXPECT_EQ(Error("pk > :p AND sk = :n", composite_), "Query key condition not supported");
  EXPECT_EQ(Error("pk = :n", composite_),
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
  EXPECT_EQ(Error("pk = :p AND sk > :p2", composite_),
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
  // The type check comes before the operator check.
  EXPECT_EQ(Error(":n > id", hash_only_),
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
}

TEST_F(KeyConditionTest, ExpressionErrorsArePrefixed) {
  const std::string prefix = "Invalid KeyConditionExpression: ";
  EXPECT_EQ(Error("", composite_), prefix + "The expression can not be empty;");
  EXPECT_EQ(Error(":hashId a", composite_),
            prefix + "Syntax error; token: \"a\", near: \":hashId a\"");
  EXPECT_EQ(Error("pk = :p AND sk BETWEEN :n2 AND :n1", composite_),
            prefix +
                "The BETWEEN operator requires upper bound to be greater than or equal to "
                "lower bound; lower bound operand: AttributeValue: {N:9}, upper bound "
                "operand: AttributeValue: {N:1}");
  EXPECT_EQ(Error("pk = :p AND begins_with(sk, :n)", composite_),
            prefix +
                "Incorrect operand type for operator or function; operator or function: "
                "begins_with, operand type: N");
  EXPECT_EQ(Error("pk = :undefined", composite_),
            prefix +
                "An expression attribute value used in expression is not defined; "
                "attribute value: :undefined");
  EXPECT_EQ(Error("pk = :p AND attribute_type(sk, :n)", composite_),
            prefix +
                "Incorrect operand type for operator or function; operator or function: "
                "attribute_type, operand type: N");
}

TEST(RangeConditionTest, Matches) {
  auto range = [](RangeOp op, Value v, Value upper = Value()) {
    RangeCondition r;
    r.op = op;
    r.value = std::move(v);
    r.upper = std::move(upper);
    return r;
  };
  EXPECT_TRUE(range(RangeOp::kEq, N("5")).Matches(N("5.0")));
  EXPECT_FALSE(range(RangeOp::kEq, N("5")).Matches(N("6")));
  EXPECT_TRUE(range(RangeOp::kLt, N("5")).Matches(N("4")));
  EXPECT_FALSE(range(RangeOp::kLt, N("5")).Matches(N("5")));
  EXPECT_TRUE(range(RangeOp::kLe, N("5")).Matches(N("5")));
  EXPECT_TRUE(range(RangeOp::kGt, N("5")).Matches(N("10")));
  EXPECT_TRUE(range(RangeOp::kGe, N("5")).Matches(N("5")));
  EXPECT_TRUE(range(RangeOp::kBetween, N("1"), N("9")).Matches(N("9")));
  EXPECT_FALSE(range(RangeOp::kBetween, N("1"), N("9")).Matches(N("9.5")));
  EXPECT_TRUE(range(RangeOp::kBeginsWith, Value::S("ab")).Matches(Value::S("abc")));
  EXPECT_FALSE(range(RangeOp::kBeginsWith, Value::S("ab")).Matches(Value::S("a")));
  EXPECT_TRUE(range(RangeOp::kBeginsWith, Value::B("\x01")).Matches(Value::B("\x01\x02")));
  EXPECT_TRUE(range(RangeOp::kLt, Value::S("b")).Matches(Value::S("abc")));
  EXPECT_FALSE(range(RangeOp::kLt, Value::S("b")).Matches(N("1")));  // wrong type
}

}  // namespace
}  // namespace nimbus::tables
