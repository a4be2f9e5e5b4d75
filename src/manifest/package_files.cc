#include "manifest/package_files.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "manifest/glob.h"

namespace nimbus::manifest {
namespace fs = std::filesystem;
namespace {

// A folder that big is not a Lambda package (the unzipped limit is 250 MB).
constexpr size_t kMaxFiles = 200'000;

bool Within(const fs::path& path, const fs::path& root) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end();
}

class Walker {
 public:
  explicit Walker(fs::path root) : root_(std::move(root)) {}

  Status Walk(const fs::path& real_dir, const std::string& rel_dir,
              std::vector<fs::path>* ancestors) {
    std::error_code ec;
    fs::directory_iterator it(real_dir, ec);
    if (ec) return Internal("cannot read " + real_dir.string() + ": " + ec.message());
    ancestors->push_back(real_dir);
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) return Internal("cannot read " + real_dir.string() + ": " + ec.message());
      std::string name = it->path().filename().string();
      std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
      if (rel == ".nimbus") continue;  // Nimbus's data, possibly large: never packaged
      fs::file_status st = it->symlink_status(ec);
      if (ec) continue;
      fs::path real = it->path();
      if (fs::is_symlink(st)) {
        real = fs::canonical(it->path(), ec);
        if (ec || !Within(real, root_)) continue;  // dangling, or outside the service
        st = fs::status(real, ec);
        if (ec) continue;
      }
      if (fs::is_directory(st)) {
        if (std::find(ancestors->begin(), ancestors->end(), real) != ancestors->end()) continue;
        if (IsServerDataDir(real.string())) continue;
        RETURN_IF_ERROR(Walk(real, rel, ancestors));
      } else if (fs::is_regular_file(st)) {
        if (files_.size() >= kMaxFiles) {
          return TooLarge("more than " + std::to_string(kMaxFiles) + " files in " + root_.string());
        }
        files_.push_back(std::move(rel));
      }
    }
    ancestors->pop_back();
    return Status::Ok();
  }

  std::vector<std::string>& files() { return files_; }

 private:
  fs::path root_;
  std::vector<std::string> files_;
};

}  // namespace

bool IsServerDataDir(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / "credentials", ec) &&
         fs::is_directory(fs::path(dir) / "db", ec);
}

const std::vector<std::string>& DefaultPackageExcludes() {
  static const std::vector<std::string> kExcludes = {"!.git/**",
                                                     "!.gitignore",
                                                     "!.DS_Store",
                                                     "!npm-debug.log",
                                                     "!yarn-*.log",
                                                     "!.serverless/**",
                                                     "!.serverless_plugins/**",
                                                     "!serverless.yml",
                                                     "!serverless.yaml",
                                                     "!serverless.json",
                                                     "!serverless.js",
                                                     "!serverless.ts",
                                                     "!.env*",
                                                     "!.nimbus/**"};
  return kExcludes;
}

Result<std::vector<std::string>> SelectPackageFiles(const std::string& dir,
                                                    const std::vector<std::string>& patterns) {
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  if (ec || !fs::is_directory(root, ec)) {
    return InvalidArgument(dir + " is not a directory");
  }
  Walker walker(root);
  std::vector<fs::path> ancestors;
  RETURN_IF_ERROR(walker.Walk(root, "", &ancestors));
  std::vector<std::string>& files = walker.files();
  std::sort(files.begin(), files.end());

  std::vector<GlobPattern> rules;
  for (const std::string& p : DefaultPackageExcludes()) rules.emplace_back(p);
  for (const std::string& p : patterns) rules.emplace_back(p);
  rules.emplace_back("!.nimbus/**");  // last, so no pattern can bring it back
  std::vector<bool> included(files.size(), true);
  for (const GlobPattern& rule : rules) {
    for (size_t i = 0; i < files.size(); ++i) {
      if (rule.Matches(files[i])) included[i] = !rule.negated();
    }
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < files.size(); ++i) {
    if (included[i]) out.push_back(std::move(files[i]));
  }
  return out;
}

}  // namespace nimbus::manifest
