#include "iam/condition.h"

#include <gtest/gtest.h>

#include <string>

#include "iam/condition_values.h"

namespace nimbus::iam {
namespace {

// Whether a one-condition policy `{"op": {"key": values}}` holds for `context`.
bool Holds(const std::string& op, const std::string& key, const std::string& values_json,
           const ConditionContext& context, const std::string& version = "2012-10-17") {
  std::string doc = R"({"Version":")" + version +
                    R"(","Statement":{"Effect":"Allow","Action":"*","Resource":"*",)"
                    R"("Condition":{")" +
                    op + R"(":{")" + key + R"(":)" + values_json + "}}}}";
  auto p = ParsePolicy(doc, PolicyKind::kIdentity);
  EXPECT_TRUE(p.ok()) << p.status().ToString() << "\n" << doc;
  if (!p.ok()) return false;
  const Condition& c = (*p)->statements[0].conditions[0];
  return ConditionMatches(c, &context, (*p)->variables());
}

const ConditionContext kEmpty;

TEST(ConditionTest, StringOperators) {
  ConditionContext ctx{{"aws:x", {"Blue"}}};
  EXPECT_TRUE(Holds("StringEquals", "aws:x", R"("Blue")", ctx));
  EXPECT_TRUE(Holds("StringEquals", "AWS:X", R"(["red","Blue"])", ctx));  // keys ignore case
  EXPECT_FALSE(Holds("StringEquals", "aws:x", R"("blue")", ctx));
  EXPECT_TRUE(Holds("StringNotEquals", "aws:x", R"(["red","green"])", ctx));
  EXPECT_FALSE(Holds("StringNotEquals", "aws:x", R"(["red","Blue"])", ctx));
  EXPECT_TRUE(Holds("StringEqualsIgnoreCase", "aws:x", R"("BLUE")", ctx));
  EXPECT_FALSE(Holds("StringNotEqualsIgnoreCase", "aws:x", R"("bLuE")", ctx));
  EXPECT_TRUE(Holds("StringLike", "aws:x", R"("B*")", ctx));
  EXPECT_TRUE(Holds("StringLike", "aws:x", R"("Bl?e")", ctx));
  EXPECT_FALSE(Holds("StringLike", "aws:x", R"("b*")", ctx));  // case-sensitive
  EXPECT_TRUE(Holds("StringNotLike", "aws:x", R"("R*")", ctx));
  EXPECT_FALSE(Holds("StringNotLike", "aws:x", R"("*e")", ctx));
}

TEST(ConditionTest, AbsentKeys) {
  // Plain operators do not hold; negated ones do; IfExists holds.
  EXPECT_FALSE(Holds("StringEquals", "aws:x", R"("a")", kEmpty));
  EXPECT_FALSE(Holds("StringLike", "aws:x", R"("*")", kEmpty));
  EXPECT_FALSE(Holds("NumericLessThan", "aws:x", R"("5")", kEmpty));
  EXPECT_FALSE(Holds("ArnLike", "aws:x", R"("*")", kEmpty));
  EXPECT_FALSE(Holds("Bool", "aws:x", R"("false")", kEmpty));
  EXPECT_TRUE(Holds("StringNotEquals", "aws:x", R"("a")", kEmpty));
  EXPECT_TRUE(Holds("StringNotLike", "aws:x", R"("a*")", kEmpty));
  EXPECT_TRUE(Holds("ArnNotLike", "aws:x", R"("arn:*:*:*:*:*")", kEmpty));
  EXPECT_TRUE(Holds("NotIpAddress", "aws:sourceip", R"("10.0.0.0/8")", kEmpty));
  EXPECT_TRUE(Holds("StringEqualsIfExists", "aws:x", R"("a")", kEmpty));
  EXPECT_TRUE(Holds("ArnLikeIfExists", "aws:x", R"("arn:aws:sns:*:*:t")", kEmpty));
  // An empty value list is absent too.
  ConditionContext empty_list{{"aws:x", {}}};
  EXPECT_FALSE(Holds("StringEquals", "aws:x", R"("a")", empty_list));
  EXPECT_TRUE(Holds("StringEqualsIfExists", "aws:x", R"("a")", empty_list));
}

