#include <gtest/gtest.h>

#include <string>

#include "tables/expression.h"

namespace nimbus::tables {
namespace {

Value N(const std::string& text) {
  return Value::N(*Decimal::Parse(text));
}
Value S(const std::string& text) {
  return Value::S(text);
}

const std::string kPrefix = "Invalid UpdateExpression: ";
constexpr char kInvalidPath[] =
    "The document path provided in the update expression is invalid for update";
constexpr char kWrongType[] = "An operand in the update expression has an incorrect data type";
constexpr char kMissing[] =
    "The provided expression refers to an attribute that does not exist in the item";

class UpdateTest : public ::testing::Test {
 protected:
  Result<UpdatePlan> Parse(const std::string& text) {
    ExpressionContext context(&names_, &values_);
    return ParseUpdate(text, &context);
  }

  std::string ParseError(const std::string& text) {
    auto plan = Parse(text);
    EXPECT_FALSE(plan.ok()) << text;
    return plan.ok() ? "" : plan.status().message();
  }

  Result<UpdateResult> Apply(const std::string& text, const Item& item,
                             const std::vector<std::string>& keys = {}) {
    auto plan = Parse(text);
    EXPECT_TRUE(plan.ok()) << text << ": " << plan.status().message();
    if (!plan.ok()) return plan.status();
    return ApplyUpdate(*plan, item, keys);
  }

  Item Applied(const std::string& text, const Item& item) {
    auto r = Apply(text, item);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
    return r.ok() ? r->item : Item();
  }

  std::string ApplyError(const std::string& text, const Item& item,
                         const std::vector<std::string>& keys = {}) {
    auto r = Apply(text, item, keys);
    EXPECT_FALSE(r.ok()) << text;
    return r.ok() ? "" : r.status().message();
  }

