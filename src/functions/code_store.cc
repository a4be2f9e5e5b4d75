#include "functions/code_store.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <vector>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/fs.h"
#include "core/ids.h"
#include "core/strings.h"

namespace nimbus::functions {
namespace {

const char* kUnzipError =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";

// Splits a relative archive path into safe components, or fails.
Result<std::vector<std::string>> SafeComponents(std::string_view path) {
  if (path.empty()) return InvalidArgument("empty path in archive");
  if (path.front() == '/') return InvalidArgument("absolute path in archive: " + std::string(path));
  std::vector<std::string> out;
  for (std::string_view part : Split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return InvalidArgument("path leaving the archive: " + std::string(path));
    if (part.find('\0') != std::string_view::npos) return InvalidArgument("bad path in archive");
    out.emplace_back(part);
  }
  if (out.empty()) return InvalidArgument("empty path in archive");
  return out;
}

// Creates (or checks) each parent directory of `parts` under `root`,
// refusing to pass through anything that is not a real directory.
Result<std::string> MakeParents(const std::string& root, const std::vector<std::string>& parts) {
  std::string path = root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    path += "/" + parts[i];
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return InvalidArgument("archive path goes through a non-directory");
    } else if (::mkdir(path.c_str(), 0755) != 0) {
      return ErrnoStatus("mkdir " + path, errno);
    }
  }
  return path + "/" + parts.back();
}

// Whether a link at `parts` pointing to `target` stays inside the tree.
bool LinkStaysInside(const std::vector<std::string>& parts, std::string_view target) {
  if (target.empty() || target.front() == '/') return false;
  std::vector<std::string> stack(parts.begin(), parts.end() - 1);
  for (std::string_view part : Split(target, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (stack.empty()) return false;
      stack.pop_back();
    } else {
      stack.emplace_back(part);
    }
  }
  return true;
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

Status ExtractZip(std::string_view zip, const std::string& dest, const CodeStoreLimits& limits) {
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  // The seekable reader insists on a complete central directory, as Lambda does.
  archive_read_support_format_zip_seekable(a.get());
  if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK) {
    return InvalidArgument(kUnzipError);
  }
  if (::mkdir(dest.c_str(), 0755) != 0) return ErrnoStatus("mkdir " + dest, errno);
  struct Link {
    std::vector<std::string> parts;
    std::string target;
  };
  std::vector<Link> links;
  uint64_t total = 0;
  uint64_t entries = 0;
  archive_entry* entry = nullptr;
  while (true) {
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return InvalidArgument(kUnzipError);
    if (++entries > limits.max_entries) return InvalidArgument("too many files in the archive");
    const char* name = archive_entry_pathname(entry);
    if (name == nullptr) return InvalidArgument(kUnzipError);
    ASSIGN_OR_RETURN(auto parts, SafeComponents(name));
    mode_t type = archive_entry_filetype(entry);
    if (archive_entry_hardlink(entry) != nullptr) {
      return InvalidArgument("hard links are not allowed in function code: " + std::string(name));
    }
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      if (target == nullptr || !LinkStaysInside(parts, target)) {
        return InvalidArgument("symbolic link leaves the function code: " + std::string(name));
      }
      links.push_back({std::move(parts), target});  // created last, see below
      continue;
    }
    ASSIGN_OR_RETURN(std::string path, MakeParents(dest, parts));
    if (type == AE_IFDIR) {
      struct stat st;
      if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return InvalidArgument("conflicting entries in the archive");
      } else if (::mkdir(path.c_str(), 0755) != 0) {
        return ErrnoStatus("mkdir " + path, errno);
      }
      continue;
    }
    if (type != AE_IFREG && type != 0) continue;  // devices, fifos: ignored
    // Readable by the sandbox user; executable if the archive says so (or
    // carries no Unix mode at all, as some zip tools write).
    mode_t perm = archive_entry_perm(entry);
    mode_t mode = (perm & 0111) ? 0755 : 0644;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd.valid()) {
      if (errno == EEXIST) return InvalidArgument("duplicate file in the archive: " + std::string(name));
      return ErrnoStatus("create " + path, errno);
    }
    ::fchmod(fd.get(), mode);
    const void* buf;
    size_t len;
    la_int64_t offset;
    while (true) {
      rc = archive_read_data_block(a.get(), &buf, &len, &offset);
      if (rc == ARCHIVE_EOF) break;
      if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return InvalidArgument(kUnzipError);
      total += len;
      if (total > limits.max_unzipped_bytes) {
        return InvalidArgument("Unzipped size must be smaller than " +
                               std::to_string(limits.max_unzipped_bytes) + " bytes");
      }
      if (::pwrite(fd.get(), buf, len, offset) != static_cast<ssize_t>(len)) {
        return ErrnoStatus("write " + path, errno);
      }
    }
  }
  // Links last: no file is ever written through one. Their parents must be
  // real directories (a link may not sit below another link).
  std::sort(links.begin(), links.end(),
            [](const Link& x, const Link& y) { return x.parts.size() < y.parts.size(); });
  for (const Link& link : links) {
    ASSIGN_OR_RETURN(std::string path, MakeParents(dest, link.parts));
    if (::symlink(link.target.c_str(), path.c_str()) != 0) {
      if (errno == EEXIST) return InvalidArgument("duplicate entry in the archive");
      return ErrnoStatus("symlink " + path, errno);
    }
  }
  ::chmod(dest.c_str(), 0755);
  return Status::Ok();
}

