// Packages a folder as a function zip, as `sls package` would: every file
// and link below it (except version-control folders), with Unix modes kept
// so that a `bootstrap` stays executable.
#pragma once

#include <string>

#include "core/status.h"

namespace nimbus::cli {

Result<std::string> ZipDirectory(const std::string& dir);

}  // namespace nimbus::cli