TEST(ConditionTest, IfExistsComparesWhenPresent) {
  ConditionContext ctx{{"aws:sourcearn", {"arn:aws:sns:r:0:other"}}};
  EXPECT_FALSE(Holds("ArnLikeIfExists", "aws:SourceArn", R"("arn:aws:sns:*:*:t")", ctx));
  EXPECT_TRUE(Holds("ArnLikeIfExists", "aws:SourceArn", R"("arn:aws:sns:*:*:other")", ctx));
}

TEST(ConditionTest, Null) {
  ConditionContext ctx{{"aws:x", {"v"}}};
  EXPECT_TRUE(Holds("Null", "aws:x", R"("true")", kEmpty));
  EXPECT_FALSE(Holds("Null", "aws:x", R"("true")", ctx));
  EXPECT_TRUE(Holds("Null", "aws:x", R"("false")", ctx));
  EXPECT_FALSE(Holds("Null", "aws:x", R"("false")", kEmpty));
  EXPECT_TRUE(Holds("Null", "aws:x", "true", kEmpty));  // a JSON boolean
}

TEST(ConditionTest, SetQualifiers) {
  ConditionContext tags{{"aws:tagkeys", {"env", "team"}}};
  EXPECT_TRUE(Holds("ForAnyValue:StringEquals", "aws:TagKeys", R"(["team"])", tags));
  EXPECT_FALSE(Holds("ForAnyValue:StringEquals", "aws:TagKeys", R"(["owner"])", tags));
  EXPECT_TRUE(Holds("ForAllValues:StringEquals", "aws:TagKeys", R"(["env","team","x"])", tags));
  EXPECT_FALSE(Holds("ForAllValues:StringEquals", "aws:TagKeys", R"(["env"])", tags));
  EXPECT_TRUE(Holds("ForAnyValue:StringNotEquals", "aws:TagKeys", R"(["env"])", tags));
  EXPECT_FALSE(Holds("ForAllValues:StringNotEquals", "aws:TagKeys", R"(["env"])", tags));
  EXPECT_TRUE(Holds("ForAllValues:StringLike", "aws:TagKeys", R"(["e*","t*"])", tags));
  // Absent keys: ForAnyValue does not hold, ForAllValues does (vacuously).
  EXPECT_FALSE(Holds("ForAnyValue:StringEquals", "aws:TagKeys", R"(["env"])", kEmpty));
  EXPECT_TRUE(Holds("ForAllValues:StringEquals", "aws:TagKeys", R"(["env"])", kEmpty));
  ConditionContext empty{{"aws:tagkeys", {}}};
  EXPECT_TRUE(Holds("ForAllValues:StringEquals", "aws:TagKeys", R"(["env"])", empty));
  EXPECT_FALSE(Holds("ForAnyValue:StringEquals", "aws:TagKeys", R"(["env"])", empty));
  // Without a qualifier a multi-valued key holds when any value matches;
  // negated, when none does.
  EXPECT_TRUE(Holds("StringEquals", "aws:TagKeys", R"("team")", tags));
  EXPECT_FALSE(Holds("StringNotEquals", "aws:TagKeys", R"("team")", tags));
}

