#include "manifest/package_zip.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "core/fs.h"

namespace nimbus::manifest {
namespace fs = std::filesystem;
namespace {

// DOS time cannot go before 1980-01-01 local time; one day later keeps every
// time zone within range.
constexpr time_t kFixedMtime = 315619200;  // 1980-01-02T00:00:00Z

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

la_ssize_t AppendToString(archive*, void* data, const void* buf, size_t len) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buf), len);
  return static_cast<la_ssize_t>(len);
}

Status ArchiveError(archive* a, const std::string& what) {
  const char* msg = archive_error_string(a);
  return Internal("zip: " + what + ": " + (msg != nullptr ? msg : "unknown error"));
}

bool SafeRelative(const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return false;
  for (const auto& part : fs::path(rel)) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

}  // namespace

Result<std::string> BuildZip(const std::string& dir, const std::vector<std::string>& files) {
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  if (ec) return InvalidArgument(dir + " is not a directory");
  std::vector<std::string> sorted = files;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

  std::string out;
  std::unique_ptr<archive, ArchiveDeleter> a(archive_write_new());
  if (archive_write_set_format_zip(a.get()) != ARCHIVE_OK ||
      archive_write_set_options(a.get(), "zip:compression=deflate") != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK ||
      archive_write_open(a.get(), &out, nullptr, AppendToString, nullptr) != ARCHIVE_OK) {
    return ArchiveError(a.get(), "cannot start the archive");
  }
  std::string buffer(64 * 1024, '\0');
  for (const std::string& rel : sorted) {
    if (!SafeRelative(rel)) return InvalidArgument("bad package path \"" + rel + "\"");
    fs::path full = root / rel;
    fs::path real = fs::canonical(full, ec);
    auto [r, p] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    if (ec || r != root.end()) {
      return InvalidArgument(rel + " does not exist or lies outside " + root.string());
    }
    UniqueFd fd(::open(real.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus("open " + full.string(), errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat " + full.string(), errno);
    if (!S_ISREG(st.st_mode)) return InvalidArgument(rel + " is not a regular file");

    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), rel.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), (st.st_mode & 0111) != 0 ? 0755 : 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(st.st_size));
    archive_entry_set_mtime(e.get(), kFixedMtime, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    if (archive_write_header(a.get(), e.get()) < ARCHIVE_WARN) {
      return ArchiveError(a.get(), "cannot add " + rel);
    }
    // Exactly st_size bytes: a file growing meanwhile must not corrupt the entry.
    la_int64_t left = st.st_size;
    while (left > 0) {
      ssize_t n = ::read(fd.get(), buffer.data(),
                         static_cast<size_t>(std::min<la_int64_t>(left, buffer.size())));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus("read " + full.string(), errno);
      if (n == 0) return Internal(rel + " shrank while it was being packaged");
      if (archive_write_data(a.get(), buffer.data(), static_cast<size_t>(n)) < 0) {
        return ArchiveError(a.get(), "cannot write " + rel);
      }
      left -= n;
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return ArchiveError(a.get(), "cannot finish");
  return out;
}

}  // namespace nimbus::manifest
