// Identifiers: request ids, revision ids, random names.
#pragma once

#include <string>

namespace nimbus {

// A random RFC 4122 version-4 UUID, lowercase: "8476a536-e9f4-41e8-9739-2dfe598c3fcd".
std::string NewUuid();
// `n` random lowercase hex characters (unique, not secret: from the same fast
// per-thread generator as NewUuid).
std::string RandomHex(size_t n);
// `n` random characters from [A-Z0-9] (access key ids), or [A-Za-z0-9+/] (secrets).
std::string RandomUpperAlnum(size_t n);
std::string RandomSecret(size_t n);

}  // namespace nimbus