TEST(ConditionTest, Numeric) {
  ConditionContext ctx{{"s3:max-keys", {"10"}}};
  EXPECT_TRUE(Holds("NumericEquals", "s3:max-keys", "10", ctx));
  EXPECT_TRUE(Holds("NumericEquals", "s3:max-keys", R"("10.0")", ctx));
  EXPECT_TRUE(Holds("NumericNotEquals", "s3:max-keys", "11", ctx));
  EXPECT_TRUE(Holds("NumericLessThan", "s3:max-keys", "11", ctx));
  EXPECT_FALSE(Holds("NumericLessThan", "s3:max-keys", "10", ctx));
  EXPECT_TRUE(Holds("NumericLessThanEquals", "s3:max-keys", "10", ctx));
  EXPECT_TRUE(Holds("NumericGreaterThan", "s3:max-keys", "9.5", ctx));
  EXPECT_TRUE(Holds("NumericGreaterThanEquals", "s3:max-keys", "10", ctx));
  EXPECT_FALSE(Holds("NumericGreaterThan", "s3:max-keys", "10", ctx));
  ConditionContext bad{{"s3:max-keys", {"ten"}}};
  EXPECT_FALSE(Holds("NumericLessThan", "s3:max-keys", "11", bad));
  EXPECT_FALSE(Holds("NumericEquals", "s3:max-keys", R"("x")", ctx));
  EXPECT_FALSE(ParseConditionNumber("1e999"));
  EXPECT_FALSE(ParseConditionNumber(" 1"));
  EXPECT_EQ(*ParseConditionNumber("-2.5"), -2.5);
}

TEST(ConditionTest, Date) {
  ConditionContext ctx{{"aws:currenttime", {"2024-01-31T12:00:00Z"}}};
  EXPECT_TRUE(Holds("DateLessThan", "aws:CurrentTime", R"("2024-02-01")", ctx));
  EXPECT_FALSE(Holds("DateLessThan", "aws:CurrentTime", R"("2024-01-31T11:59:59Z")", ctx));
  EXPECT_TRUE(Holds("DateGreaterThan", "aws:CurrentTime", R"("2024-01-31T13:00:00+02:00")", ctx));
  EXPECT_TRUE(Holds("DateEquals", "aws:CurrentTime", R"("1706702400")", ctx));
  EXPECT_TRUE(Holds("DateNotEquals", "aws:CurrentTime", R"("1706702401")", ctx));
  EXPECT_TRUE(
      Holds("DateGreaterThanEquals", "aws:CurrentTime", R"("2024-01-31T12:00:00.000Z")", ctx));
  EXPECT_FALSE(Holds("DateLessThan", "aws:CurrentTime", R"("not a date")", ctx));
  EXPECT_EQ(*ParseConditionDate("1970-01-01T00:00:01.5Z"), 1500.0);
  EXPECT_EQ(*ParseConditionDate("2000-03-01"), 951868800000.0);
  EXPECT_FALSE(ParseConditionDate("2024-13-01"));
  EXPECT_FALSE(ParseConditionDate("2024-01-01T25:00:00Z"));
  EXPECT_FALSE(ParseConditionDate("2024-01-01T10:00:00Zjunk"));
}

TEST(ConditionTest, BoolAndBinary) {
  ConditionContext tls{{"aws:securetransport", {"true"}}};
  EXPECT_TRUE(Holds("Bool", "aws:SecureTransport", R"("true")", tls));
  EXPECT_TRUE(Holds("Bool", "aws:SecureTransport", "true", tls));
  EXPECT_TRUE(Holds("Bool", "aws:SecureTransport", R"("TRUE")", tls));
  EXPECT_FALSE(Holds("Bool", "aws:SecureTransport", "false", tls));
  ConditionContext bin{{"aws:b", {"QUJD"}}};
  EXPECT_TRUE(Holds("BinaryEquals", "aws:b", R"("QUJD")", bin));
  EXPECT_FALSE(Holds("BinaryEquals", "aws:b", R"("qujd")", bin));
}

