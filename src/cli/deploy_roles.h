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
// only. One caller at a time.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "cli/client.h"
#include "cli/iam_client.h"
#include "core/status.h"
#include "manifest/intrinsics.h"
#include "manifest/manifest.h"

namespace nimbus::cli {

struct DeployedRole {
  std::string name, arn, role_id;
};

class RoleDeployer {
 public:
  using Progress = std::function<void(const std::string&)>;

  // `ctx` evaluates the roles' intrinsics; its resolve may ask Name/Arn of
  // this class for a Ref or Fn::GetAtt of a role.
  RoleDeployer(AwsClient& client, const manifest::Manifest& m,
               const manifest::IntrinsicContext& ctx)
      : iam_(client), m_(m), ctx_(ctx) {}

  // A role's name (RoleName evaluated) and ARN, without a call.
  Result<std::string> Name(const manifest::RoleDef& role) const;
  Result<std::string> Arn(const manifest::RoleDef& role) const;

  // Creates or updates every role of the manifest, in order; adds the writes
  // made to `changes`. Returns the roles by logical id.
  Result<std::map<std::string, DeployedRole>> Apply(int* changes, const Progress& progress);

  // Deletes the roles tagged as this service's whose names are not in `keep`
  // (every one of them for an empty `keep`), policies first.
  Status DeleteOthers(const std::set<std::string>& keep, int* changes, const Progress& progress);

  // "<region>/<service>-<stage>", the nimbus:stack tag of the service's roles.
  static std::string StackTag(const manifest::Manifest& m);
  static constexpr const char* kStackTagKey = "nimbus:stack";

 private:
  Result<DeployedRole> ApplyOne(const manifest::RoleDef& role, int* changes,
                                const Progress& progress);

  IamClient iam_;
  const manifest::Manifest& m_;
  const manifest::IntrinsicContext& ctx_;
};

}  // namespace nimbus::cli
