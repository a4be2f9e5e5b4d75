// The typed, fully resolved description of a service, read from its
// serverless.yml (the Serverless Framework v3 subset in
// shared/reference/serverless-yml.md).
//
// LoadManifest parses the file (yaml_loader.h), resolves every variable
// (variable_resolver.h), checks the settings Nimbus acts on and reports each
// problem with its position ("serverless.yml:12:5: ..."). Settings that v3
// knows but Nimbus does not implement are listed in Manifest::unsupported,
// never silently dropped; only settings that would make Nimbus run the service
// wrongly are errors.
//
// CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Sub, ...) stay unevaluated
// JSON objects here: their values exist only at deploy time (intrinsics.h).
// Everything in this header is plain data.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/platform.h"
#include "core/status.h"
#include "manifest/document.h"

namespace nimbus::manifest {

// One `http` (REST API) or `httpApi` (HTTP API) event of a function.
struct HttpEventDef {
  bool rest = false;   // `http` (REST, payload 1.0) rather than `httpApi`
  std::string method;  // upper case; "ANY" for '*' or 'any'
  // Starts with '/', as declared ({param}, {proxy+}); a REST path gets its
  // missing leading '/' added and a trailing '/' removed. "" for the httpApi
  // '*' catch-all (the $default route).
  std::string path;
  // The resolved event object (authorizer, cors, private, async, integration,
  // request, ...); empty for the shorthand string forms. A string
  // `authorizer: name` is normalised to {"name": name} (REST: {"arn": ...}
  // when it is an ARN).
  boost::json::object settings;
  SourcePos pos;
};

struct FunctionDef {
  std::string key;   // the key under `functions:`
  std::string name;  // "<service>-<stage>-<key>" unless `name:`
  std::string handler;
  std::string runtime;
  std::string architecture = "x86_64";  // or "arm64"
  int memory_mb = 1024;
  int timeout_s = 6;
  int ephemeral_mb = 512;
  int reserved_concurrency = -1;  // -1: not set
  // capacityProvider.maxConcurrency: invocations one instance takes at once
  // (Lambda Managed Instances); 1 is Lambda's usual model.
  int max_concurrency = 1;
  std::string description;
  // provider.environment merged with the function's (the function wins).
  // Values are strings or unevaluated intrinsic objects (Ref, Fn::GetAtt,
  // Fn::Sub, Fn::Join, Fn::Select, Fn::Base64); numbers and booleans were
  // turned into strings.
  std::map<std::string, boost::json::value> environment;
  std::map<std::string, std::string> tags;    // provider.tags merged with the function's
  std::vector<std::string> package_patterns;  // the function's own package.patterns
  bool package_individually = false;          // functions.<key>.package.individually
  std::vector<HttpEventDef> http_events;
  // The execution role: the logical id of one of Manifest::roles, or, when
  // that is empty, role_arn: an existing role's ARN, as a string or as an
  // intrinsic (Fn::Sub, Fn::Join) that evaluates to one at deploy.
  std::string role;
  boost::json::value role_arn;
  SourcePos pos;
};

// An inline policy of a role. Values inside the document may be intrinsics
// (`!GetAtt Table.Arn`, Fn::Sub with ${AWS::Region}), evaluated at deploy.
struct PolicyDef {
  boost::json::value name;  // a string, or an intrinsic for an AWS::IAM::Role's
  boost::json::value document;
};

// An IAM role the deploy creates and keeps in step with the file: the shared
// role v3 generates (IamRoleLambdaExecution), a role per function of the
// serverless-iam-roles-per-function plugin (<Fn>IamRoleLambdaExecution) or
// an AWS::IAM::Role under resources.Resources.
struct RoleDef {
  std::string logical_id;
  // The role's name: a string, or an intrinsic an AWS::IAM::Role's RoleName
  // may be. Without RoleName it is "<stack>-<LogicalId>-<12 hex digits>"
  // (as CloudFormation names it, but stable across deploys).
  boost::json::value name;
  std::string path = "/";
  boost::json::value trust_policy;  // AssumeRolePolicyDocument
  std::vector<PolicyDef> policies;  // in file order
  std::vector<boost::json::value> managed_policy_arns;  // strings or intrinsics
  std::string description;
  std::map<std::string, std::string> tags;
  SourcePos pos;
};

// An AWS::DynamoDB::Table under resources.Resources.
struct TableDef {
  std::string logical_id;
  boost::json::object properties;          // resolved, intrinsics left as objects
  std::string deletion_policy = "Delete";  // DeletionPolicy: Delete, Retain or Snapshot
  SourcePos pos;
};

struct Manifest {
  std::string dir;   // the service directory (absolute)
  std::string file;  // path of serverless.yml (absolute)
  std::string service, stage, region;
  boost::json::object provider;               // the resolved provider block
  std::vector<FunctionDef> functions;         // in file order
  std::vector<TableDef> tables;               // in file order
  // The roles to deploy: the generated role first (when there is one), the
  // per-function roles, then AWS::IAM::Role resources in file order.
  std::vector<RoleDef> roles;
  std::vector<std::string> package_patterns;  // package.patterns (after exclude/include)
  bool package_individually = false;
  // Dot paths of settings Nimbus does not implement, section by section
  // (root, provider, package, functions, resources), in file order within each:
  // "functions.worker.events[0].schedule", "provider.vpc",
  // "resources.Resources.Q (AWS::SQS::Queue)", "provider.iam (not enforced)".
  std::vector<std::string> unsupported;
  boost::json::value document;  // the whole resolved file

  const FunctionDef* FindFunction(std::string_view key) const;
  const RoleDef* FindRole(std::string_view logical_id) const;
  // Service-level patterns followed by the function's own (what v3 packages
  // for a function of an `individually` service).
  std::vector<std::string> PatternsFor(const FunctionDef& fn) const;
};

struct LoadOptions {
  std::string stage;                           // --stage; empty: provider.stage, else "dev"
  std::string region;                          // --region; empty: provider.region, else kDefaultRegion
  std::map<std::string, std::string> options;  // other CLI options, for ${opt:name}
  std::map<std::string, std::string> env;      // the environment, for ${env:NAME}
  std::string account_id{kDefaultAccountId};   // ${aws:accountId}
};

// Reads, resolves and checks the serverless.yml at `path`. With `useDotenv:
// true` the service's .env files are added to options.env first (dotenv.h).
// Every error message starts with the position it concerns.
Result<Manifest> LoadManifest(const std::string& path, const LoadOptions& options);

// The same from text already in memory; `dir` is the service directory (for
// ${file()} and .env) and `file_name` the name shown in positions.
Result<Manifest> LoadManifestFromText(std::string_view text, const std::string& dir,
                                      const std::string& file_name, const LoadOptions& options);

}  // namespace nimbus::manifest
