#include "manifest/package_zip.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/zip_writer.h"
#include "manifest/package_files.h"

namespace nimbus::manifest {
namespace fs = std::filesystem;
namespace {

bool SafeRelative(const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return false;
  for (const auto& part : fs::path(rel)) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

// Folders ZipFolder leaves out.
bool SkippedFolder(const fs::path& path) {
  std::string name = path.filename().string();
  return name == ".git" || name == ".nimbus" || name == ".serverless" ||
         IsServerDataDir(path.string());
}

}  // namespace

Result<std::string> BuildZip(const std::string& dir, const std::vector<std::string>& files) {
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  if (ec) return InvalidArgument(dir + " is not a directory");
  std::vector<std::string> sorted = files;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

  std::vector<ZipEntry> entries;
  entries.reserve(sorted.size());
  for (const std::string& rel : sorted) {
    if (!SafeRelative(rel)) return InvalidArgument("bad package path \"" + rel + "\"");
    fs::path full = root / rel;
    fs::path real = fs::canonical(full, ec);
    auto [r, p] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    if (ec || r != root.end()) {
      return InvalidArgument(rel + " does not exist or lies outside " + root.string());
    }
    struct stat st;
    if (::stat(real.c_str(), &st) != 0) return ErrnoStatus("stat " + full.string(), errno);
    if (!S_ISREG(st.st_mode)) return InvalidArgument(rel + " is not a regular file");
    entries.push_back(
        ZipEntry::FileFrom(rel, real.string(), (st.st_mode & 0111) != 0 ? 0755 : 0644));
  }
  return WriteZip(std::move(entries));
}

Result<std::string> ZipFolder(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return InvalidArgument(dir + " is not a directory");
  std::vector<ZipEntry> entries;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory() && SkippedFolder(it->path())) {
      it.disable_recursion_pending();
      continue;
    }
    const fs::path& p = it->path();
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;
    // Lexically: fs::relative would follow a link and name it after its target.
    std::string rel = p.lexically_relative(dir).string();
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = ::readlink(p.c_str(), target, sizeof target - 1);
      if (n < 0) continue;
      entries.push_back(ZipEntry::Symlink(rel, std::string(target, static_cast<size_t>(n))));
    } else if (S_ISDIR(st.st_mode)) {
      entries.push_back(ZipEntry::Directory(rel, 0755));
    } else if (S_ISREG(st.st_mode)) {
      entries.push_back(ZipEntry::FileFrom(rel, p.string(), static_cast<int>(st.st_mode & 0777)));
    }
  }
  if (ec) return Internal("cannot read " + dir + ": " + ec.message());
  return WriteZip(std::move(entries));
}

}  // namespace nimbus::manifest
