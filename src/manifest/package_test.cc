#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/crypto.h"
#include "manifest/package_files.h"
#include "manifest/package_zip.h"
#include "manifest/test_util.h"

namespace nimbus::manifest {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using Files = std::vector<std::string>;

// A service folder with the usual clutter, links and Nimbus's data dir.
void Populate(const TempDir& dir) {
  dir.Write("handler.js", "exports.main = 1;\n");
  dir.Write("src/a.js", "a\n");
  dir.Write("src/b.txt", "b\n");
  dir.Write("tests/t.js", "t\n");
  dir.Write(".git/config", "[core]\n");
  dir.Write(".gitignore", "node_modules\n");
  dir.Write(".env", "A=1\n");
  dir.Write(".env.prod", "A=2\n");
  dir.Write("serverless.yml", "service: s\n");
  dir.Write(".serverless/s.zip", "zip");
  dir.Write(".nimbus/data/db", "data");
  // A `nimbus serve --data-dir data` inside the service folder.
  dir.Write("data/credentials", "root key\n");
  dir.Write("data/db/CURRENT", "MANIFEST-000005\n");
  dir.Write("data/code/abc/handler.js", "old code\n");
  dir.Write("fixtures/db/rows.json", "[]\n");  // only looks like one
  dir.Write("node_modules/aws-sdk/index.js", "sdk\n");
  dir.Write("node_modules/lodash/index.js", "lodash\n");
  dir.Write("yarn-error.log", "log\n");
  dir.Write("bootstrap", "#!/bin/sh\necho hi\n", 0755);
  dir.Write("outside/secret.txt", "no\n");
  fs::create_symlink("src/a.js", dir.Abs("link-in.js"));
  fs::create_symlink("/etc/hostname", dir.Abs("link-out"));
  fs::create_symlink("missing-target", dir.Abs("dangling"));
  fs::create_symlink("src", dir.Abs("srclink"));
  fs::create_symlink("..", dir.Abs("src/up"));  // a loop back to the service root
}

TEST(PackageFilesTest, DefaultsExcludeClutter) {
  TempDir dir;
  Populate(dir);
  auto files = SelectPackageFiles(dir.path(), {});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(*files, (Files{"bootstrap", "fixtures/db/rows.json", "handler.js", "link-in.js",
                           "node_modules/aws-sdk/index.js", "node_modules/lodash/index.js",
                           "outside/secret.txt", "src/a.js", "src/b.txt", "srclink/a.js",
                           "srclink/b.txt", "tests/t.js"}));
}

TEST(PackageFilesTest, PatternsApplyInOrderLaterWins) {
  TempDir dir;
  Populate(dir);
  auto files = SelectPackageFiles(dir.path(), {"!node_modules/aws-sdk/**", "!tests/**", "!outside",
                                               "!srclink/**", "tests/t.js"});
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, (Files{"bootstrap", "fixtures/db/rows.json", "handler.js", "link-in.js",
                           "node_modules/lodash/index.js", "src/a.js", "src/b.txt", "tests/t.js"}));

  auto only = SelectPackageFiles(dir.path(), {"!./**", "src/**", "handler.js"});
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(*only, (Files{"handler.js", "src/a.js", "src/b.txt"}));

  // A pattern may bring back a default exclusion, but never .nimbus or a
  // server's data dir.
  auto env = SelectPackageFiles(dir.path(), {"!**", ".env", ".nimbus/**", "**/*.db", "data/**"});
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(*env, (Files{".env"}));
}

TEST(PackageFilesTest, NotADirectory) {
  EXPECT_FALSE(SelectPackageFiles("/nonexistent/folder", {}).ok());
}

std::map<std::string, std::pair<int, std::string>> ReadZip(const std::string& zip,
                                                           std::vector<std::string>* order,
                                                           std::vector<time_t>* mtimes) {
  std::map<std::string, std::pair<int, std::string>> out;
  archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  EXPECT_EQ(archive_read_open_memory(a, zip.data(), zip.size()), ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string content;
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
      content.append(buf, static_cast<size_t>(n));
    out[archive_entry_pathname(e)] = {static_cast<int>(archive_entry_perm(e)), content};
    order->push_back(archive_entry_pathname(e));
    mtimes->push_back(archive_entry_mtime(e));
  }
  archive_read_free(a);
  return out;
}

