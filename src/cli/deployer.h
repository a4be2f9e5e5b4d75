// `nimbus deploy`'s engine: reads a serverless.yml and makes a running
// Nimbus match it through its public APIs — DynamoDB for the tables, IAM for
// the execution roles (deploy_roles.h), Lambda for the functions, the
// gateway's control API for the routes. Roles are made before the functions
// that need them and deleted after the functions that used them.
//
// Deploys are incremental: each function's zip is deterministic, so its
// CodeSha256 says whether the code changed; configurations are compared
// field by field; the API is replaced only when it differs. An unchanged
// deploy writes nothing. Functions and roles that left the file are deleted;
// tables are never deleted by a deploy (only by `nimbus remove`).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/client.h"
#include "cli/deploy_roles.h"
#include "core/json.h"
#include "core/status.h"
#include "manifest/intrinsics.h"
#include "manifest/manifest.h"

namespace nimbus::cli {

struct DeployOptions {
  std::string config = "serverless.yml";
  std::string stage;
  std::string region;
  std::map<std::string, std::string> options;  // other --opt values, for ${opt:}
  std::optional<bool> root;                    // put the API at the gateway's root
  // Progress lines ("function hello: code updated"), as they happen.
  std::function<void(const std::string&)> progress;
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
  Status Remove(const manifest::Manifest& m, const std::function<void(const std::string&)>& progress);

  // The loader options for a deploy (stage, region, environment, --opts).
  static manifest::LoadOptions LoadOptionsFor(const DeployOptions& options);

 private:
  Result<std::string> TableName(const manifest::Manifest& m, const manifest::TableDef& t) const;
  Status DeployTable(const manifest::Manifest& m, const manifest::TableDef& t, DeployReport& report,
                     const DeployOptions& options);
  Status DeployFunction(const manifest::Manifest& m, const manifest::FunctionDef& fn,
                        const std::string& zip, DeployReport& report, const DeployOptions& options);
  // The ARN of the function's execution role.
  Result<std::string> FunctionRole(const manifest::Manifest& m, const manifest::FunctionDef& fn);
  // Evaluates intrinsics for this deploy: region, account, stack name and
  // the stack's tables, functions and roles.
  manifest::IntrinsicContext Context(const manifest::Manifest& m);
  // Brings the function's reserved concurrency (`current`, -1 for none) to
  // what serverless.yml says; sets `changed` when it had to.
  Status ApplyReservedConcurrency(const manifest::FunctionDef& fn, int64_t current, bool& changed,
                                  const DeployOptions& options);
  // Gives the function's log group provider.logRetentionInDays (creating the
  // group if needed), or takes a retention period away when the file has none.
  Status ApplyLogRetention(const manifest::Manifest& m, const manifest::FunctionDef& fn,
                           DeployReport& report, const DeployOptions& options);
  Result<std::string> Resolve(const manifest::Manifest& m, const std::string& logical_id,
                              const std::string& attribute);
  Result<json::value> Dynamo(const std::string& operation, const json::object& body);
  Result<json::value> Logs(const std::string& operation, const json::object& body);

  AwsClient& client_;
  std::string account_id_ = "000000000000";  // the account in the ARNs the deploy writes
  std::map<std::string, json::object> table_descriptions_;  // by logical id
  std::map<std::string, DeployedRole> roles_;                // by logical id, once deployed
  std::set<std::string> resolving_roles_;  // roles whose names are being evaluated
};

}  // namespace nimbus::cli
