#include "core/zip_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/crypto.h"
#include "core/fs.h"
#include "core/ids.h"

namespace nimbus {
namespace {

struct ReadEntry {
  std::string path;
  mode_t type = 0;
  int perm = 0;
  time_t mtime = 0;
  std::string data;     // a file's bytes
  std::string symlink;  // a link's target
};

std::vector<ReadEntry> ReadZip(const std::string& zip) {
  std::vector<ReadEntry> out;
  archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  EXPECT_EQ(archive_read_open_memory(a, zip.data(), zip.size()), ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    ReadEntry r;
    r.path = archive_entry_pathname(e);
    r.type = archive_entry_filetype(e);
    r.perm = static_cast<int>(archive_entry_perm(e));
    r.mtime = archive_entry_mtime(e);
    if (const char* target = archive_entry_symlink(e)) r.symlink = target;
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
      r.data.append(buf, static_cast<size_t>(n));
    out.push_back(std::move(r));
  }
  archive_read_free(a);
  return out;
}

std::vector<std::string> Paths(const std::vector<ReadEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.path);
  return out;
}

TEST(ZipWriterTest, WritesEveryKindSortedWithFixedTimes) {
  auto zip = WriteZip({ZipEntry::File("b.txt", "bee"),
                       ZipEntry::File("bin/bootstrap", "#!/bin/sh\n", 0755),
                       ZipEntry::Directory("a/"), ZipEntry::Symlink("link.txt", "b.txt")});
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  auto entries = ReadZip(*zip);
  ASSERT_EQ(Paths(entries), (std::vector<std::string>{"a/", "b.txt", "bin/bootstrap", "link.txt"}));
  EXPECT_EQ(entries[0].type, AE_IFDIR);
  EXPECT_EQ(entries[0].perm, 0755);
  EXPECT_EQ(entries[1].type, AE_IFREG);
  EXPECT_EQ(entries[1].perm, 0644);
  EXPECT_EQ(entries[1].data, "bee");
  EXPECT_EQ(entries[2].perm, 0755);
  EXPECT_EQ(entries[2].data, "#!/bin/sh\n");
  EXPECT_EQ(entries[3].type, AE_IFLNK);
  EXPECT_EQ(entries[3].symlink, "b.txt");
  for (const auto& e : entries) EXPECT_EQ(e.mtime, kZipFixedMtime) << e.path;
}

TEST(ZipWriterTest, SameEntriesSameBytesInAnyOrder) {
  std::vector<ZipEntry> entries = {ZipEntry::File("x", std::string(10000, 'x')),
                                   ZipEntry::File("a/y", "y", 0600), ZipEntry::Symlink("z", "x")};
  auto first = WriteZip(entries);
  std::vector<ZipEntry> reversed(entries.rbegin(), entries.rend());
  auto second = WriteZip(reversed);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(Sha256Hex(*first), Sha256Hex(*second));
  entries[1].mode = 0644;  // modes are kept, so they count
  auto third = WriteZip(entries);
  ASSERT_TRUE(third.ok());
  EXPECT_NE(Sha256Hex(*first), Sha256Hex(*third));
  // Files are deflated.
  EXPECT_LT(first->size(), 1000u);
}

TEST(ZipWriterTest, KeepOrderWritesEntriesAsGiven) {
  ZipWriteOptions keep;
  keep.keep_order = true;
  auto zip = WriteZip(
      {ZipEntry::File("z", "1"), ZipEntry::Symlink("a", "z"), ZipEntry::File("../up", "2")}, keep);
  ASSERT_TRUE(zip.ok());
  EXPECT_EQ(Paths(ReadZip(*zip)), (std::vector<std::string>{"z", "a", "../up"}));
}

TEST(ZipWriterTest, ReadsSourceFilesWhenWriting) {
  std::string dir =
      (std::filesystem::temp_directory_path() / ("nimbus-zip-" + RandomHex(6))).string();
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/big.bin", std::string(200000, 'q'), 0600).ok());
  std::filesystem::create_symlink("big.bin", dir + "/link");
  auto zip = WriteZip({ZipEntry::FileFrom("data/big.bin", dir + "/big.bin", 0644)});
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  auto entries = ReadZip(*zip);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].path, "data/big.bin");
  EXPECT_EQ(entries[0].perm, 0644);
  EXPECT_EQ(entries[0].data, std::string(200000, 'q'));

  EXPECT_FALSE(WriteZip({ZipEntry::FileFrom("x", dir + "/missing", 0644)}).ok());
  EXPECT_FALSE(WriteZip({ZipEntry::FileFrom("x", dir, 0644)}).ok());            // a folder
  EXPECT_FALSE(WriteZip({ZipEntry::FileFrom("x", dir + "/link", 0644)}).ok());  // a link
  std::filesystem::remove_all(dir);
}

TEST(ZipWriterTest, NoEntriesIsTheEndRecordAlone) {
  auto zip = WriteZip({});
  ASSERT_TRUE(zip.ok());
  EXPECT_EQ(zip->size(), 22u);
}

}  // namespace
}  // namespace nimbus
