#include "manifest/dotenv.h"

#include <gtest/gtest.h>

#include "manifest/test_util.h"

namespace nimbus::manifest {
namespace {

TEST(DotenvTest, ParsesTheDotenvFormat) {
  auto vars = ParseDotenv(
      "# a comment\n"
      "PLAIN=value\n"
      "export EXPORTED=yes\n"
      "SPACED = padded   \n"
      "INLINE=abc # comment\n"
      "HASH=a#b\n"
      "SINGLE='it''s $HOME'\n"
      "DOUBLE=\"line1\\nline2\" # after\n"
      "MULTI=\"first\nsecond\"\n"
      "EMPTY=\n"
      "not an assignment\n"
      "CRLF=win\r\n");
  EXPECT_EQ(vars["PLAIN"].text, "value");
  EXPECT_EQ(vars["EXPORTED"].text, "yes");
  EXPECT_EQ(vars["SPACED"].text, "padded");
  EXPECT_EQ(vars["INLINE"].text, "abc");
  EXPECT_EQ(vars["HASH"].text, "a#b");
  EXPECT_EQ(vars["SINGLE"].text, "it");
  EXPECT_FALSE(vars["SINGLE"].expand);
  EXPECT_EQ(vars["DOUBLE"].text, "line1\nline2");
  EXPECT_EQ(vars["MULTI"].text, "first\nsecond");
  EXPECT_EQ(vars["EMPTY"].text, "");
  EXPECT_EQ(vars["CRLF"].text, "win");
  EXPECT_EQ(vars.count("not"), 0u);
}

TEST(DotenvTest, Expansion) {
  std::map<std::string, std::string> env{{"HOME", "/h"}};
  std::map<std::string, std::string> file{{"BASE", "b"}, {"HOME", "ignored"}};
  EXPECT_EQ(ExpandDotenvValue("$HOME/${BASE}/x", env, file), "/h/b/x");
  EXPECT_EQ(ExpandDotenvValue("${NOPE:-dflt}-$NOPE-\\$HOME", env, file), "dflt--$HOME");
}

TEST(DotenvTest, StageFileWinsAndEnvironmentIsNotOverridden) {
  testing::TempDir dir;
  dir.Write(".env", "A=from-env\nB=base\n");
  dir.Write(".env.prod", "A=from-prod\nC=${A}-c\n");
  std::map<std::string, std::string> env{{"B", "process"}};
  ASSERT_TRUE(LoadDotenv(dir.path(), "prod", &env).ok());
  EXPECT_EQ(env["A"], "from-prod");
  EXPECT_EQ(env["B"], "process");  // .env is not read when .env.prod exists
  EXPECT_EQ(env["C"], "from-prod-c");

  std::map<std::string, std::string> dev{{"A", "kept"}};
  ASSERT_TRUE(LoadDotenv(dir.path(), "dev", &dev).ok());
  EXPECT_EQ(dev["A"], "kept");
  EXPECT_EQ(dev["B"], "base");

  testing::TempDir empty;
  std::map<std::string, std::string> none;
  EXPECT_TRUE(LoadDotenv(empty.path(), "dev", &none).ok());
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace nimbus::manifest
