// Nimbus's one zip writer: builds a zip archive in memory from a list of
// entries, for the service packager (manifest/package_zip.h), the folder
// packager of `nimbus function create --dir` and the tests that feed archives
// to the code store.
//
// The archive is deterministic: the same entries give the same bytes, whatever
// the files' timestamps, owners or the order they are listed in. Entries are
// written sorted by path (unless ZipWriteOptions::keep_order asks for the given
// order), each with the same modification time (kZipFixedMtime, 1980-01-02
// 00:00 UTC) and owner 0:0, and with the permission bits the entry carries.
// Files are deflated. The zip's DOS timestamps are written in the local time
// zone by libarchive, so byte-identity holds between runs on machines in the
// same zone.
//
// Paths are written as given: deciding what belongs in an archive (and keeping
// `..` or absolute paths out) is the caller's job, and tests use that to build
// hostile archives. Stateless; any thread.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "core/status.h"

namespace nimbus {

// DOS time cannot go before 1980-01-01 local time; one day later keeps every
// time zone within range.
inline constexpr time_t kZipFixedMtime = 315619200;  // 1980-01-02T00:00:00Z

struct ZipEntry {
  enum class Kind { kFile, kDirectory, kSymlink, kHardlink };

  std::string path;  // the name inside the archive, '/'-separated
  std::string data;  // a file's bytes (unless `source` is set); a link's target
  int mode = 0644;   // permission bits of a file or folder; links are 0777
  Kind kind = Kind::kFile;
  // A file whose bytes are read when the archive is written, instead of
  // `data`: a regular file, not a symbolic link. Exactly the size it has when
  // opened is stored, so a file growing meanwhile cannot corrupt the entry.
  std::string source;

  static ZipEntry File(std::string path, std::string data, int mode = 0644);
  static ZipEntry FileFrom(std::string path, std::string source, int mode);
  static ZipEntry Directory(std::string path, int mode = 0755);
  static ZipEntry Symlink(std::string path, std::string target);
  // A hard link to the entry named `target` (zip has none; for tests of readers).
  static ZipEntry Hardlink(std::string path, std::string target, int mode = 0644);
};

struct ZipWriteOptions {
  // Write the entries in the order given rather than sorted by path (for
  // tests whose archives depend on their order).
  bool keep_order = false;
};

// The archive of `entries`. Fails when a `source` cannot be read or is not a
// regular file, or when libarchive refuses an entry.
Result<std::string> WriteZip(std::vector<ZipEntry> entries, const ZipWriteOptions& options = {});

}  // namespace nimbus
