// Files and file descriptors.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace nimbus {

// Owns a file descriptor and closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.Release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) Reset(o.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

Result<std::string> ReadFile(const std::string& path);
// Writes `data` to a temporary name in the same directory, fsyncs it, renames it
// over `path` and fsyncs the directory: readers see the old or the new file, never half.
Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0644);
Status MakeDirs(const std::string& path, int mode = 0755);
Status RemoveAll(const std::string& path);
bool PathExists(const std::string& path);
// Writes all of `data` to `fd`, retrying on EINTR and short writes.
Status WriteAll(int fd, std::string_view data);

}  // namespace nimbus
