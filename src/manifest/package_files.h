// Which files of a service folder go into its deployment package, by
// Serverless v3's rules (reference §8).
//
// Every file starts included. The default exclusions come first, then the
// service's patterns, in order; each pattern sets the state of the files it
// matches (a '!' pattern excludes, any other includes), so later patterns win
// and a pattern may re-include a default exclusion. Nimbus's own data folder
// (.nimbus/), and any folder a `nimbus serve --data-dir` keeps its data in,
// are never packaged, whatever the patterns say: they hold the server's root
// access key and its database.
//
// Symbolic links are followed when they lead to a file or folder inside the
// service folder (the package gets the content, under the link's name) and
// skipped when they lead outside it, nowhere, or back to one of their own
// parent folders. Stateless; any thread.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace nimbus::manifest {

// Whether `dir` holds a Nimbus server's data (its `credentials` and `db/`).
bool IsServerDataDir(const std::string& dir);

// The default exclusions, in the order they are applied.
const std::vector<std::string>& DefaultPackageExcludes();

// Relative '/'-separated paths of the files to package, sorted bytewise.
Result<std::vector<std::string>> SelectPackageFiles(const std::string& dir,
                                                    const std::vector<std::string>& patterns);

}  // namespace nimbus::manifest