TEST(ConditionTest, IpAddress) {
  ConditionContext v4{{"aws:sourceip", {"10.1.2.3"}}};
  ConditionContext v6{{"aws:sourceip", {"2001:db8::1"}}};
  EXPECT_TRUE(Holds("IpAddress", "aws:SourceIp", R"("10.0.0.0/8")", v4));
  EXPECT_TRUE(Holds("IpAddress", "aws:SourceIp", R"(["192.168.0.0/16","10.1.2.3"])", v4));
  EXPECT_FALSE(Holds("IpAddress", "aws:SourceIp", R"("10.1.2.0/31")", v4));
  EXPECT_TRUE(Holds("IpAddress", "aws:SourceIp", R"("10.1.2.0/30")", v4));
  EXPECT_TRUE(Holds("NotIpAddress", "aws:SourceIp", R"("192.168.0.0/16")", v4));
  EXPECT_FALSE(Holds("NotIpAddress", "aws:SourceIp", R"("0.0.0.0/0")", v4));
  EXPECT_TRUE(Holds("IpAddress", "aws:SourceIp", R"("2001:db8::/32")", v6));
  EXPECT_FALSE(Holds("IpAddress", "aws:SourceIp", R"("10.0.0.0/8")", v6));
  EXPECT_FALSE(IpInCidr("10.0.0.1", "10.0.0.0/33"));
  EXPECT_FALSE(IpInCidr("junk", "10.0.0.0/8"));
  EXPECT_FALSE(IpInCidr("10.0.0.1", "10.0.0.0/"));
}

TEST(ConditionTest, ArnSegmentsMatchSeparately) {
  ConditionContext ctx{{"aws:sourcearn", {"arn:aws:s3:::bucket-a"}}};
  EXPECT_TRUE(Holds("ArnLike", "aws:SourceArn", R"("arn:aws:s3:::bucket-*")", ctx));
  EXPECT_TRUE(Holds("ArnEquals", "aws:SourceArn", R"("arn:aws:s3:::bucket-a")", ctx));
  EXPECT_FALSE(Holds("ArnLike", "aws:SourceArn", R"("arn:aws:s3:::bucket-b")", ctx));
  EXPECT_TRUE(Holds("ArnNotLike", "aws:SourceArn", R"("arn:aws:sns:*:*:*")", ctx));
  // A '*' in one segment does not reach across a colon into the next.
  EXPECT_FALSE(ArnMatches("arn:aws:*:us-east-1:0:t", "arn:aws:sns:x:y:us-east-1:0:t", false));
  EXPECT_TRUE(ArnMatches("arn:aws:sns:*:*:t", "arn:aws:sns:us-east-1:0:t", false));
  EXPECT_FALSE(ArnMatches("arn:aws:sns:*:*:t", "not-an-arn", false));
  // The sixth part keeps its colons.
  EXPECT_TRUE(ArnMatches("arn:aws:logs:*:*:log-group:*", "arn:aws:logs:r:0:log-group:g:*", false));
  ConditionContext not_arn{{"aws:sourcearn", {"bucket"}}};
  EXPECT_FALSE(Holds("ArnLike", "aws:SourceArn", R"("*")", not_arn));
}

TEST(ConditionTest, PolicyVariablesInValues) {
  ConditionContext ctx{{"aws:principaltag/team", {"blue"}},
                       {"s3:prefix", {"blue/docs"}},
                       {"aws:userid", {"AROAX:fn"}}};
  EXPECT_TRUE(Holds("StringLike", "s3:prefix", R"("${aws:PrincipalTag/team}/*")", ctx));
  EXPECT_FALSE(Holds("StringLike", "s3:prefix", R"("${aws:PrincipalTag/other}/*")", ctx));
  EXPECT_TRUE(Holds("StringEquals", "aws:userid", R"("AROAX:${aws:nokey, 'fn'}")", ctx));
  // A negated operator whose value names a missing key: that value matches nothing.
  EXPECT_TRUE(Holds("StringNotEquals", "aws:userid", R"("${aws:nokey}")", ctx));
  // 2008-10-17: literal text.
  EXPECT_FALSE(
      Holds("StringLike", "s3:prefix", R"("${aws:PrincipalTag/team}/*")", ctx, "2008-10-17"));
  ConditionContext literal{{"s3:prefix", {"${x}"}}};
  EXPECT_TRUE(Holds("StringEquals", "s3:prefix", R"("${x}")", literal, "2008-10-17"));
}

}  // namespace
}  // namespace nimbus::iam
