// Helpers for the manifest tests: a scratch directory with files in it.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace nimbus::manifest::testing {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "manifest-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Abs(const std::string& rel) const { return path_ + "/" + rel; }

  // Writes `content` to `rel`, creating parent directories.
  void Write(const std::string& rel, const std::string& content, int mode = 0644) const {
    std::filesystem::path p = Abs(rel);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
    ::chmod(p.c_str(), static_cast<mode_t>(mode));
  }

 private:
  std::string path_;
};

}  // namespace nimbus::manifest::testing
