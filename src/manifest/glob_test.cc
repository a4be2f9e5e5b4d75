#include "manifest/glob.h"

#include <gtest/gtest.h>

namespace nimbus::manifest {
namespace {

bool M(const char* pattern, const char* path) {
  return GlobPattern(pattern).Matches(path);
}

TEST(GlobTest, StarStaysInOneSegment) {
  EXPECT_TRUE(M("*.js", "a.js"));
  EXPECT_FALSE(M("*.js", "dir/a.js"));
  EXPECT_TRUE(M("src/*.js", "src/a.js"));
  EXPECT_FALSE(M("src/*.js", "src/x/a.js"));
  EXPECT_TRUE(M("*", ".gitignore"));  // dot files match, as with dot: true
  EXPECT_TRUE(M("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(M("a*b*c", "aXXbYY"));
}

TEST(GlobTest, GlobstarSpansSegments) {
  EXPECT_TRUE(M("**/*.js", "a.js"));
  EXPECT_TRUE(M("**/*.js", "x/y/a.js"));
  EXPECT_TRUE(M("src/**", "src/a"));
  EXPECT_TRUE(M("src/**", "src/b/c/d"));
  EXPECT_FALSE(M("src/**", "srcx/a"));
  EXPECT_TRUE(M("a/**/b", "a/b"));
  EXPECT_TRUE(M("a/**/b", "a/x/y/b"));
  EXPECT_TRUE(M("**", "anything/at/all"));
  EXPECT_TRUE(M("./**", "x"));
  EXPECT_TRUE(M("node_modules/**/test/**", "node_modules/p/q/test/r.js"));
  EXPECT_TRUE(M("a**", "abc"));  // '**' inside a segment is '*'
}

TEST(GlobTest, QuestionMarkClassesBracesEscapes) {
  EXPECT_TRUE(M("file?.txt", "file1.txt"));
  EXPECT_FALSE(M("file?.txt", "file10.txt"));
  EXPECT_TRUE(M("[abc].js", "b.js"));
  EXPECT_FALSE(M("[abc].js", "d.js"));
  EXPECT_TRUE(M("[!abc].js", "d.js"));
  EXPECT_TRUE(M("v[0-9].txt", "v7.txt"));
  EXPECT_TRUE(M("*.{js,json}", "a.json"));
  EXPECT_TRUE(M("*.{js,json}", "a.js"));
  EXPECT_FALSE(M("*.{js,json}", "a.ts"));
  EXPECT_TRUE(M("{src,lib}/**/*.{js,mjs}", "lib/x/y.mjs"));
  EXPECT_TRUE(M("a\\*b", "a*b"));
  EXPECT_FALSE(M("a\\*b", "axb"));
  EXPECT_TRUE(M(".env*", ".env"));
  EXPECT_TRUE(M(".env*", ".env.prod"));
  EXPECT_TRUE(M("yarn-*.log", "yarn-error.log"));
}

TEST(GlobTest, LiteralPatternsNameFilesOrWholeFolders) {
  EXPECT_TRUE(M("node_modules", "node_modules/x/index.js"));
  EXPECT_TRUE(M("handler.js", "handler.js"));
  EXPECT_FALSE(M("handler.js", "handler.jsx"));
  EXPECT_FALSE(M("src", "srcx/a"));
  EXPECT_TRUE(M("./src/", "src/a"));
}

TEST(GlobTest, Negation) {
  GlobPattern p("!node_modules/aws-sdk/**");
  EXPECT_TRUE(p.negated());
  EXPECT_TRUE(p.Matches("node_modules/aws-sdk/lib/x.js"));
  EXPECT_FALSE(GlobPattern("src/**").negated());
  EXPECT_FALSE(GlobPattern("!").Matches("x"));
}

TEST(GlobTest, ExpandBraces) {
  EXPECT_EQ(ExpandBraces("a{b,c{d,e}}f"), (std::vector<std::string>{"abf", "acdf", "acef"}));
  EXPECT_EQ(ExpandBraces("no{brace}"), std::vector<std::string>{"no{brace}"});
  EXPECT_EQ(ExpandBraces("{a,b}{c,d}").size(), 4u);
}

}  // namespace
}  // namespace nimbus::manifest
