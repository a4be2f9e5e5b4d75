// The `nimbus` command line's arguments and what they become: the options of
// the deploy engine (deploy/deployer.h) and of the client, and the bodies of
// the Lambda calls `nimbus function` makes. Apart from the Add*Options
// functions, which register flags on a CLI11 command, these are pure
// functions that return an error instead of exiting; any thread.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "deploy/client.h"
#include "deploy/deployer.h"
#include "net/http.h"

namespace nimbus::cli {

// The options every client subcommand takes.
void AddClientOptions(CLI::App* cmd, deploy::ClientOptions& options);

// `nimbus deploy|remove|info`.
struct ServiceArgs {
  std::string config = "serverless.yml";
  std::string stage;
  bool root = false, no_root = false;  // deploy's --root / --no-root
};
// --config and --stage.
void AddServiceOptions(CLI::App* cmd, ServiceArgs& args);
// --root and --no-root (deploy only).
void AddRootFlags(CLI::App* cmd, ServiceArgs& args);
// The deploy those flags ask for (without progress reporting).
deploy::DeployOptions ToDeployOptions(const ServiceArgs& args);

// `nimbus function create|update`.
struct FunctionArgs {
  std::string name, runtime, handler, zip, dir, role;  // no role: the default role
  std::string description, network;
  int memory = 0, timeout = 0;
  std::vector<std::string> env;  // KEY=VALUE
};
// --runtime, --handler, --memory, --timeout, --env, --description, --zip, --dir.
void AddFunctionConfigOptions(CLI::App* cmd, FunctionArgs& args);
// {"Variables": {...}} from KEY=VALUE pairs.
Result<json::object> EnvironmentFromPairs(const std::vector<std::string>& pairs);
// CreateFunction's body, with the code's zip and the execution role's ARN.
Result<json::object> CreateFunctionRequest(const FunctionArgs& args, const std::string& role_arn,
                                           const std::string& zip);
// UpdateFunctionConfiguration's body: only what the flags set (empty for none).
Result<json::object> UpdateConfigurationRequest(const FunctionArgs& args);

// `nimbus logs --since`: "30s", "10m", "2h", "1d" in milliseconds.
Result<int64_t> ParseSince(const std::string& text);

// `nimbus bench -H 'Name: value'`: the headers; entries without a colon are
// left out.
std::vector<net::Header> ParseHeaders(const std::vector<std::string>& lines);

// `nimbus dev [DIR] [--config FILE]`: the service folder (absolute, without
// a trailing '/'), its serverless.yml, and the data dir (DIR/.nimbus when the
// flag kept its default).
struct DevPaths {
  std::string dir, config, data_dir;
};
DevPaths ResolveDevPaths(const std::string& dir, const std::string& config,
                         const std::string& data_dir);

}  // namespace nimbus::cli
