#include "functions/code_store.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

// Every path inside the tree is resolved by the kernel relative to the
// tree's directory fd and may not leave it, whatever links it meets.
constexpr uint64_t kBeneath = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
// While extracting, no path may pass through a link at all.
constexpr uint64_t kNoLinks = kBeneath | RESOLVE_NO_SYMLINKS;

// openat2(2), which glibc 2.36 does not wrap. Retries the EAGAIN the kernel
// may answer when a rename races a RESOLVE_BENEATH lookup.
UniqueFd OpenBeneath(int dir, const std::string& path, uint64_t flags, uint64_t resolve,
                     mode_t mode = 0) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = resolve;
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, dir, path.c_str(), &how, sizeof(how));
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno != EAGAIN || attempt == 3) return UniqueFd();
  }
}

// The directory at `parts[0..count)` under `root`, each one created if
// missing; refuses to pass through anything that is not a real directory.
// `name` is the archive path, for errors.
Result<UniqueFd> OpenDirs(int root, const std::vector<std::string>& parts, size_t count,
                          std::string_view name) {
  UniqueFd dir = OpenBeneath(root, ".", O_PATH | O_DIRECTORY, kNoLinks);
  if (!dir.valid()) return ErrnoStatus("open code tree", errno);
  for (size_t i = 0; i < count; ++i) {
    UniqueFd next = OpenBeneath(dir.get(), parts[i], O_PATH | O_DIRECTORY, kNoLinks);
    if (!next.valid() && errno == ENOENT) {
      if (::mkdirat(dir.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoStatus("mkdir " + parts[i], errno);
      }
      next = OpenBeneath(dir.get(), parts[i], O_PATH | O_DIRECTORY, kNoLinks);
    }
    if (!next.valid()) {
      if (errno == ENOTDIR || errno == ELOOP || errno == EXDEV) {
        return InvalidArgument("archive path goes through a non-directory: " + std::string(name));
      }
      return ErrnoStatus("open " + parts[i], errno);
    }
    dir = std::move(next);
  }
  return dir;
}

// Whether a link at `parts` pointing to `target` stays inside the tree, read
// as text. A quick first check: links through links are checked by the
// kernel once every link exists (CheckLinks).
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

Status LinkLeaves(std::string_view name, std::string_view target) {
  return InvalidArgument("symbolic link " + std::string(name) + " -> " + std::string(target) +
                         " leads outside the function code; links in the archive must point to "
                         "files inside it (replace the link with the file it points to)");
}

struct Link {
  std::vector<std::string> parts;
  std::string path;  // parts joined by '/'
  std::string target;
};

// Resolves each link from where it sits, following every link on the way,
// and refuses one that ends outside the tree. A link to a missing file is
// allowed: the tree never changes after extraction, so it stays dangling.
Status CheckLinks(int root, const std::vector<Link>& links) {
  for (const Link& link : links) {
    UniqueFd fd = OpenBeneath(root, link.path, O_PATH, kBeneath);
    if (fd.valid() || errno == ENOENT || errno == ENOTDIR) continue;
    if (errno == EXDEV) return LinkLeaves(link.path, link.target);
    if (errno == ELOOP) {
      return InvalidArgument("symbolic link " + link.path + " -> " + link.target +
                             " is part of a loop of links");
    }
    return ErrnoStatus("resolve link " + link.path, errno);
  }
  return Status::Ok();
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
  UniqueFd root(::open(dest.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root.valid()) return ErrnoStatus("open " + dest, errno);
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
      if (target == nullptr) return InvalidArgument(kUnzipError);
      if (!LinkStaysInside(parts, target)) return LinkLeaves(name, target);
      std::string path;
      for (const std::string& part : parts) path += (path.empty() ? "" : "/") + part;
      links.push_back({std::move(parts), std::move(path), target});  // created last, see below
      continue;
    }
    if (type == AE_IFDIR) {
      ASSIGN_OR_RETURN(UniqueFd dir, OpenDirs(root.get(), parts, parts.size(), name));
      continue;
    }
    if (type != AE_IFREG && type != 0) continue;  // devices, fifos: ignored
    ASSIGN_OR_RETURN(UniqueFd parent, OpenDirs(root.get(), parts, parts.size() - 1, name));
    // Readable by the sandbox user; executable if the archive says so (or
    // carries no Unix mode at all, as some zip tools write).
    mode_t perm = archive_entry_perm(entry);
    mode_t mode = (perm & 0111) ? 0755 : 0644;
    UniqueFd fd =
        OpenBeneath(parent.get(), parts.back(), O_WRONLY | O_CREAT | O_EXCL, kNoLinks, mode);
    if (!fd.valid()) {
      if (errno == EEXIST)
        return InvalidArgument("duplicate file in the archive: " + std::string(name));
      return ErrnoStatus("create " + std::string(name), errno);
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
        return ErrnoStatus("write " + std::string(name), errno);
      }
    }
  }
  // Links last: no file is ever written through one, and their parents must
  // be real directories (a link may not sit below another link).
  for (const Link& link : links) {
    ASSIGN_OR_RETURN(UniqueFd parent,
                     OpenDirs(root.get(), link.parts, link.parts.size() - 1, link.path));
    if (::symlinkat(link.target.c_str(), parent.get(), link.parts.back().c_str()) != 0) {
      if (errno == EEXIST) return InvalidArgument("duplicate entry in the archive: " + link.path);
      return ErrnoStatus("symlink " + link.path, errno);
    }
  }
  RETURN_IF_ERROR(CheckLinks(root.get(), links));
  ::chmod(dest.c_str(), 0755);
  return Status::Ok();
}

CodeStore::CodeStore(std::string root, CodeStoreLimits limits)
    : root_(std::move(root)), limits_(limits) {}

std::string CodeStore::ZipPath(const std::string& hex) const {
  return root_ + "/" + hex + ".zip";
}

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
