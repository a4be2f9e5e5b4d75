#include "core/zip_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "core/fs.h"

namespace nimbus {
namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using Archive = std::unique_ptr<archive, ArchiveDeleter>;

la_ssize_t AppendToString(archive*, void* data, const void* buf, size_t len) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buf), len);
  return static_cast<la_ssize_t>(len);
}

Status ArchiveError(archive* a, const std::string& what) {
  const char* msg = archive_error_string(a);
  return Internal("zip: " + what + ": " + (msg != nullptr ? msg : "unknown error"));
}

// Copies exactly `size` bytes of `fd` into the archive's current entry.
Status CopyFile(archive* a, int fd, la_int64_t size, const ZipEntry& entry) {
  std::string buffer(64 * 1024, '\0');
  la_int64_t left = size;
  while (left > 0) {
    ssize_t n =
        ::read(fd, buffer.data(), static_cast<size_t>(std::min<la_int64_t>(left, buffer.size())));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("read " + entry.source, errno);
    if (n == 0) return Internal(entry.path + " shrank while it was being packaged");
    if (archive_write_data(a, buffer.data(), static_cast<size_t>(n)) < 0) {
      return ArchiveError(a, "cannot write " + entry.path);
    }
    left -= n;
  }
  return Status::Ok();
}

Status WriteEntry(archive* a, const ZipEntry& entry) {
  std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
  archive_entry_set_pathname(e.get(), entry.path.c_str());
  archive_entry_set_mtime(e.get(), kZipFixedMtime, 0);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  UniqueFd fd;
  la_int64_t size = 0;
  switch (entry.kind) {
    case ZipEntry::Kind::kFile:
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_perm(e.get(), static_cast<mode_t>(entry.mode & 07777));
      if (!entry.source.empty()) {
        fd = UniqueFd(::open(entry.source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        if (!fd.valid()) return ErrnoStatus("open " + entry.source, errno);
        struct stat st;
        if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat " + entry.source, errno);
        if (!S_ISREG(st.st_mode)) return InvalidArgument(entry.source + " is not a regular file");
        size = static_cast<la_int64_t>(st.st_size);
      } else {
        size = static_cast<la_int64_t>(entry.data.size());
      }
      archive_entry_set_size(e.get(), size);
      break;
    case ZipEntry::Kind::kDirectory:
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      archive_entry_set_perm(e.get(), static_cast<mode_t>(entry.mode & 07777));
      break;
    case ZipEntry::Kind::kSymlink:
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_perm(e.get(), 0777);
      archive_entry_set_symlink(e.get(), entry.data.c_str());
      break;
    case ZipEntry::Kind::kHardlink:
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_perm(e.get(), static_cast<mode_t>(entry.mode & 07777));
      archive_entry_set_hardlink(e.get(), entry.data.c_str());
      archive_entry_set_size(e.get(), 0);
      break;
  }
  if (archive_write_header(a, e.get()) < ARCHIVE_WARN) {
    return ArchiveError(a, "cannot add " + entry.path);
  }
  if (entry.kind != ZipEntry::Kind::kFile) return Status::Ok();
  if (fd.valid()) return CopyFile(a, fd.get(), size, entry);
  if (!entry.data.empty() && archive_write_data(a, entry.data.data(), entry.data.size()) < 0) {
    return ArchiveError(a, "cannot write " + entry.path);
  }
  return Status::Ok();
}

}  // namespace

ZipEntry ZipEntry::File(std::string path, std::string data, int mode) {
  return ZipEntry{std::move(path), std::move(data), mode, Kind::kFile, {}};
}

ZipEntry ZipEntry::FileFrom(std::string path, std::string source, int mode) {
  return ZipEntry{std::move(path), {}, mode, Kind::kFile, std::move(source)};
}

ZipEntry ZipEntry::Directory(std::string path, int mode) {
  return ZipEntry{std::move(path), {}, mode, Kind::kDirectory, {}};
}

ZipEntry ZipEntry::Symlink(std::string path, std::string target) {
  return ZipEntry{std::move(path), std::move(target), 0777, Kind::kSymlink, {}};
}

ZipEntry ZipEntry::Hardlink(std::string path, std::string target, int mode) {
  return ZipEntry{std::move(path), std::move(target), mode, Kind::kHardlink, {}};
}

Result<std::string> WriteZip(std::vector<ZipEntry> entries, const ZipWriteOptions& options) {
  if (!options.keep_order) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const ZipEntry& a, const ZipEntry& b) { return a.path < b.path; });
  }
  std::string out;
  Archive a(archive_write_new());
  if (archive_write_set_format_zip(a.get()) != ARCHIVE_OK ||
      archive_write_set_options(a.get(), "zip:compression=deflate") != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK ||
      archive_write_open(a.get(), &out, nullptr, AppendToString, nullptr) != ARCHIVE_OK) {
    return ArchiveError(a.get(), "cannot start the archive");
  }
  for (const ZipEntry& entry : entries) RETURN_IF_ERROR(WriteEntry(a.get(), entry));
  if (archive_write_close(a.get()) != ARCHIVE_OK) return ArchiveError(a.get(), "cannot finish");
  return out;
}

}  // namespace nimbus