TEST(PackageZipTest, DeterministicAcrossTouchAndListingOrder) {
  TempDir dir;
  Populate(dir);
  auto files = SelectPackageFiles(dir.path(), {"!node_modules/**", "!outside/**", "!srclink/**"});
  ASSERT_TRUE(files.ok());
  auto first = BuildZip(dir.path(), *files);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Files reversed(files->rbegin(), files->rend());
  auto second = BuildZip(dir.path(), reversed);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Sha256Hex(*first), Sha256Hex(*second));

  // Touching files (new mtime and atime) changes nothing.
  struct timespec later[2] = {{1'900'000'000, 0}, {1'900'000'000, 0}};
  for (const std::string& f : *files)
    ASSERT_EQ(::utimensat(AT_FDCWD, dir.Abs(f).c_str(), later, 0), 0);
  auto touched = BuildZip(dir.path(), *files);
  ASSERT_TRUE(touched.ok());
  EXPECT_EQ(Sha256Hex(*first), Sha256Hex(*touched));

  // Changing content or the executable bit does change it.
  dir.Write("src/b.txt", "B\n");
  auto edited = BuildZip(dir.path(), *files);
  ASSERT_TRUE(edited.ok());
  EXPECT_NE(Sha256Hex(*first), Sha256Hex(*edited));
  dir.Write("src/b.txt", "b\n");
  ::chmod(dir.Abs("src/b.txt").c_str(), 0755);
  auto chmodded = BuildZip(dir.path(), *files);
  ASSERT_TRUE(chmodded.ok());
  EXPECT_NE(Sha256Hex(*first), Sha256Hex(*chmodded));
  ::chmod(dir.Abs("src/b.txt").c_str(), 0600);  // other non-exec modes normalise to 0644
  auto restored = BuildZip(dir.path(), *files);
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(Sha256Hex(*first), Sha256Hex(*restored));
}

TEST(PackageZipTest, EntriesModesAndContent) {
  TempDir dir;
  Populate(dir);
  auto zip = BuildZip(dir.path(), {"src/b.txt", "bootstrap", "link-in.js", "handler.js"});
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  std::vector<std::string> order;
  std::vector<time_t> mtimes;
  auto entries = ReadZip(*zip, &order, &mtimes);
  EXPECT_EQ(order, (Files{"bootstrap", "handler.js", "link-in.js", "src/b.txt"}));
  EXPECT_EQ(entries["bootstrap"].first, 0755);
  EXPECT_EQ(entries["bootstrap"].second, "#!/bin/sh\necho hi\n");
  EXPECT_EQ(entries["handler.js"].first, 0644);
  EXPECT_EQ(entries["link-in.js"].second, "a\n");  // the link's target, as a file
  for (time_t t : mtimes) EXPECT_EQ(t, 315619200);
}

TEST(PackageZipTest, RefusesPathsOutsideTheFolder) {
  TempDir dir;
  Populate(dir);
  EXPECT_FALSE(BuildZip(dir.path(), {"../etc/passwd"}).ok());
  EXPECT_FALSE(BuildZip(dir.path(), {"/etc/passwd"}).ok());
  EXPECT_FALSE(BuildZip(dir.path(), {"link-out"}).ok());
  EXPECT_FALSE(BuildZip(dir.path(), {"missing.js"}).ok());
  EXPECT_FALSE(BuildZip(dir.path(), {"src"}).ok());  // a folder, not a file
  auto empty = BuildZip(dir.path(), {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size(), 22u);  // just the end-of-central-directory record
}

TEST(ZipFolderTest, KeepsLinksFoldersAndModesButNotDataFolders) {
  TempDir dir;
  Populate(dir);
  ::chmod(dir.Abs("src/b.txt").c_str(), 0600);
  auto zip = ZipFolder(dir.path());
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  std::vector<std::string> order;
  std::vector<time_t> mtimes;
  auto entries = ReadZip(*zip, &order, &mtimes);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_EQ(entries.count("handler.js"), 1u);
  EXPECT_EQ(entries["bootstrap"].first, 0755);
  EXPECT_EQ(entries["src/b.txt"].first, 0600);  // modes as they are
  EXPECT_EQ(entries["src/"].first, 0755);       // folders have entries
  EXPECT_EQ(entries["link-in.js"].first, 0777);  // links stay links, under their own names
  EXPECT_EQ(entries["src/up"].first, 0777);
  EXPECT_EQ(entries.count("src/a.js"), 1u);
  EXPECT_EQ(entries.count("node_modules/lodash/index.js"), 1u);
  for (const std::string& path : order) {
    EXPECT_FALSE(path.starts_with(".git/") || path.starts_with(".nimbus/") ||
                 path.starts_with(".serverless/") || path.starts_with("data/"))
        << path;
  }
  for (time_t t : mtimes) EXPECT_EQ(t, 315619200);
  auto again = ZipFolder(dir.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Sha256Hex(*zip), Sha256Hex(*again));
  EXPECT_FALSE(ZipFolder(dir.Abs("handler.js")).ok());
}

}  // namespace
}  // namespace nimbus::manifest
