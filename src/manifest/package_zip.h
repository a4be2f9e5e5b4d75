// Deterministic zip archives of a service's files, for Lambda.
//
// The same files with the same contents and executable bits always give the
// same bytes (so the same CodeSha256), whatever their timestamps, owners or
// the order the folder lists them in: entries are sorted, every entry has the
// same modification time (1980-01-02 00:00 UTC), owner 0:0, and mode 0755
// when any execute bit is set (a `bootstrap` stays executable) or 0644
// otherwise. Only regular files are stored (no folder entries); symbolic
// links are stored as the file they point to, which must lie inside `dir`.
//
// The zip's DOS timestamps are written in the local time zone by libarchive,
// so byte-identity holds between runs on machines in the same zone.
// Stateless; any thread.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace nimbus::manifest {

// The zip, in memory, of `files` (relative '/'-separated paths below `dir`,
// as SelectPackageFiles returns them).
Result<std::string> BuildZip(const std::string& dir, const std::vector<std::string>& files);

}  // namespace nimbus::manifest
