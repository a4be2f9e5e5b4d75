// Function code, stored by content: each uploaded zip is kept once under the
// hex SHA-256 of its bytes, next to the tree it was extracted into. The
// extraction is safe against hostile archives: every path is resolved by the
// kernel beneath the tree's directory (openat2 with RESOLVE_BENEATH), so
// absolute paths, `..` components, files written through links and links
// that lead out of the tree, directly or through other links, are refused.
//
// Ownership: the server owns it; it owns the directory `root` (nothing else
// writes there). The paths it hands out (StoredCode::dir, ZipPath) stay
// valid until their hash is removed.
//
// Threads: any thread; it keeps no state in memory, so it has no lock, and
// every method blocks on the file system. Concurrent Puts are safe, also of
// the same bytes (each extracts into a staging directory and renames it into
// place; the first rename wins). Remove must not race a Put or a reader of
// the same hash: the functions service serialises uploads and garbage
// collection, and removes only code no function or running instance uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/platform.h"
#include "core/status.h"

namespace nimbus::functions {

struct StoredCode {
  std::string sha256_hex;
  std::string sha256_base64;  // Lambda's CodeSha256
  uint64_t size = 0;          // zip bytes (Lambda's CodeSize)
  std::string dir;            // extracted tree
};

struct CodeStoreLimits {
  uint64_t max_zip_bytes = lambda_limits::kCodeSizeZipped;            // 50 MB
  uint64_t max_unzipped_bytes = lambda_limits::kCodeSizeUnzipped;  // 250 MB
  uint64_t max_entries = 100000;
};

class CodeStore {
 public:
  explicit CodeStore(std::string root, CodeStoreLimits limits = {});

  // Stores and extracts `zip` (idempotent for the same bytes).
  Result<StoredCode> Put(std::string_view zip);
  // The stored code for a hash, if present.
  Result<StoredCode> Get(const std::string& sha256_hex) const;
  std::string ZipPath(const std::string& sha256_hex) const;
  // Removes a hash's zip and tree.
  Status Remove(const std::string& sha256_hex);
  // The hashes stored.
  std::vector<std::string> List() const;

 private:
  std::string root_;
  CodeStoreLimits limits_;
};

// Extracts `zip` into the new directory `dest` (exposed for tests and fuzzing).
Status ExtractZip(std::string_view zip, const std::string& dest, const CodeStoreLimits& limits);

}  // namespace nimbus::functions
