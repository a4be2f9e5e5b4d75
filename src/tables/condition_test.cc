#include <gtest/gtest.h>

#include <string>

#include "tables/expression.h"

namespace nimbus::tables {
namespace {

Value N(const std::string& text) {
  return Value::N(*Decimal::Parse(text));
}
Decimal Dec(const std::string& text) {
  return *Decimal::Parse(text);
}

class ConditionTest : public ::testing::Test {
 protected:
  ConditionTest() {
    names_ = {{"#m", "m"}, {"#a", "a"}, {"#dotted", "dotted.name"}, {"#n", "n"}, {"#s", "s"}};
    values_ = {{":zero", N("0")},
               {":one", N("1")},
               {":two", N("2")},
               {":three", N("3")},
               {":four", N("4")},
               {":five", N("5")},
               {":six", N("6")},
               {":ten", N("10")},
               {":five_str", Value::S("5")},
               {":a", Value::S("a")},
               {":z", Value::S("z")},
               {":x", Value::S("x")},
               {":he", Value::S("he")},
               {":ell", Value::S("ell")},
               {":hello", Value::S("hello")},
               {":b01", Value::B("\x01")},
               {":b02", Value::B("\x02")},
               {":b03", Value::B("\x03")},
               {":t", Value::Bool(true)},
               {":null", Value::Null()},
               {":tN", Value::S("N")},
               {":tSS", Value::S("SS")},
               {":tNULL", Value::S("NULL")},
               {":tBad", Value::S("X")},
               {":ss", Value::SS({"b", "a"})},
               {":ns", Value::NS({Dec("1")})},
               {":list", Value::L({N("1"), Value::S("x"), Value::M({{"m", N("1")}})})},
               {":mval", Value::M({{"m", N("1")}})},
               {":map", Value::M({})},
               {":emptylist", Value::L({})}};
    item_ = {{"s", Value::S("hello")},
             {"n", N("5")},
             {"b", Value::B(std::string("\x01\x02", 2))},
             {"t", Value::Bool(true)},
             {"nul", Value::Null()},
             {"ss", Value::SS({"a", "b"})},
             {"ns", Value::NS({Dec("1"), Dec("2")})},
             {"bs", Value::BS({"\x01"})},
             {"l", Value::L({N("1"), Value::S("x"), Value::M({{"m", N("1")}})})},
             {"m", Value::M({{"a", Value::M({{"b", Value::L({N("10"), N("20")})}})}})},
             {"dotted.name", N("1")},
             {"u", Value::S("\xc3\xa9\xf0\x9d\x84\x9e")}};  // "é𝄞": 3 UTF-16 units
  }

  Result<Condition> Parse(const std::string& text,
                          ExpressionKind kind = ExpressionKind::kCondition) {
    ExpressionContext context(&names_, &values_);
    return ParseCondition(text, kind, &context);
  }

  std::string Error(const std::string& text, ExpressionKind kind = ExpressionKind::kCondition) {
    auto c = Parse(text, kind);
    EXPECT_FALSE(c.ok()) << text;
    if (c.ok()) return "";
    EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
    return c.status().message();
  }

  bool Eval(const std::string& text) { return EvalOn(text, item_); }

  bool EvalOn(const std::string& text, const Item& item) {
    auto c = Parse(text);
    EXPECT_TRUE(c.ok()) << text << ": " << c.status().message();
    if (!c.ok()) return false;
    auto r = Evaluate(*c, item);
    EXPECT_TRUE(r.ok());
    return r.ok() && *r;
  }

