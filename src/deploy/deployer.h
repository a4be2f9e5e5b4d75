// `nimbus deploy`'s engine: reads a serverless.yml and makes a running
// Nimbus match it through its public APIs — DynamoDB for the tables, IAM for
// the execution roles (deploy_roles.h), Lambda and CloudWatch Logs for the
// functions (function_deployer.h), the gateway's control API for the routes
// (service_api.h). Roles are made before the functions that need them and
// deleted after the functions that used them. What to write is decided by
// the pure functions of plan.h; intrinsics are evaluated by stack_context.h.
//
// Deploys are incremental: each function's zip is deterministic, so its
// CodeSha256 says whether the code changed; configurations are compared
// field by field; the API is replaced only when it differs. An unchanged
// deploy writes nothing. Functions and roles that left the file are deleted;
// tables are never deleted by a deploy (only by `nimbus remove`).
//
// A Deployer borrows its client, which must outlive it; one caller at a time.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/platform.h"
#include "core/status.h"
#include "deploy/client.h"
#include "manifest/manifest.h"

namespace nimbus::deploy {

using Progress = std::function<void(const std::string&)>;

struct DeployOptions {
  std::string config = "serverless.yml";
  std::string stage;
  std::string region;
  std::map<std::string, std::string> options;  // other --opt values, for ${opt:}
  std::optional<bool> root;                    // put the API at the gateway's root
  // Progress lines ("function hello: code updated"), as they happen.
  Progress progress;
};

struct DeployReport {
  manifest::Manifest manifest;
  std::vector<std::string> updated_functions;  // names whose code or configuration changed
  int changes = 0;                             // writes made, 0 for an unchanged deploy
  json::value api;                             // the gateway's description of the API, or null
  std::vector<std::string> tables;             // table names
};

class Deployer {
 public:
  explicit Deployer(AwsClient& client) : client_(client) {}

  // Loads the file and applies it.
  Result<DeployReport> Deploy(const DeployOptions& options);
  // Applies an already loaded manifest.
  Result<DeployReport> Apply(const manifest::Manifest& m, const DeployOptions& options);
  // Deletes the service's API, functions, tables and the roles its deploys
  // created.
  Status Remove(const manifest::Manifest& m, const Progress& progress);

  // The loader options for a deploy: stage, region and --opts from
  // `options`, ${env:} from `environ` (the process's environment when null).
  static manifest::LoadOptions LoadOptionsFor(const DeployOptions& options,
                                              char** environ_vars = nullptr);

 private:
  AwsClient& client_;
  std::string account_id_{kDefaultAccountId};  // the account in the ARNs the deploy writes
};

}  // namespace nimbus::deploy
