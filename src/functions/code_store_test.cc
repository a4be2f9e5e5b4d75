#include "functions/code_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/fs.h"
#include "core/ids.h"
#include "core/zip_writer.h"

namespace nimbus::functions {
namespace {

using E = ZipEntry;

// The archive of `entries` in the order given: hostile archives depend on it.
std::string MakeZip(const std::vector<ZipEntry>& entries) {
  ZipWriteOptions options;
  options.keep_order = true;
  auto zip = WriteZip(entries, options);
  EXPECT_TRUE(zip.ok()) << zip.status().ToString();
  return zip.ok() ? *zip : std::string();
}

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
  std::string zip = MakeZip({E::File("index.js", "exports.handler = 1;"),
                             E::File("bin/bootstrap", "#!/bin/sh\n", 0755),
                             E::Directory("lib/"),
                             E::Symlink("lib/link.js", "../index.js")});
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
  const std::vector<std::vector<E>> bad = {
      {E::File("/etc/passwd", "x")},
      {E::File("../escape.txt", "x")},
      {E::File("a/../../escape.txt", "x")},
      {E::Symlink("evil", "/etc")},
      {E::Symlink("evil", "../../..")},
      {E::Symlink("dir/link", "../../outside")},
      // A file written through a link made earlier in the archive.
      {E::Symlink("up", ".."), E::File("up/escape.txt", "x")},
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

TEST_F(CodeStoreTest, RefusesDotDotEntries) {
  for (const char* path : {"..", "a/..", "./../x", "a/./../../x", "a/b/../../../x", "a//../../x"}) {
    std::string dest = root_ + "/tree-" + RandomHex(4);
    ASSERT_TRUE(MakeDirs(root_).ok());
    Status s = ExtractZip(MakeZip({E::File(path, "x")}), dest, {});
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << path << ": " << s.ToString();
  }
  EXPECT_FALSE(PathExists(root_ + "/x"));
}

// Links that each look inside the tree when read as text but lead out of it
// once the links they pass through are followed.
TEST_F(CodeStoreTest, RefusesLinksThroughLinksThatLeaveTheTree) {
  const std::vector<std::vector<E>> bad = {
      // d/up is the tree's root, so d/out is its parent.
      {E::Symlink("d/up", ".."), E::Symlink("d/out", "up/..")},
      // A link to a link to ../../: d/e/y is the root, d/e/x its parent.
      {E::Symlink("d/e/y", "../.."), E::Symlink("d/e/x", "y/.."), E::Symlink("z", "d/e/x")},
      // Three hops up to a sibling of the tree (the code store, in the data dir).
      {E::Symlink("d/up", ".."),
       E::Symlink("d/e/up2", "../up/.."),
       E::Symlink("d/e/f/data", "../up2/../outside/secret")},
      // Through a link to a directory, then up past the root.
      {E::Symlink("a/b/c", ".."), E::Symlink("a/b/d", "c/../x"), E::Symlink("a/up", "b/c/../..")},
  };
  ASSERT_TRUE(MakeDirs(root_ + "/outside").ok());
  ASSERT_TRUE(WriteFileAtomic(root_ + "/outside/secret", "data dir", 0600).ok());
  for (const auto& entries : bad) {
    std::string dest = root_ + "/tree-" + RandomHex(4);
    Status s = ExtractZip(MakeZip(entries), dest, {});
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << entries.back().path << ": " << s.ToString();
    EXPECT_NE(s.message().find("leads outside the function code"), std::string::npos)
        << s.message();
  }
  // Through the store, nothing is left behind either.
  CodeStore store(root_ + "/store");
  auto r = store.Put(MakeZip(bad[0]));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "symbolic link d/out -> up/.. leads outside the function code; links in the archive "
            "must point to files inside it (replace the link with the file it points to)");
  EXPECT_TRUE(store.List().empty());
}

TEST_F(CodeStoreTest, NeverWritesThroughLinks) {
  const std::vector<std::vector<E>> bad = {
      {E::Symlink("a", "/tmp"), E::File("a/x", "data")},
      {E::File("a/x", "data"), E::Symlink("a", "/tmp")},
      {E::Symlink("a", "../outside"), E::File("a/x", "data")},
      // An inside link, then a file through it: the file makes `a` a real
      // directory, so the link clashes with it.
      {E::Directory("b/"), E::Symlink("a", "b"), E::File("a/x", "data")},
      // A link through a link made from a link (d/up is the root).
      {E::Symlink("d/up", ".."), E::Symlink("d/out", "up/../outside"), E::File("d/out/x", "data")},
  };
  ASSERT_TRUE(MakeDirs(root_ + "/outside").ok());
  std::string marker = "nimbus-code-store-test-" + RandomHex(6);
  for (auto entries : bad) {
    for (auto& e : entries) {
      if (e.path.ends_with("/x")) e.path.replace(e.path.size() - 1, 1, marker);
    }
    std::string dest = root_ + "/tree-" + RandomHex(4);
    Status s = ExtractZip(MakeZip(entries), dest, {});
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
    EXPECT_FALSE(PathExists(dest + "/b/" + marker));
  }
  EXPECT_FALSE(PathExists("/tmp/" + marker));
  EXPECT_TRUE(std::filesystem::is_empty(root_ + "/outside"));
}

TEST_F(CodeStoreTest, HardLinksNeverShareAFile) {
  ASSERT_TRUE(MakeDirs(root_).ok());
  ASSERT_TRUE(WriteFileAtomic(root_ + "/secret", "secret", 0600).ok());
  const std::vector<std::vector<E>> archives = {
      {E::File("a.txt", "hello"), E::Hardlink("b.txt", "a.txt")},
      {E::Hardlink("b.txt", "/etc/passwd")},
      {E::Hardlink("b.txt", "../secret")},
  };
  for (const auto& entries : archives) {
    std::string dest = root_ + "/tree-" + RandomHex(4);
    Status s = ExtractZip(MakeZip(entries), dest, {});
    // Zip has no hard links: the entry is refused or becomes a file of its own.
    if (!s.ok()) {
      EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
      continue;
    }
    struct stat st;
    ASSERT_EQ(::lstat((dest + "/b.txt").c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_nlink, 1u);
    EXPECT_EQ(*ReadFile(dest + "/b.txt"), "");
  }
}

TEST_F(CodeStoreTest, KeepsRelativeLinksInsideTheTree) {
  CodeStore store(root_);
  auto code = store.Put(MakeZip({
      E::File("index.js", "index"),
      E::File("lib/util.js", "util"),
      E::File("node_modules/pkg/cli.js", "cli", 0755),
      E::Symlink("node_modules/.bin/tool", "../pkg/cli.js"),
      E::Symlink("current", "lib"),                       // a link to a directory
      E::Symlink("alias.js", "current/util.js"),          // through a directory link
      E::Symlink("lib/up.js", "../current/../index.js"),  // through a link, then up
      E::Symlink("lib/again", "../alias.js"),             // a link to a link
      E::Symlink("lib/dangling", "missing.js"),           // to nothing: stays dangling
  }));
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*ReadFile(code->dir + "/node_modules/.bin/tool"), "cli");
  EXPECT_EQ(*ReadFile(code->dir + "/current/util.js"), "util");
  EXPECT_EQ(*ReadFile(code->dir + "/alias.js"), "util");
  EXPECT_EQ(*ReadFile(code->dir + "/lib/up.js"), "index");
  EXPECT_EQ(*ReadFile(code->dir + "/lib/again"), "util");
  EXPECT_FALSE(ReadFile(code->dir + "/lib/dangling").ok());
}

TEST_F(CodeStoreTest, RefusesLoopsOfLinks) {
  CodeStore store(root_);
  auto r = store.Put(MakeZip({E::Symlink("a", "b"), E::Symlink("b", "a")}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("loop of links"), std::string::npos);
}

TEST_F(CodeStoreTest, RefusesCorruptAndOversizedZips) {
  CodeStore store(root_);
  auto corrupt = store.Put("this is not a zip file at all");
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().message(),
            "Could not unzip uploaded file. Please check your file, then try to upload again.");
  std::string zip = MakeZip({E::File("a.txt", std::string(1000, 'a'))});
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
