// `nimbus deploy`'s IAM step: makes the roles a serverless.yml declares
// (manifest::RoleDef) exist on the server, the way CloudFormation keeps a
// stack's AWS::IAM::Role resources, through IAM's own API (iam_client.h).
//
// A role is created when GetRole says NoSuchEntity (tagged nimbus:stack =
// "<region>/<service>-<stage>" so later deploys and `nimbus remove` know it is
// the service's); otherwise it is brought in step: PutRolePolicy for each
// inline policy whose document differs, DeleteRolePolicy for those that left
// the file, Attach/DetachRolePolicy to match the managed policies. A role
// whose path or trust policy changed is replaced (the IAM slice has no
// UpdateAssumeRolePolicy; CloudFormation replaces a role whose Path changes),
// but only when it carries the service's tag. An unchanged role costs reads
// only. The pure parts (names, the wanted state of a role) are free functions
// for tests. One caller at a time.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "deploy/client.h"
#include "deploy/iam_client.h"
#include "manifest/intrinsics.h"
#include "manifest/manifest.h"

namespace nimbus::deploy {

struct DeployedRole {
  std::string name, arn, role_id;
};

// A role as the file wants it, its intrinsics evaluated.
struct WantedRole {
  std::string name;
  json::value trust;                                          // AssumeRolePolicyDocument
  std::vector<std::pair<std::string, json::value>> policies;  // inline, in file order
  std::vector<std::string> managed;                           // policy ARNs
  // The file's tags plus nimbus:stack (RoleStackTag) and nimbus:logical-id.
  std::map<std::string, std::string> tags;
};

// A role's name (RoleName evaluated) and ARN. Pure.
Result<std::string> RoleName(const manifest::RoleDef& role, const manifest::IntrinsicContext& ctx);
Result<std::string> RoleArn(const manifest::RoleDef& role, const manifest::IntrinsicContext& ctx);
// Everything of `role` the deploy writes. Pure; errors name the role and
// where in it the evaluation failed.
Result<WantedRole> WantRole(const manifest::Manifest& m, const manifest::RoleDef& role,
                            const manifest::IntrinsicContext& ctx);
// Fails when two roles of the manifest would have the same name (IAM's names
// are unique regardless of case). Pure.
Status CheckRoleNames(const manifest::Manifest& m, const manifest::IntrinsicContext& ctx);

class RoleDeployer {
 public:
  using Progress = std::function<void(const std::string&)>;

  // `ctx` evaluates the roles' intrinsics; its resolve may ask RoleName or
  // RoleArn for a Ref or Fn::GetAtt of a role. `client`, `m` and `ctx` must
  // outlive the RoleDeployer.
  RoleDeployer(AwsClient& client, const manifest::Manifest& m,
               const manifest::IntrinsicContext& ctx)
      : iam_(client), m_(m), ctx_(ctx) {}

  // Creates or updates every role of the manifest, in order; adds the writes
  // made to `changes`. Returns the roles by logical id.
  Result<std::map<std::string, DeployedRole>> Apply(int* changes, const Progress& progress);

  // Deletes the roles tagged as this service's whose names are not in `keep`
  // (every one of them for an empty `keep`), policies first.
  Status DeleteOthers(const std::set<std::string>& keep, int* changes, const Progress& progress);

 private:
  Result<DeployedRole> ApplyOne(const manifest::RoleDef& role, int* changes,
                                const Progress& progress);

  IamClient iam_;
  const manifest::Manifest& m_;
  const manifest::IntrinsicContext& ctx_;
};

}  // namespace nimbus::deploy
