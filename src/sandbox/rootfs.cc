#include "sandbox/rootfs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/fs.h"

namespace nimbus::sandbox {
namespace {

// Mirrors a top-level host path: a symlink stays a symlink (merged /usr), a
// directory is bound read-only.
void MirrorTopLevel(const std::string& path, std::vector<Mount>& out) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return;
  if (S_ISLNK(st.st_mode)) {
    char buf[4096];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return;
    out.push_back({Mount::Kind::kSymlink, std::string(buf, static_cast<size_t>(n)), path});
  } else if (S_ISDIR(st.st_mode)) {
    out.push_back({Mount::Kind::kBind, path, path, true, 0, 0755, /*hide_source=*/false});
  }
}

void BindIfPresent(const std::string& path, std::vector<Mount>& out, bool read_only = true) {
  if (PathExists(path)) {
    out.push_back({Mount::Kind::kBind, path, path, read_only, 0, 0755, /*hide_source=*/false});
  }
}

}  // namespace

std::vector<Mount> SystemMounts(const RootfsOptions& o) {
  std::vector<Mount> m;
  m.push_back({Mount::Kind::kBind, "/usr", "/usr", true, 0, 0755, /*hide_source=*/false});
  for (const char* p : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    MirrorTopLevel(p, m);
  }

  // /etc: only what programs need to run, never the host's secrets.
  m.push_back({Mount::Kind::kFile,
               fmt::format("root:x:0:0:root:/root:/usr/sbin/nologin\n"
                           "{0}:x:{1}:{2}::/tmp:/usr/sbin/nologin\n"
                           "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
                           o.user_name, o.uid, o.gid),
               "/etc/passwd", false, 0, 0644});
  m.push_back({Mount::Kind::kFile,
               fmt::format("root:x:0:\n{0}:x:{1}:\nnogroup:x:65534:\n", o.user_name, o.gid),
               "/etc/group", false, 0, 0644});
  m.push_back({Mount::Kind::kFile, "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 nimbus\n",
               "/etc/hosts", false, 0, 0644});
  m.push_back({Mount::Kind::kFile, "hosts: files dns\npasswd: files\ngroup: files\n",
               "/etc/nsswitch.conf", false, 0, 0644});
  m.push_back({Mount::Kind::kFile, "nameserver 127.0.0.1\n", "/etc/resolv.conf", false, 0, 0644});
  m.push_back({Mount::Kind::kSymlink, "/usr/share/zoneinfo/Etc/UTC", "/etc/localtime"});
  for (const char* p : {"/etc/ssl", "/etc/ca-certificates", "/etc/alternatives",
                        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
                        "/etc/mime.types", "/etc/protocols", "/etc/services"}) {
    BindIfPresent(p, m);
  }

  // /dev: a few harmless character devices over a small tmpfs.
  m.push_back({Mount::Kind::kTmpfs, "", "/dev", false, 1, 0755});
  for (const char* dev : {"null", "zero", "full", "random", "urandom"}) {
    BindIfPresent(std::string("/dev/") + dev, m, /*read_only=*/false);
  }
  m.push_back({Mount::Kind::kTmpfs, "", "/dev/shm", false, 64, 01777});
  m.push_back({Mount::Kind::kSymlink, "/proc/self/fd", "/dev/fd"});
  m.push_back({Mount::Kind::kSymlink, "/proc/self/fd/0", "/dev/stdin"});
  m.push_back({Mount::Kind::kSymlink, "/proc/self/fd/1", "/dev/stdout"});
  m.push_back({Mount::Kind::kSymlink, "/proc/self/fd/2", "/dev/stderr"});
  return m;
}

}  // namespace nimbus::sandbox
