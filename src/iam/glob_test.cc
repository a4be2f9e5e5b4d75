#include "iam/glob.h"

#include <gtest/gtest.h>

#include <string>

namespace nimbus::iam {
namespace {

TEST(GlobTest, LiteralsMustMatchWholeText) {
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  EXPECT_FALSE(GlobMatch("a", ""));
  EXPECT_TRUE(GlobMatch("abc", "abc"));
  EXPECT_FALSE(GlobMatch("abc", "abcd"));
  EXPECT_FALSE(GlobMatch("abcd", "abc"));
  EXPECT_FALSE(GlobMatch("abc", "ABC"));
}

TEST(GlobTest, StarMatchesAnyRunIncludingSlashAndColon) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "arn:aws:s3:::b/k/x"));
  EXPECT_TRUE(GlobMatch("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c"));
  EXPECT_TRUE(GlobMatch("arn:aws:s3:::b/*", "arn:aws:s3:::b/"));
  EXPECT_FALSE(GlobMatch("arn:aws:s3:::b/*", "arn:aws:s3:::b"));
  EXPECT_TRUE(GlobMatch("arn:aws:logs:*:*:log-group:/aws/lambda/svc-dev*:*",
                        "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/svc-dev-f:"
                        "log-stream:2024/01/31/[$LATEST]abc"));
  EXPECT_TRUE(GlobMatch("a**b", "ab"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(GlobMatch("*c", "abcbc"));
  EXPECT_FALSE(GlobMatch("*c", "abcbd"));
}

TEST(GlobTest, QuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_TRUE(GlobMatch("a?c", "a/c"));
  EXPECT_FALSE(GlobMatch("a?c", "ac"));
  EXPECT_FALSE(GlobMatch("a?c", "abbc"));
  EXPECT_TRUE(GlobMatch("??", "xy"));
  EXPECT_FALSE(GlobMatch("?", ""));
  EXPECT_TRUE(GlobMatch("*?", "x"));
  EXPECT_FALSE(GlobMatch("*?", ""));
}

TEST(GlobTest, IgnoreCaseFoldsAsciiOnly) {
  EXPECT_TRUE(GlobMatchIgnoreCase("dynamodb:PutItem", "DYNAMODB:putitem"));
  EXPECT_TRUE(GlobMatchIgnoreCase("s3:Get*", "S3:getobject"));
  EXPECT_FALSE(GlobMatchIgnoreCase("s3:Get*", "s3:PutObject"));
  EXPECT_FALSE(GlobMatch("s3:Get*", "S3:GetObject"));
}

TEST(GlobTest, PathologicalPatternsFinish) {
  // Exponential for a naive backtracking matcher; linear-ish here.
  std::string text(100000, 'a');
  EXPECT_FALSE(GlobMatch("a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(GlobMatch("a*a*a*a*a*a*a*a*a*a*a", text));
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "*a";
  pattern += "*b";
  EXPECT_FALSE(GlobMatch(pattern, text));
  EXPECT_FALSE(GlobMatchIgnoreCase(pattern, text));
  std::string stars(5000, '*');
  EXPECT_TRUE(GlobMatch(stars, text));
  EXPECT_FALSE(GlobMatch(stars + "b", text));
}

TEST(GlobTest, EscapedPatternsMatchEscapedCharactersLiterally) {
  EXPECT_TRUE(GlobMatchEscaped("a\\*c", "a*c", false));
  EXPECT_FALSE(GlobMatchEscaped("a\\*c", "abc", false));
  EXPECT_TRUE(GlobMatchEscaped("a\\?*", "a?xyz", false));
  EXPECT_FALSE(GlobMatchEscaped("a\\?*", "abxyz", false));
  EXPECT_TRUE(GlobMatchEscaped("a\\\\b", "a\\b", false));
  EXPECT_TRUE(GlobMatchEscaped("a*\\", "abc\\", false));  // a trailing lone '\' is literal
  std::string pattern = "arn:aws:s3:::b/";
  AppendGlobLiteral("us*er?", &pattern);
  pattern += "/*";
  EXPECT_TRUE(GlobMatchEscaped(pattern, "arn:aws:s3:::b/us*er?/k", false));
  EXPECT_FALSE(GlobMatchEscaped(pattern, "arn:aws:s3:::b/usXXerY/k", false));
}

}  // namespace
}  // namespace nimbus::iam
