// The names a deploy gives what it makes, and the paths of the Lambda API it
// calls: the service's API id, its tables' names (as CloudFormation would
// name them, but stable across deploys), the tag that marks its roles. Pure
// functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "manifest/manifest.h"

namespace nimbus::deploy {

// "<service>-<stage>", the id of the service's API on the gateway.
std::string ServiceApiId(const manifest::Manifest& m);

// "<region>/<service>-<stage>", the nimbus:stack tag of the service's roles.
std::string RoleStackTag(const manifest::Manifest& m);
inline constexpr const char* kRoleStackTagKey = "nimbus:stack";
inline constexpr const char* kRoleLogicalIdTagKey = "nimbus:logical-id";

// A table's name: its TableName (intrinsics evaluated; it may not refer to
// other resources), else "<stack>-<logical id>-<12 hex digits of a digest of
// both>", upper-cased as CloudFormation's suffixes are.
Result<std::string> TableName(const manifest::Manifest& m, const manifest::TableDef& t);

// "/2015-03-31/functions/NAME" (URI-encoded): GetFunction, DeleteFunction,
// and the prefix of a function's code, configuration and invocations.
std::string LambdaFunctionPath(std::string_view name);
// "/2017-10-31/functions/NAME/concurrency": Put/DeleteFunctionConcurrency.
std::string LambdaConcurrencyPath(std::string_view name);

}  // namespace nimbus::deploy
