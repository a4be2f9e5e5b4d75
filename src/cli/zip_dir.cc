#include "cli/zip_dir.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "core/fs.h"
#include "manifest/package_files.h"

namespace nimbus::cli {

Result<std::string> ZipDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return InvalidArgument(dir + " is not a directory");
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory() && (name == ".git" || name == ".nimbus" || name == ".serverless" ||
                               manifest::IsServerDataDir(it->path().string()))) {
      it.disable_recursion_pending();
      continue;
    }
    paths.push_back(it->path());
  }
  if (ec) return Internal("cannot read " + dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());  // deterministic archives

  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* data, const void* buf, size_t len) -> la_ssize_t {
        static_cast<std::string*>(data)->append(static_cast<const char*>(buf), len);
        return static_cast<la_ssize_t>(len);
      },
      nullptr);
  Status status;
  for (const auto& p : paths) {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;
    std::string rel = fs::relative(p, dir).string();
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, rel.c_str());
    archive_entry_set_mtime(e, 315532800, 0);  // fixed: same files, same zip
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = ::readlink(p.c_str(), target, sizeof target - 1);
      if (n < 0) continue;
      target[n] = '\0';
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_perm(e, 0777);
      archive_entry_set_symlink(e, target);
      archive_write_header(a, e);
    } else if (S_ISDIR(st.st_mode)) {
      archive_entry_set_filetype(e, AE_IFDIR);
      archive_entry_set_perm(e, 0755);
      archive_write_header(a, e);
    } else if (S_ISREG(st.st_mode)) {
      auto data = ReadFile(p.string());
      if (!data.ok()) {
        status = data.status();
        archive_entry_free(e);
        break;
      }
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, st.st_mode & 0777);
      archive_entry_set_size(e, static_cast<la_int64_t>(data->size()));
      archive_write_header(a, e);
      archive_write_data(a, data->data(), data->size());
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  if (!status.ok()) return status;
  return out;
}

}  // namespace nimbus::cli
