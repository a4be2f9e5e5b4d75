#include "functions/code_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/fs.h"
#include "core/ids.h"
#include "functions/zip_builder_for_test.h"

namespace nimbus::functions {
namespace {

using testing::MakeZip;

class CodeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = (std::filesystem::temp_directory_path() / ("nimbus-code-" + RandomHex(8))).string();
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
};

TEST_F(CodeStoreTest, StoresByContentAndKeepsExecBits) {
  CodeStore store(root_);
  std::string zip = MakeZip({{"index.js", "exports.handler = 1;"},
                             {"bin/bootstrap", "#!/bin/sh\n", 0755},
                             {"lib/", "", 0755, false, true},
                             {"lib/link.js", "../index.js", 0, true}});
  auto code = store.Put(zip);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(code->size, zip.size());
  EXPECT_EQ(code->sha256_hex.size(), 64u);
  EXPECT_EQ(*ReadFile(code->dir + "/index.js"), "exports.handler = 1;");
  struct stat st;
  ASSERT_EQ(::stat((code->dir + "/bin/bootstrap").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  ASSERT_EQ(::stat((code->dir + "/index.js").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(*ReadFile(code->dir + "/lib/link.js"), "exports.handler = 1;");
  auto again = store.Put(zip);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->dir, code->dir);
  EXPECT_EQ(store.Get(code->sha256_hex)->sha256_base64, code->sha256_base64);
}

TEST_F(CodeStoreTest, RefusesHostileArchives) {
  CodeStore store(root_);
  const std::vector<std::vector<testing::ZipEntry>> bad = {
      {{"/etc/passwd", "x"}},
      {{"../escape.txt", "x"}},
      {{"a/../../escape.txt", "x"}},
      {{"evil", "/etc", 0, true}},
      {{"evil", "../../..", 0, true}},
      {{"dir/link", "../../outside", 0, true}},
      // A file written through a link made earlier in the archive.
      {{"up", "..", 0, true}, {"up/escape.txt", "x"}},
  };
  for (const auto& entries : bad) {
    auto r = store.Put(MakeZip(entries));
    EXPECT_FALSE(r.ok()) << entries[0].path;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().ToString();
  }
  EXPECT_FALSE(PathExists(root_ + "/../escape.txt"));
  // Nothing half-extracted is left behind.
  size_t leftovers = 0;
  if (PathExists(root_)) {
    for (auto& e : std::filesystem::directory_iterator(root_)) {
      (void)e;
      ++leftovers;
    }
  }
  EXPECT_EQ(leftovers, 0u);
}

TEST_F(CodeStoreTest, RefusesCorruptAndOversizedZips) {
  CodeStore store(root_);
  auto corrupt = store.Put("this is not a zip file at all");
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().message(),
            "Could not unzip uploaded file. Please check your file, then try to upload again.");
  std::string zip = MakeZip({{"a.txt", std::string(1000, 'a')}});
  std::string truncated = zip.substr(0, zip.size() / 2);
  auto t = store.Put(truncated);
  EXPECT_FALSE(t.ok()) << truncated.size() << " " << zip.size();
  CodeStoreLimits limits;
  limits.max_unzipped_bytes = 500;
  CodeStore small(root_ + "/small", limits);
  auto big = small.Put(zip);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("Unzipped size must be smaller than 500 bytes"),
            std::string::npos);
}

}  // namespace
}  // namespace nimbus::functions
