// The zip archives Nimbus uploads as function code, built with the one zip
// writer (core/zip_writer.h), so each is deterministic: the same files with
// the same contents and permission bits always give the same bytes (so the
// same CodeSha256), whatever their timestamps, owners or the order the
// folder lists them in.
//
// BuildZip packages a serverless.yml service (the files SelectPackageFiles
// chose): only regular files, no folder entries, symbolic links stored as the
// file they point to (which must lie inside the folder), and mode 0755 when
// any execute bit is set (a `bootstrap` stays executable) or 0644 otherwise.
//
// ZipFolder packages a folder as `nimbus function create --dir` takes it, as
// `sls package` would: every file, folder and link below it, links kept as
// links and modes as they are, except version-control folders, Nimbus's own
// (.nimbus/, .serverless/) and any folder a `nimbus serve` keeps its data in.
// Stateless; any thread.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace nimbus::manifest {

// The zip, in memory, of `files` (relative '/'-separated paths below `dir`,
// as SelectPackageFiles returns them).
Result<std::string> BuildZip(const std::string& dir, const std::vector<std::string>& files);

// The zip, in memory, of the folder `dir`.
Result<std::string> ZipFolder(const std::string& dir);

}  // namespace nimbus::manifest