CodeStore::CodeStore(std::string root, CodeStoreLimits limits)
    : root_(std::move(root)), limits_(limits) {}

std::string CodeStore::ZipPath(const std::string& hex) const { return root_ + "/" + hex + ".zip"; }

Result<StoredCode> CodeStore::Get(const std::string& hex) const {
  StoredCode c;
  c.sha256_hex = hex;
  c.dir = root_ + "/" + hex;
  struct stat st;
  if (::stat(ZipPath(hex).c_str(), &st) != 0 || !PathExists(c.dir)) {
    return NotFound("code " + hex + " is not stored");
  }
  c.size = static_cast<uint64_t>(st.st_size);
  auto raw = Unhex(hex);
  c.sha256_base64 = raw ? Base64Encode(*raw) : "";
  return c;
}

Result<StoredCode> CodeStore::Put(std::string_view zip) {
  if (zip.size() > limits_.max_zip_bytes) {
    return TooLarge("Zipped code must be smaller than " + std::to_string(limits_.max_zip_bytes) +
                    " bytes");
  }
  std::string digest = Sha256(zip);
  std::string hex = Hex(digest);
  if (auto existing = Get(hex); existing.ok()) return existing;
  RETURN_IF_ERROR(MakeDirs(root_));
  std::string staging = root_ + "/.staging-" + RandomHex(12);
  Status s = ExtractZip(zip, staging, limits_);
  if (s.ok()) s = WriteFileAtomic(ZipPath(hex), zip, 0600);
  if (s.ok() && ::rename(staging.c_str(), (root_ + "/" + hex).c_str()) != 0) {
    // A concurrent upload of the same bytes won; its tree is identical.
    if (errno != ENOTEMPTY && errno != EEXIST) s = ErrnoStatus("rename code tree", errno);
  }
  RemoveAll(staging).IgnoreError();
  if (!s.ok()) return s;
  StoredCode c;
  c.sha256_hex = hex;
  c.sha256_base64 = Base64Encode(digest);
  c.size = zip.size();
  c.dir = root_ + "/" + hex;
  return c;
}

std::vector<std::string> CodeStore::List() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(root_, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() == 68 && name.ends_with(".zip")) name.resize(64);
    if (name.size() == 64 && Unhex(name)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status CodeStore::Remove(const std::string& hex) {
  ::unlink(ZipPath(hex).c_str());
  return RemoveAll(root_ + "/" + hex);
}

}  // namespace nimbus::functions
