// The store's key space: every prefix a service keeps its records under,
// listed in one place so that two services can never collide and a reader of
// a raw store dump can tell whose each key is. A service builds its keys from
// its own prefix here and nothing else.
#pragma once

#include <string_view>

namespace nimbus::store::keyspace {

// Functions: one record per function configuration (functions/).
inline constexpr std::string_view kFunctions = "fn/v1/";
// IAM: one record per role, with its policies (iam/).
inline constexpr std::string_view kRoles = "iam/v1/role/";
// The gateway's deployed APIs (gateway/), and the id of the one served at
// its root.
inline constexpr std::string_view kApis = "g/api/";
inline constexpr std::string_view kApiRoot = "g/root";
// Logs (observe/): groups, streams, and events by group.
inline constexpr std::string_view kLogs = "log/";
inline constexpr std::string_view kLogGroups = "log/g/";
inline constexpr std::string_view kLogStreams = "log/s/";
inline constexpr std::string_view kLogEvents = "log/e/";
// Tables (tables/): everything under "t/"; table_internal.h lays out the rest.
inline constexpr std::string_view kTables = "t/";

}  // namespace nimbus::store::keyspace