  ExpressionNames names_;
  ExpressionValues values_;
};

TEST_F(UpdateTest, SyntaxErrors) {
  EXPECT_EQ(ParseError(""), kPrefix + "The expression can not be empty;");
  EXPECT_EQ(ParseError("SET MyStr = myNum + 1"),
            kPrefix + "Syntax error; token: \"1\", near: \"+ 1\"");
  EXPECT_EQ(ParseError("SET MyStr = myNum Mystr2 myNum2"),
            kPrefix + "Syntax error; token: \"Mystr2\", near: \"myNum Mystr2 myNum2\"");
  EXPECT_EQ(ParseError("SET MyStr = my Num"),
            kPrefix + "Syntax error; token: \"Num\", near: \"my Num\"");
  EXPECT_EQ(ParseError("SET path = VALUE 1"),
            kPrefix + "Syntax error; token: \"1\", near: \"VALUE 1\"");
  for (const char* text : {"whatever",
                           "set a",
                           "add a",
                           "delete a",
                           "set a=set",
                           "remove a = b",
                           "add a = b",
                           "delete a = b",
                           "delete a b",
                           "delete a if_not_exist(b)",
                           "add abort b",
                           "add a if_not_exist(b)",
                           "remove a b",
                           "set a b",
                           "set :a = b",
                           "add :a b",
                           "delete :a b",
                           "remove :a",
                           "set a = b / c",
                           "set a = b * c",
                           "set a[1] = \"eight\"",
                           "set a[1] = 1",
                           "SET a = if_not_exist(a, 100)",
                           "SET if_not_exist(a, b) = a",
                           "set (a = (b + c))",
                           "set a = (b.c).d + e",
                           "set a = (b.c)[0] + e",
                           "set a = b + c + d",
                           "   ",
                           "set a = :b,",
                           "SET a = :b REMOVE",
                           "set a.set = :b",
                           "remove a,, b"}) {
    EXPECT_EQ(ParseError(text).rfind(kPrefix + "Syntax error; ", 0), 0u) << text;
  }
}

TEST_F(UpdateTest, ReservedWordsAndFunctions) {
  values_ = {{":a", S("a")}, {":b", S("a")}};
  names_ = {{"#a", "a"}, {"#b", "b"}};
  EXPECT_EQ(ParseError(" set #c = :c set abOrt = true "),
            kPrefix + "Attribute name is a reserved keyword; reserved keyword: abOrt");
  EXPECT_EQ(ParseError(" remove Absolute "),
            kPrefix + "Attribute name is a reserved keyword; reserved keyword: Absolute");
  EXPECT_EQ(ParseError("set #c = if_not_exist(:c) set c = d"),
            kPrefix + "Invalid function name; function: if_not_exist");
  EXPECT_EQ(ParseError("SET #a = size(#b)"),
            kPrefix + "The function is not allowed in an update expression; function: size");
  EXPECT_EQ(ParseError("SET #a = IF_NOT_EXISTS(#a, :a)"),
            kPrefix + "Invalid function name; function: IF_NOT_EXISTS");
}

TEST_F(UpdateTest, SectionsOnlyOnce) {
  values_ = {{":a", S("a")}, {":b", S("a")}};
  names_ = {{"#a", "a"}, {"#b", "b"}};
  const std::pair<const char*, const char*> cases[] = {
      {"set a = #c set c = :d", "SET"},
      {"remove #d set a = b remove e", "REMOVE"},
      {"add #d :e set a = b add e :f", "ADD"},
      {"delete #d :e set a = b delete #e :f", "DELETE"},
  };
  for (const auto& [text, section] : cases) {
    EXPECT_EQ(ParseError(text), kPrefix + "The \"" + section +
                                    "\" section can only be used once in an update expression;")
        << text;
  }
}

TEST_F(UpdateTest, UndefinedPlaceholders) {
  values_ = {{":a", S("a")}, {":b", S("a")}};
  names_ = {{"#a", "a"}, {"#b", "b"}};
  EXPECT_EQ(ParseError("SET #c = if_not_exists(:c)"),
            kPrefix +
                "An expression attribute name used in the document path is not defined; "
                "attribute name: #c");
  EXPECT_EQ(ParseError("SET #a = if_not_exists(:c)"),
            kPrefix +
                "An expression attribute value used in expression is not defined; "
                "attribute value: :c");
}

TEST_F(UpdateTest, OverlappingAndConflictingPaths) {
  names_ = {{"#c", "c"}, {"#d", "[3]"}};
  const std::tuple<const char*, const char*, const char*> overlaps[] = {
      {"set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", "[c, [1], a]", "[c]"},
      {"set c.b.#c = a, c = a, #d = a", "[c, b, c]", "[c]"},
      {"set a = b remove a, #c, #d", "[a]", "[a]"},
      {"set #c[3].#d = a, #c[3] = a", "[c, [3], [3]]", "[c, [3]]"},
      {"remove c, #c.a, #d", "[c]", "[c, a]"},
      {"remove a, #c, a, #d", "[a]", "[a]"},
  };
  for (const auto& [text, one, two] : overlaps) {
    EXPECT_EQ(ParseError(text), kPrefix +
                                    "Two document paths overlap with each other; must remove or "
                                    "rewrite one of these paths; path one: " +
                                    one + ", path two: " + two)
        << text;
  }
  names_ = {{"#c", "c"}, {"#d", "[3]"}};
  const std::tuple<const char*, const char*, const char*> conflicts[] = {
      {"set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", "[c, [3], [3]]", "[c, [3], [3]]"},
      {"remove a.#c set a[1] = #d", "[a, c]", "[a, [1]]"},
  };
  for (const auto& [text, one, two] : conflicts) {
    EXPECT_EQ(ParseError(text), kPrefix +
                                    "Two document paths conflict with each other; must remove or "
                                    "rewrite one of these paths; path one: " +
                                    one + ", path two: " + two)
        << text;
  }
}

TEST_F(UpdateTest, AddAndDeleteOperandTypes) {
  const std::tuple<const char*, Value, const char*, const char*> cases[] = {
      {"set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", S("a"), "ADD", "STRING"},
      {"delete a.b :a", S("a"), "DELETE", "STRING"},
      {"add a.b :a", Value::Null(), "ADD", "NULL"},
      {"delete a.b :a", Value::Null(), "DELETE", "NULL"},
      {"add a.b :a", Value::Bool(false), "ADD", "BOOLEAN"},
      {"delete a.b :a", Value::Bool(false), "DELETE", "BOOLEAN"},
      {"add a.b :a", Value::B("a"), "ADD", "BINARY"},
      {"delete a.b :a", Value::B("a"), "DELETE", "BINARY"},
      {"add a.b :a", Value::M({}), "ADD", "MAP"},
      {"delete a.b :a", Value::M({}), "DELETE", "MAP"},
      {"add a.b :a", Value::L({}), "ADD", "LIST"},
      {"delete a.b :a", Value::L({}), "DELETE", "LIST"},
      {"delete a.b :a", N("1"), "DELETE", "NUMBER"},
  };
  for (const auto& [text, value, op, type] : cases) {
    values_ = {{":a", value}, {":b", S("a")}};
    EXPECT_EQ(ParseError(text),
              kPrefix + "Incorrect operand type for operator or function; operator: " + op +
                  ", operand type: " + type + ", typeSet: ALLOWED_FOR_" + op + "_OPERAND")
        << text;
  }
  values_ = {{":n", N("1")}, {":ss", Value::SS({"a"})}};
  EXPECT_TRUE(Parse("ADD a :n, b :ss DELETE c :ss").ok());
}

TEST_F(UpdateTest, FunctionChecks) {
  values_ = {{":a", S("a")},
             {":b", N("1")},
             {":c", Value::B("a")},
             {":d", Value::Bool(true)},
             {":e", Value::Null()},
             {":f", Value::SS({"a"})},
             {":g", Value::NS({*Decimal::Parse("1")})},
             {":h", Value::BS({"a"})},
             {":i", Value::M({})},
             {":j", Value::L({})}};
  EXPECT_EQ(ParseError("set a = if_not_exists(c)"),
            kPrefix +
                "Incorrect number of operands for operator or function; operator or "
                "function: if_not_exists, number of operands: 1");
  EXPECT_EQ(ParseError("set a = list_append(c)"),
            kPrefix +
                "Incorrect number of operands for operator or function; operator or "
                "function: list_append, number of operands: 1");
  EXPECT_EQ(ParseError("set a = if_not_exists(:a, c)"),
            kPrefix +
                "Operator or function requires a document path; operator or function: "
                "if_not_exists");
  EXPECT_EQ(ParseError("set a = if_not_exists(if_not_exists(a, b), c)"),
            kPrefix +
                "Operator or function requires a document path; operator or function: "
                "if_not_exists");
  const std::tuple<const char*, const char*, const char*> cases[] = {
      {"set a = list_append(:a, a)", "list_append", "S"},
      {"set a = list_append(a, :b)", "list_append", "N"},
      {"set a = list_append(:c, a)", "list_append", "B"},
      {"set a = list_append(:d, a)", "list_append", "BOOL"},
      {"set a = list_append(:e, a)", "list_append", "NULL"},
      {"set a = list_append(:f, a)", "list_append", "SS"},
      {"set a = list_append(:g, a)", "list_append", "NS"},
      {"set a = list_append(:h, a)", "list_append", "BS"},
      {"set a = list_append(:i, a)", "list_append", "M"},
      {"set a = a + :a", "+", "S"},
      {"set a = :a + :c", "+", "S"},
      {"set a = :c + a", "+", "B"},
      {"set a = a + :d", "+", "BOOL"},
      {"set a = a + :j", "+", "L"},
      {"set a = a - :a", "-", "S"},
      {"set a = a - :i", "-", "M"},
      {"set a = :f - a", "-", "SS"},
  };
  for (const auto& [text, op, type] : cases) {
    EXPECT_EQ(ParseError(text), kPrefix +
                                    "Incorrect operand type for operator or function; operator or "
                                    "function: " +
                                    op + ", operand type: " + type)
        << text;
  }
}

TEST_F(UpdateTest, Limits) {
  values_ = {{":o", N("1")}};
  std::string text = "SET x0=:o+:o";
  for (int i = 1; i < 301; ++i) text += ",x" + std::to_string(i) + "=:o+:o";
  ASSERT_LE(text.size(), 4096u);
  EXPECT_EQ(ParseError(text),
            kPrefix + "The expression contains too many operators; operator count: 301");
  std::string big = "SET a = :o";
  big += std::string(4096 - big.size() + 1, ' ');
  EXPECT_EQ(
      ParseError(big),
      kPrefix + "Expression size has exceeded the maximum allowed size; expression size: 4097");
  // Nesting as deep as 4 KB allows parses (and applies) without trouble...
  std::string deep = "SET a = ";
  for (int i = 0; i < 230; ++i) deep += "if_not_exists(a,";
  deep += ":o" + std::string(230, ')');
  ASSERT_LE(deep.size(), 4096u);
  auto applied = Apply(deep, {});
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  EXPECT_EQ(applied->item["a"], N("1"));
  // ...but nesting without operators is refused beyond a few hundred levels.
  EXPECT_EQ(ParseError("SET a = " + std::string(1000, '(') + ":o" + std::string(1000, ')'))
                .rfind(kPrefix + "Syntax error", 0),
            0u);
}

TEST_F(UpdateTest, SetValues) {
  values_ = {{":v", S("new")}, {":one", N("1")}, {":two", N("2")}, {":zero", N("0")}};
  Item item{{"pk", S("k")}, {"a", S("old")}, {"n", N("5")}, {"src", S("copied")}};
  Item out = Applied("SET a = :v, b = src, n = n + :one, m = :two - n", item);
  EXPECT_EQ(out["a"], S("new"));
  EXPECT_EQ(out["b"], S("copied"));
  EXPECT_EQ(out["n"], N("6"));
  EXPECT_EQ(out["m"], N("-3"));  // read from the old item: 2 - 5
  EXPECT_EQ(out["pk"], S("k"));
  EXPECT_EQ(Applied("SET c = if_not_exists(c, :zero) + :one", item)["c"], N("1"));
  EXPECT_EQ(Applied("SET n = if_not_exists(n, :zero) + :one", item)["n"], N("6"));
  EXPECT_EQ(Applied("set b = if_not_exists(b, pk)", item)["b"], S("k"));
  EXPECT_EQ(Applied("SET a = (:v)", item)["a"], S("new"));
  EXPECT_EQ(Applied("SET a = (n + :one)", item)["a"], N("6"));
  EXPECT_EQ(ApplyError("set c = nothere", item), kMissing);
  EXPECT_EQ(ApplyError("set c = nothere + :one", item), kMissing);
  EXPECT_EQ(ApplyError("set c = a + :one", item), kWrongType);
  EXPECT_EQ(ApplyError("set c = :one - a", item), kWrongType);
  values_[":huge"] = N("9e125");
  EXPECT_EQ(ApplyError("set c = :huge + :huge", item),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
}

TEST_F(UpdateTest, ListAppend) {
  values_ = {{":more", Value::L({N("3")})}, {":empty", Value::L({})}, {":s", S("x")}};
  Item item{{"l", Value::L({N("1"), N("2")})}, {"s", S("str")}};
  EXPECT_EQ(Applied("SET l = list_append(l, :more)", item)["l"],
            Value::L({N("1"), N("2"), N("3")}));
  EXPECT_EQ(Applied("SET l = list_append(:more, l)", item)["l"],
            Value::L({N("3"), N("1"), N("2")}));
  EXPECT_EQ(Applied("SET x = list_append(if_not_exists(x, :empty), :more)", item)["x"],
            Value::L({N("3")}));
  EXPECT_EQ(ApplyError("SET x = list_append(x, :more)", item), kMissing);
  EXPECT_EQ(ApplyError("SET l = list_append(l, s)", item), kWrongType);
}

TEST_F(UpdateTest, NestedSetAndInvalidPaths) {
  values_ = {{":a", Value::SS({"a"})}, {":v", N("7")}};
  names_ = {{"#1", "1"}};
  Item item{{"b", S("str")},
            {"c", Value::M({{"1", S("a")}})},
            {"d", Value::L({S("a"), S("b")})},
            {"m", Value::M({{"x", Value::M({})}})}};
  Item out = Applied("SET m.x.y = :v, m.z = :v, d[0] = :v", item);
  EXPECT_EQ(out["m"], Value::M({{"x", Value::M({{"y", N("7")}})}, {"z", N("7")}}));
  EXPECT_EQ(out["d"], Value::L({N("7"), S("b")}));
  for (const char* text : {"set b.a = :a, #1 = :a",
                           "set b[1] = :a, #1 = :a",
                           "set y.a = :a, #1 = :a",
                           "set y[1] = :a, #1 = :a",
                           "set c[1] = :a, #1 = :a",
                           "set d.#1 = :a",
                           "remove b.a set #1 = :a",
                           "remove b[1] set #1 = :a",
                           "remove y.a set #1 = :a",
                           "remove y[1] set #1 = :a",
                           "remove c[1] set #1 = :a",
                           "remove d.#1 set #1 = :a",
                           "delete b.a :a set #1 = :a",
                           "delete b[1] :a set #1 = :a",
                           "delete y.a :a set #1 = :a",
                           "delete y[1] :a set #1 = :a",
                           "delete c[1] :a set #1 = :a",
                           "delete d.#1 :a",
                           "add b.a :a set #1 = :a",
                           "add b[1] :a set #1 = :a",
                           "add y.a :a set #1 = :a",
                           "add y[1] :a set #1 = :a",
                           "add c[1] :a set #1 = :a",
                           "add d.#1 :a",
                           "set m.q.r = :v"}) {
    EXPECT_EQ(ApplyError(text, item), kInvalidPath) << text;
  }
  EXPECT_EQ(ApplyError("set b.a = :v", {}), kInvalidPath);
  EXPECT_EQ(ApplyError("set b[1] = :v", {}), kInvalidPath);
}

TEST_F(UpdateTest, ListIndexesPastTheEndAppendInOrder) {
  values_ = {{":a", N("2")}, {":b", Value::SS({"a"})}};
  // Every right-hand side reads the old item; appends land in index order.
  Item item{{"a", S("k")},
            {"b", Value::M({{"a", N("1")}, {"b", N("2")}, {"c", N("3")}})},
            {"c", Value::L({N("1"), N("3")})}};
  auto r = Apply(
      "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, "
      "c[6] :a",
      item);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->item["b"], Value::M({{"a", S("k")}, {"b", N("2")}, {"c", N("4")}}));
  EXPECT_EQ(r->item["c"], Value::L({N("1"), S("k"), N("3"), N("-1"), N("2"), Value::SS({"a"})}));
  // UPDATED_NEW: the updated paths of the new item.
  EXPECT_EQ(ProjectPaths(r->updated_paths, r->item),
            (Item{{"b", Value::M({{"a", S("k")}, {"c", N("4")}})},
                  {"c", Value::L({S("k"), N("3"), N("2")})}}));
  EXPECT_EQ(r->updated_attributes, (std::set<std::string>{"b", "c"}));
}

TEST_F(UpdateTest, Remove) {
  Item item{{"a", S("x")},
            {"l", Value::L({S("a"), S("b"), S("c"), S("d")})},
            {"m", Value::M({{"k", S("v")}, {"j", S("w")}})}};
  Item out = Applied("REMOVE a, l[0], l[2], m.k, absent, m.absent, l[10]", item);
  EXPECT_EQ(out.count("a"), 0u);
  EXPECT_EQ(out["l"], Value::L({S("b"), S("d")}));  // indexes refer to the original list
  EXPECT_EQ(out["m"], Value::M({{"j", S("w")}}));
  values_ = {{":v", S("new")}};
  out = Applied("REMOVE l[0] SET l[1] = :v", item);
  EXPECT_EQ(out["l"], Value::L({S("new"), S("c"), S("d")}));
}

TEST_F(UpdateTest, Add) {
  values_ = {{":n", N("1.5")},
             {":ss", Value::SS({"b", "c"})},
             {":ns", Value::NS({*Decimal::Parse("3")})},
             {":bs", Value::BS({"z"})}};
  Item item{{"n", N("2")},
            {"ss", Value::SS({"a", "b"})},
            {"ns", Value::NS({*Decimal::Parse("1")})},
            {"s", S("str")},
            {"m", Value::M({})}};
  Item out = Applied("ADD n :n, ss :ss, newn :n, newss :ss, m.x :n, ns :ns", item);
  EXPECT_EQ(out["n"], N("3.5"));
  EXPECT_EQ(out["ss"], Value::SS({"a", "b", "c"}));
  EXPECT_EQ(out["newn"], N("1.5"));
  EXPECT_EQ(out["newss"], Value::SS({"b", "c"}));
  EXPECT_EQ(out["m"], Value::M({{"x", N("1.5")}}));
  EXPECT_EQ(out["ns"], Value::NS({*Decimal::Parse("1"), *Decimal::Parse("3")}));
  EXPECT_EQ(ApplyError("ADD ss :ns", item), kWrongType);
  EXPECT_EQ(ApplyError("ADD ns :n", item), kWrongType);
  EXPECT_EQ(ApplyError("ADD s :n", item), kWrongType);
  EXPECT_EQ(ApplyError("ADD n :ss", item), kWrongType);
  EXPECT_EQ(ApplyError("ADD ss :bs", item), kWrongType);
}

TEST_F(UpdateTest, Delete) {
  values_ = {{":ab", Value::SS({"a", "b"})},
             {":x", Value::SS({"x"})},
             {":ns", Value::NS({*Decimal::Parse("1.0"), *Decimal::Parse("4")})}};
  Item item{{"ss", Value::SS({"a", "b", "c"})},
            {"two", Value::SS({"a", "b"})},
            {"ns", Value::NS({*Decimal::Parse("1"), *Decimal::Parse("2")})},
            {"n", N("1")}};
  Item out = Applied("DELETE ss :ab, two :ab, absent :x, ns :ns", item);
  EXPECT_EQ(out["ss"], Value::SS({"c"}));
  EXPECT_EQ(out.count("two"), 0u);  // emptied sets disappear
  EXPECT_EQ(out.count("absent"), 0u);
  EXPECT_EQ(out["ns"], Value::NS({*Decimal::Parse("2")}));
  EXPECT_EQ(ApplyError("DELETE ns :ab", item), kWrongType);
  EXPECT_EQ(ApplyError("DELETE n :ab", item), kWrongType);
}

TEST_F(UpdateTest, KeyAttributesCannotBeUpdated) {
  values_ = {{":a", N("1")}, {":ns", Value::NS({*Decimal::Parse("1")})}};
  Item item{{"a", S("key")}};
  for (const char* text : {"add a.b :a", "delete a :ns", "remove d set b = :a, a = :a",
                           "delete b :ns remove a", "set a = a.b + a[1]"}) {
    EXPECT_EQ(ApplyError(text, item, {"a"}),
              "One or more parameter values were invalid: Cannot update attribute a. This "
              "attribute is part of the key")
        << text;
  }
  EXPECT_EQ(ApplyError("set d[1] = :a add b.b :a", item, {"a", "b"}),
            "One or more parameter values were invalid: Cannot update attribute b. This attribute "
            "is part of the key");
  auto plan = Parse("SET x = a");
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(CheckKeyAttributesNotUpdated(*plan, {"a"}).ok());
}

TEST_F(UpdateTest, UpdatedPathsAndOldValues) {
  values_ = {{":v", S("new")}};
  Item item{{"a", S("old")}, {"m", Value::M({{"x", S("1")}, {"y", S("2")}})}, {"z", S("gone")}};
  auto r = Apply("SET a = :v, m.x = :v REMOVE z", item);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->updated_attributes, (std::set<std::string>{"a", "m", "z"}));
  ASSERT_EQ(r->updated_paths.size(), 3u);
  EXPECT_EQ(PathToString(r->updated_paths[1]), "[m, x]");
  // UPDATED_OLD and UPDATED_NEW.
  EXPECT_EQ(ProjectPaths(r->updated_paths, item),
            (Item{{"a", S("old")}, {"m", Value::M({{"x", S("1")}})}, {"z", S("gone")}}));
  EXPECT_EQ(ProjectPaths(r->updated_paths, r->item),
            (Item{{"a", S("new")}, {"m", Value::M({{"x", S("new")}})}}));
  auto targets = Parse("SET a = :v, m.x = :v REMOVE z")->TargetPaths();
  EXPECT_EQ(targets.size(), 3u);
}

TEST_F(UpdateTest, NestingLimit) {
  Value deep = S("x");
  for (int i = 0; i < 31; ++i) deep = Value::M({{"k", deep}});
  values_ = {{":deep", deep}};
  EXPECT_TRUE(Apply("SET a = :deep", {}).ok());
  Item holder{{"a", Value::M({})}};
  EXPECT_EQ(ApplyError("SET a.b = :deep", holder),
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
            "levels beyond supported limit");
}

}  // namespace
}  // namespace nimbus::tables