  ExpressionNames names_;
  ExpressionValues values_;
  Item item_;
};

const std::string kPrefix = "Invalid ConditionExpression: ";

TEST_F(ConditionTest, EmptyExpression) {
  EXPECT_EQ(Error(""), kPrefix + "The expression can not be empty;");
  EXPECT_EQ(Error("", ExpressionKind::kFilter),
            "Invalid FilterExpression: The expression can not be empty;");
}

TEST_F(ConditionTest, SyntaxErrorsQuoteTheTokenAndItsNeighbours) {
  EXPECT_EQ(Error("foo"), kPrefix + "Syntax error; token: \"<EOF>\", near: \"foo\"");
  EXPECT_EQ(Error("things are not gonna be ok"),
            kPrefix + "Syntax error; token: \"are\", near: \"things are not\"");
  EXPECT_EQ(Error("n > 4"), kPrefix + "Syntax error; token: \"4\", near: \"> 4\"");
  EXPECT_EQ(Error("n in :five"), kPrefix + "Syntax error; token: \":five\", near: \"in :five\"");
  EXPECT_EQ(Error("n = :five extra"),
            kPrefix + "Syntax error; token: \"extra\", near: \":five extra\"");
  EXPECT_EQ(Error("n = !!"), kPrefix + "Syntax error; token: \"!\", near: \"= !!\"");
  EXPECT_EQ(Error("n == :five"), kPrefix + "Syntax error; token: \"=\", near: \"== :five\"");
  EXPECT_EQ(Error("n = "), kPrefix + "Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(Error("\xc3\xbc > n"),
            kPrefix + "Syntax error; token: \"\xc3\xbc\", near: \"\xc3\xbc >\"");
  EXPECT_EQ(Error("n >", ExpressionKind::kFilter),
            "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \">\"");
}

TEST_F(ConditionTest, MoreSyntaxErrors) {
  for (const char* text : {"a > between",
                           "a in (b,c,)",
                           "a in b, c",
                           "(a)between(b.(c.d))and(c)",
                           "(a)between(b.c.d)and((c)",
                           "#$.b > a",
                           "a > :things.stuff",
                           "b[:a] > a",
                           "b[#_] > a",
                           "(a)between(b.c[4.5].#d)and(:a)",
                           "size(a).b > a",
                           "(size(a)).b > a",
                           "size(a)[0] > a",
                           "(size(a))[0] > a",
                           "attribute_exists(Pictures-RearView)",
                           "attribute_exists(\"Pictures.RearView\")",
                           "attribute_exists(Pictures..RearView)",
                           "attribute_exists(Pi#ctures.RearView)",
                           "attribute_exists(asdf[a])",
                           "a.:a < b.:b",
                           "a = :five AND",
                           "(a = :five",
                           "a = :five)",
                           "NOT",
                           "a[-1] = :five",
                           "a[99999999999] = :one",
                           "(a = :one) = :two",
                           "a AND b",
                           "#",
                           ":",
                           "a = # ",
                           "and = :one",
                           "a.in = :one"}) {
    EXPECT_EQ(Error(text).rfind(kPrefix + "Syntax error; token: ", 0), 0u) << text;
  }
}

TEST_F(ConditionTest, RedundantParentheses) {
  for (const char* text :
       {"n=n and n > ((views))", "(n)between(((b.c)).d)and(c)", "n > whatever((:things), ((n)))",
        "n=n AND ((n=n AND n=n)) AND n=n", "n=n OR ((n=n OR n=n)) OR n=n",
        "n=n AND ((n=n AND (n=n AND n=n)))", "((n = :five))"}) {
    EXPECT_EQ(Error(text), kPrefix + "The expression has redundant parentheses;") << text;
  }
  EXPECT_TRUE(Parse("(n = :five)").ok());
  EXPECT_TRUE(Parse("((n = :five) OR (n = :six))").ok());
  EXPECT_TRUE(Parse("(n) BETWEEN (:four) AND (:six)").ok());
  EXPECT_TRUE(Parse("(#m.a).b[0] = :ten").ok());
}

TEST_F(ConditionTest, InvalidFunctionNames) {
  EXPECT_EQ(Error("n=n and whatever((:things)) > n"),
            kPrefix + "Invalid function name; function: whatever");
  EXPECT_EQ(Error("attRIbute_exIsts((views), #a)"),
            kPrefix + "Invalid function name; function: attRIbute_exIsts");
  EXPECT_EQ(
      Error("n = if_not_exists(n, :one)"),
      kPrefix + "The function is not allowed in a condition expression; function: if_not_exists");
  EXPECT_EQ(
      Error("list_append(l, :list)"),
      kPrefix + "The function is not allowed in a condition expression; function: list_append");
}

TEST_F(ConditionTest, FunctionsUsedIncorrectly) {
  const std::pair<const char*, const char*> cases[] = {
      {"n=n and attribute_exists((views), (#a)) > b", "attribute_exists"},
      {"attribute_not_exists(things) > b", "attribute_not_exists"},
      {"attribute_type(things, :a) > b", "attribute_type"},
      {"begins_with(things, a) > b", "begins_with"},
      {"contains(:things, c) > b", "contains"},
      {"size(contains(a, b)) > a", "contains"},
      {"size(things)", "size"},
      {"a between b and attribute_exists(things)", "attribute_exists"},
      {"a in (b, attribute_exists(things))", "attribute_exists"},
      {"NOT size(a)", "size"},
  };
  for (const auto& [text, function] : cases) {
    EXPECT_EQ(Error(text), kPrefix +
                               "The function is not allowed to be used this way in an expression; "
                               "function: " +
                               function)
        << text;
  }
}

TEST_F(ConditionTest, ReservedWords) {
  EXPECT_EQ(Error("attribute_exists(views, #a)"),
            kPrefix + "Attribute name is a reserved keyword; reserved keyword: views");
  EXPECT_EQ(Error(":a < abOrT"),
            kPrefix + "Attribute name is a reserved keyword; reserved keyword: abOrT");
  EXPECT_EQ(Error("name = :a"),
            kPrefix + "Attribute name is a reserved keyword; reserved keyword: name");
  EXPECT_EQ(Error("m.status = :a"),
            kPrefix + "Attribute name is a reserved keyword; reserved keyword: status");
  EXPECT_TRUE(Parse("#s = :a").ok());
  EXPECT_TRUE(Parse("size(s) > :one").ok());  // a function name is not an attribute name
}

TEST_F(ConditionTest, UndefinedPlaceholders) {
  EXPECT_EQ(Error("attribute_exists(#Pictures.RearView) and n = :one"),
            kPrefix +
                "An expression attribute name used in the document path is not defined; "
                "attribute name: #Pictures");
  EXPECT_EQ(Error("#4g > n"), kPrefix +
                                  "An expression attribute name used in the document path is not "
                                  "defined; attribute name: #4g");
  EXPECT_EQ(Error("(n)between(b.c[45].#d)and(:a)"),
            kPrefix +
                "An expression attribute name used in the document path is not defined; "
                "attribute name: #d");
  EXPECT_EQ(Error(":nope < :one"),
            kPrefix +
                "An expression attribute value used in expression is not defined; "
                "attribute value: :nope");
  EXPECT_EQ(Error("begins_with(:hello2, #a)"),
            kPrefix +
                "An expression attribute value used in expression is not defined; "
                "attribute value: :hello2");
  ExpressionContext no_maps(nullptr, nullptr);
  auto c = ParseCondition("#x = :y", ExpressionKind::kCondition, &no_maps);
  EXPECT_EQ(c.status().message(),
            kPrefix +
                "An expression attribute name used in the document path is not defined; "
                "attribute name: #x");
}

TEST_F(ConditionTest, OperandCounts) {
  const std::tuple<const char*, const char*, int> cases[] = {
      {"attribute_exists(things, a) and a=a", "attribute_exists", 2},
      {"attribute_not_exists(things, b)", "attribute_not_exists", 2},
      {"attribute_type(things)", "attribute_type", 1},
      {"begins_with(things)", "begins_with", 1},
      {"begins_with(things, size(a), b)", "begins_with", 3},
      {"contains(things)", "contains", 1},
      {"size(things, a) > b", "size", 2},
  };
  for (const auto& [text, function, count] : cases) {
    EXPECT_EQ(Error(text), kPrefix +
                               "Incorrect number of operands for operator or function; operator "
                               "or function: " +
                               function + ", number of operands: " + std::to_string(count))
        << text;
  }
}

TEST_F(ConditionTest, OperandTypes) {
  const std::tuple<std::string, const char*, const char*> cases[] = {
      {"attribute_type(a, size(a)) and a=a and a=:one", "attribute_type", "N"},
      {"attribute_type(a, :one)", "attribute_type", "N"},
      {"attribute_type(a, :b01)", "attribute_type", "B"},
      {"attribute_type(a, :t)", "attribute_type", "BOOL"},
      {"attribute_type(a, :null)", "attribute_type", "NULL"},
      {"attribute_type(a, :emptylist)", "attribute_type", "L"},
      {"attribute_type(a, :map)", "attribute_type", "M"},
      {"attribute_type(a, :ss)", "attribute_type", "SS"},
      {"attribute_type(a, :ns)", "attribute_type", "NS"},
      {"attribute_type(a, b)", "attribute_type", "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
      {"begins_with(a, size(a)) and a=:one", "begins_with", "N"},
      {"begins_with(a, :one)", "begins_with", "N"},
      {"begins_with(a, :t)", "begins_with", "BOOL"},
      {"begins_with(a, :ss)", "begins_with", "SS"},
      {"begins_with(:one, a)", "begins_with", "N"},
      {"begins_with(:map, a)", "begins_with", "M"},
      {"size(size(a)) > :one", "size", "N"},
      {"attribute_not_exists(size(:one))", "size", "N"},
      {"size(:t) > a", "size", "BOOL"},
      {"size(:null) > a", "size", "NULL"},
  };
  for (const auto& [text, function, type] : cases) {
    EXPECT_EQ(Error(text), kPrefix +
                               "Incorrect operand type for operator or function; operator or "
                               "function: " +
                               function + ", operand type: " + type)
        << text;
  }
  EXPECT_EQ(Error("attribute_type(a, :tBad)"),
            kPrefix +
                "Invalid attribute type name found; type: X, valid types: "
                "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
  EXPECT_TRUE(Parse("size(:hello) > n").ok());  // size() of a constant of a sized type
}

TEST_F(ConditionTest, DocumentPathRequired) {
  EXPECT_EQ(Error("attribute_exists(:a) and n=n"),
            kPrefix +
                "Operator or function requires a document path; operator or function: "
                "attribute_exists");
  EXPECT_EQ(Error("attribute_not_exists(size(:a))"),
            kPrefix +
                "Operator or function requires a document path; operator or function: "
                "attribute_not_exists");
}

TEST_F(ConditionTest, DistinctOperands) {
  const std::tuple<const char*, const char*, const char*> cases[] = {
      {"a = a AND #a = b AND :one > a", "=", "[a]"},
      {"#a <> a", "<>", "[a]"},
      {"a > #a", ">", "[a]"},
      {"((a=a) OR (a=a))", "=", "[a]"},
      {"contains(ab.bc[1].a, ab.bc[1].#a)", "contains", "[ab, bc, [1], a]"},
      {"attribute_type(ab.bc[1].#a, ab.bc[1].a)", "attribute_type", "[ab, bc, [1], a]"},
      {"begins_with(ab.bc[1].a, ab.bc[1].#a)", "begins_with", "[ab, bc, [1], a]"},
  };
  for (const auto& [text, op, path] : cases) {
    EXPECT_EQ(Error(text), kPrefix +
                               "The first operand must be distinct from the remaining operands "
                               "for this operator or function; operator: " +
                               op + ", first operand: " + path)
        << text;
  }
  EXPECT_TRUE(Parse(":one > :one").ok());
}

TEST_F(ConditionTest, BetweenBounds) {
  EXPECT_EQ(Error("n between :one and :a"),
            kPrefix +
                "The BETWEEN operator requires same data type for lower and upper bounds; "
                "lower bound operand: AttributeValue: {N:1}, upper bound operand: "
                "AttributeValue: {S:a}");
  EXPECT_EQ(Error("n between :z and :a"),
            kPrefix +
                "The BETWEEN operator requires upper bound to be greater than or equal to "
                "lower bound; lower bound operand: AttributeValue: {S:z}, upper bound "
                "operand: AttributeValue: {S:a}");
  EXPECT_EQ(Error("n between :ten and :two"),
            kPrefix +
                "The BETWEEN operator requires upper bound to be greater than or equal to "
                "lower bound; lower bound operand: AttributeValue: {N:10}, upper bound "
                "operand: AttributeValue: {N:2}");
  EXPECT_TRUE(Parse("n between :two and :two").ok());
}

TEST_F(ConditionTest, LimitsOnInAndOperators) {
  std::string in = "n IN (";
  for (int i = 0; i < 101; ++i) in += (i ? ", :" : ":") + std::string("one");
  in += ")";
  EXPECT_EQ(Error(in), kPrefix +
                           "The IN operator is provided with too many operands; number of "
                           "operands: 101");
  std::string ok_in = "n IN (:one";
  for (int i = 1; i < 100; ++i) ok_in += ", :two";
  EXPECT_TRUE(Parse(ok_in + ")").ok());

  std::string many = "n = :one";
  for (int i = 0; i < 150; ++i) many += " OR n = :two";
  EXPECT_EQ(Error(many),
            kPrefix + "The expression contains too many operators; operator count: 301");
}

TEST_F(ConditionTest, ExpressionSizeLimit) {
  std::string text = "n = :one";
  while (text.size() < 4096) text += " ";
  EXPECT_TRUE(Parse(text).ok());
  EXPECT_EQ(Error(text + " "), kPrefix +
                                   "Expression size has exceeded the maximum allowed size; "
                                   "expression size: 4097");
}

TEST_F(ConditionTest, DeepNestingWithinTheSizeLimit) {
  // 409 nested comparisons fit in 4 KB: too many operators, not a crash.
  std::string nested;
  for (int i = 0; i < 408; ++i) nested += "a<b and (";
  nested += "a<b" + std::string(408, ')');
  EXPECT_EQ(Error(nested),
            kPrefix + "The expression contains too many operators; operator count: 817");
  std::string nots;
  for (int i = 0; i < 1020; ++i) nots += "NOT ";
  EXPECT_EQ(Error(nots + "n=n"),
            kPrefix + "The expression contains too many operators; operator count: 1021");
  std::string calls;
  for (int i = 0; i < 600; ++i) calls += "size(";
  EXPECT_EQ(Error(calls + "n" + std::string(600, ')') + " = :one"),
            kPrefix + "The expression contains too many operators; operator count: 601");
  // Nesting that deep without operators is refused as a syntax error.
  std::string parens(2040, '(');
  EXPECT_EQ(Error(parens + "n=n" + std::string(2040, ')')).rfind(kPrefix + "Syntax error", 0), 0u);
  EXPECT_TRUE(Parse("((n).a).b = :one").ok());
  EXPECT_EQ(Error("(((n).a)) = :one"), kPrefix + "The expression has redundant parentheses;");
}

TEST_F(ConditionTest, ErrorPrecedence) {
  // Syntax errors come first, then redundant parentheses, unknown functions,
  // misused functions, reserved words, and finally the first condition's own
  // errors.
  EXPECT_EQ(Error("((name = :nope)) AND whatever(a) AND n >"),
            kPrefix + "Syntax error; token: \"<EOF>\", near: \">\"");
  EXPECT_EQ(Error("((name = :nope)) AND whatever(a)"),
            kPrefix + "The expression has redundant parentheses;");
  EXPECT_EQ(Error("size(name) AND whatever(a)"),
            kPrefix + "Invalid function name; function: whatever");
  EXPECT_EQ(
      Error("name = :nope AND size(a)"),
      kPrefix + "The function is not allowed to be used this way in an expression; function: size");
  EXPECT_EQ(Error("a = :nope AND name = a"),
            kPrefix + "Attribute name is a reserved keyword; reserved keyword: name");
  EXPECT_EQ(Error("a = a AND b = :nope"),
            kPrefix +
                "The first operand must be distinct from the remaining operands for this "
                "operator or function; operator: =, first operand: [a]");
  EXPECT_EQ(Error("attribute_exists(a, b, :nope)"),
            kPrefix +
                "An expression attribute value used in expression is not defined; attribute "
                "value: :nope");
}

TEST_F(ConditionTest, ComparisonsAndMissingAttributes) {
  EXPECT_TRUE(Eval("n = :five"));
  EXPECT_FALSE(Eval("n = :five_str"));  // a different type is simply unequal
  EXPECT_FALSE(Eval("absent = :five"));
  EXPECT_TRUE(Eval("absent <> :five"));
  EXPECT_TRUE(Eval("n <> :six"));
  EXPECT_FALSE(Eval("n <> :five"));
  EXPECT_TRUE(Eval("s <> :five"));
  EXPECT_TRUE(Eval("n < :six"));
  EXPECT_TRUE(Eval("n <= :five"));
  EXPECT_FALSE(Eval("n < :five"));
  EXPECT_TRUE(Eval("n > :four"));
  EXPECT_TRUE(Eval("n >= :five"));
  EXPECT_TRUE(Eval(":four < n"));
  EXPECT_TRUE(Eval("s < :z"));
  EXPECT_FALSE(Eval("s < :five"));  // type mismatch: false, not an error
  EXPECT_FALSE(Eval("s >= :five"));
  EXPECT_FALSE(Eval("absent < :five"));
  EXPECT_FALSE(Eval("absent >= :five"));
  EXPECT_TRUE(Eval("b < :b02"));  // binary: unsigned bytes
  EXPECT_TRUE(Eval("b > :b01"));
  EXPECT_FALSE(Eval("ss < :ss"));  // sets have no order
  EXPECT_TRUE(Eval("ss = :ss"));   // sets compare as sets
  EXPECT_TRUE(Eval("l = :list"));  // lists and maps compare deeply
  EXPECT_TRUE(Eval("l[2] = :mval"));
  EXPECT_TRUE(Eval("t = :t"));
  EXPECT_TRUE(Eval("nul = :null"));
  EXPECT_TRUE(Eval("#m.#a.b[1] > :ten"));
  EXPECT_TRUE(Eval("m.a.b[0] = :ten"));
  EXPECT_FALSE(Eval("m.a.b[5] = :ten"));
  EXPECT_FALSE(Eval("m.a[0] = :ten"));  // an index on a map is simply absent
  EXPECT_TRUE(Eval("#dotted = :one"));
  EXPECT_TRUE(Eval("(n) = (:five)"));
}

TEST_F(ConditionTest, BetweenAndIn) {
  EXPECT_TRUE(Eval("n BETWEEN :four AND :six"));
  EXPECT_TRUE(Eval("n between :five and :five"));
  EXPECT_FALSE(Eval("n BETWEEN :six AND :ten"));
  EXPECT_TRUE(Eval("s BETWEEN :a AND :z"));
  EXPECT_FALSE(Eval("s BETWEEN :one AND :two"));  // type mismatch
  EXPECT_FALSE(Eval("absent BETWEEN :one AND :two"));
  EXPECT_FALSE(Eval("n BETWEEN :one AND s"));  // a bound of another type
  EXPECT_TRUE(Eval("n IN (:four, :five)"));
  EXPECT_FALSE(Eval("n IN (:four, :six)"));
  EXPECT_FALSE(Eval("s IN (:five)"));
  EXPECT_FALSE(Eval("absent IN (:five)"));
  EXPECT_TRUE(Eval("ss IN (:ss)"));
  EXPECT_TRUE(Eval(":five IN (n, s)"));
}

TEST_F(ConditionTest, Functions) {
  EXPECT_TRUE(Eval("attribute_exists(m.a.b[1])"));
  EXPECT_FALSE(Eval("attribute_exists(m.a.b[2])"));
  EXPECT_TRUE(Eval("attribute_not_exists(absent)"));
  EXPECT_FALSE(Eval("attribute_not_exists(n)"));
  EXPECT_TRUE(Eval("attribute_exists(l[2].m)"));
  EXPECT_TRUE(Eval("attribute_exists(nul)"));
  EXPECT_TRUE(Eval("attribute_type(n, :tN)"));
  EXPECT_TRUE(Eval("attribute_type(ss, :tSS)"));
  EXPECT_TRUE(Eval("attribute_type(nul, :tNULL)"));
  EXPECT_FALSE(Eval("attribute_type(s, :tN)"));
  EXPECT_FALSE(Eval("attribute_type(absent, :tN)"));
  EXPECT_TRUE(Eval("begins_with(s, :he)"));
  EXPECT_FALSE(Eval("begins_with(s, :ell)"));
  EXPECT_TRUE(Eval("begins_with(b, :b01)"));
  EXPECT_FALSE(Eval("begins_with(b, :b02)"));
  EXPECT_FALSE(Eval("begins_with(n, s)"));  // wrong type at run time: false
  EXPECT_FALSE(Eval("begins_with(absent, :he)"));
  EXPECT_TRUE(Eval("contains(s, :ell)"));
  EXPECT_FALSE(Eval("contains(s, :z)"));
  EXPECT_TRUE(Eval("contains(ss, :a)"));
  EXPECT_FALSE(Eval("contains(ss, :z)"));
  EXPECT_TRUE(Eval("contains(ns, :one)"));
  EXPECT_FALSE(Eval("contains(ns, :a)"));
  EXPECT_TRUE(Eval("contains(bs, :b01)"));
  EXPECT_TRUE(Eval("contains(b, :b02)"));
  EXPECT_TRUE(Eval("contains(l, :x)"));
  EXPECT_TRUE(Eval("contains(l, :mval)"));
  EXPECT_FALSE(Eval("contains(l, :z)"));
  EXPECT_FALSE(Eval("contains(n, :five)"));
  EXPECT_FALSE(Eval("contains(absent, :a)"));
  EXPECT_TRUE(Eval("size(s) = :five"));
  EXPECT_TRUE(Eval("size(b) = :two"));
  EXPECT_TRUE(Eval("size(ss) = :two"));
  EXPECT_TRUE(Eval("size(l) = :three"));
  EXPECT_TRUE(Eval("size(m) = :one"));
  EXPECT_TRUE(Eval("size(u) = :three"));  // UTF-16 code units
  EXPECT_FALSE(Eval("size(n) > :zero"));  // numbers have no size: false
  EXPECT_TRUE(Eval("NOT size(n) > :zero"));
  EXPECT_FALSE(Eval("size(absent) >= :zero"));
  EXPECT_TRUE(Eval("size(:hello) = n"));
  EXPECT_TRUE(Eval("size(m.a.b) BETWEEN :one AND :two"));
}

TEST_F(ConditionTest, LogicalOperatorsAndPrecedence) {
  EXPECT_TRUE(Eval("n = :five OR n = :six AND s = :z"));  // AND binds tighter
  EXPECT_FALSE(Eval("(n = :five OR n = :six) AND s = :z"));
  EXPECT_FALSE(Eval("NOT n = :five"));
  EXPECT_TRUE(Eval("NOT n = :five OR s = :hello"));  // NOT binds tighter than OR
  EXPECT_TRUE(Eval("not (n = :six or s = :z)"));
  EXPECT_TRUE(Eval("NOT NOT n = :five"));
  EXPECT_TRUE(Eval("n = :five aNd s = :hello"));  // keywords ignore case
  EXPECT_TRUE(Eval("n bEtWeEn :four AnD :six"));
}

TEST_F(ConditionTest, EmptyItemForCreateOnlyWrites) {
  EXPECT_TRUE(EvalOn("attribute_not_exists(pk)", {}));
  EXPECT_FALSE(EvalOn("attribute_exists(pk)", {}));
  EXPECT_TRUE(EvalOn("n <> :five", {}));
}

TEST_F(ConditionTest, TopLevelAttributesOfACondition) {
  auto c = Parse("m.a.b[0] = :one AND size(#s) > :two OR attribute_exists(l[1])");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(TopLevelAttributes(*c), (std::set<std::string>{"m", "s", "l"}));
}

TEST(ExpressionContextTest, UnusedAndInvalidPlaceholders) {
  ExpressionNames names{{"#a", "a"}, {"#x", "x"}};
  ExpressionValues values{{":v", Value::S("v")}, {":y", Value::S("y")}, {":z", Value::S("z")}};
  ExpressionContext context(&names, &values);
  ASSERT_TRUE(context.ValidateMaps().ok());
  ASSERT_TRUE(ParseCondition("#a = :v", ExpressionKind::kCondition, &context).ok());
  EXPECT_EQ(context.CheckAllUsed().message(),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}");
  ASSERT_TRUE(ParseCondition("#x = :y", ExpressionKind::kFilter, &context).ok());
  EXPECT_EQ(context.CheckAllUsed().message(),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:z}");
  ASSERT_TRUE(ParseCondition("a = :z", ExpressionKind::kFilter, &context).ok());
  EXPECT_TRUE(context.CheckAllUsed().ok());

  ExpressionNames empty_names;
  EXPECT_EQ(ExpressionContext(&empty_names, nullptr).ValidateMaps().message(),
            "ExpressionAttributeNames must not be empty");
  ExpressionValues empty_values;
  EXPECT_EQ(ExpressionContext(nullptr, &empty_values).ValidateMaps().message(),
            "ExpressionAttributeValues must not be empty");
  ExpressionNames bad_names{{"a", "a"}};
  EXPECT_EQ(ExpressionContext(&bad_names, nullptr).ValidateMaps().message(),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
  ExpressionValues bad_values{{":ok", Value::Null()}, {"b", Value::Null()}};
  EXPECT_EQ(ExpressionContext(nullptr, &bad_values).ValidateMaps().message(),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\"");
  EXPECT_TRUE(ExpressionContext(nullptr, nullptr).ValidateMaps().ok());
  EXPECT_TRUE(ExpressionContext(nullptr, nullptr).CheckAllUsed().ok());
}

}  // namespace
}  // namespace nimbus::tables
