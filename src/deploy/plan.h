// The deploy plan: what a serverless.yml asks of each AWS API, and whether
// what is deployed already matches it. Every function here is pure (no
// calls); the deployer (deployer.h) feeds them what it read from the server
// and makes the writes they say are needed. Any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "manifest/intrinsics.h"
#include "manifest/manifest.h"

namespace nimbus::deploy {

// --- Tables ---

// The CreateTable request an AWS::DynamoDB::Table (its properties, intrinsics
// evaluated) stands for: CloudFormation's defaults (provisioned, 5/5) when it
// names no billing, StreamSpecification enabled when present.
json::object CreateTableRequest(const std::string& name, const json::object& properties);
// UpdateTimeToLive's TimeToLiveSpecification when the table enables TTL.
std::optional<json::object> TimeToLiveSpecification(const json::object& properties);

// --- Functions ---

// The function's environment with its intrinsics evaluated; variables that
// are AWS::NoValue are left out. Errors name the function and the variable.
Result<json::object> EnvironmentVariables(const manifest::FunctionDef& fn,
                                          const manifest::IntrinsicContext& ctx);
// The configuration CreateFunction and UpdateFunctionConfiguration take.
json::object FunctionConfiguration(const manifest::FunctionDef& fn, const std::string& role_arn,
                                   const json::object& variables);
// Whether a deployed configuration (GetFunction's Configuration) differs from
// `want`. Absent fields count as Lambda's defaults: no variables, one
// invocation per instance, and "" for strings.
bool ConfigurationDiffers(const json::object& have, const json::object& want);
// The reserved concurrency of a GetFunction answer, -1 for none.
int64_t ReservedConcurrency(const json::value& get_function);

// The zip a function is deployed with: the service's patterns, or the
// function's own after them when packaged individually. Functions with equal
// keys share one zip.
struct PackageSpec {
  std::string key;  // the patterns' joined text
  std::vector<std::string> patterns;
};
PackageSpec PackageFor(const manifest::Manifest& m, const manifest::FunctionDef& fn);

// --- Logs ---

// provider.logRetentionInDays, 0 for none.
int64_t LogRetentionDays(const manifest::Manifest& m);
// What DescribeLogGroups says of `group`.
struct LogGroupState {
  bool exists = false;
  int64_t retention_days = 0;  // 0: kept forever
};
LogGroupState FindLogGroup(const json::value& described, const std::string& group);

// --- The API and the service as a whole ---

// The settings of `reported` (Manifest::unsupported) not covered by a prefix
// in `accepted` (what the API's conversion took on).
std::vector<std::string> UnsupportedSettings(const std::vector<std::string>& reported,
                                             const std::vector<std::string>& accepted);
// The warning that lists them, one a line.
std::string UnsupportedWarning(const std::vector<std::string>& settings);

// The strings listed under `key` ("functions", "tables") of the gateway's
// record of a deployed API.
std::vector<std::string> DeployedNames(const json::value& api, std::string_view key);

// Whether `wanted` (gateway::ToJson of the API the file describes) differs
// from `deployed` (the gateway's record). The server fills in the API ids,
// so `wanted` takes the deployed ones before they are compared.
bool ApiDiffers(const json::object& deployed, json::object& wanted);

// The control API's path of an API: "/nimbus/apis/ID", with ?root=true or
// ?root=false when the deploy asks for (or against) the gateway's root.
std::string ApiPath(std::string_view id, std::optional<bool> root = std::nullopt);

}  // namespace nimbus::deploy
