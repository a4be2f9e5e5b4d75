#include "deploy/deploy_roles.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/json.h"
#include "core/platform.h"
#include "core/strings.h"
#include "deploy/naming.h"

namespace nimbus::deploy {
namespace {

// Whether a document IAM holds says the same as the one wanted. Keys are
// compared as JSON, so formatting and member order do not count.
bool SameDocument(const std::string& have, const json::value& want) {
  auto parsed = ParseJson(have);
  return parsed.ok() && *parsed == want;
}

// A role's text with its position, for errors.
Status RoleError(const manifest::RoleDef& role, const std::string& what, const Status& status) {
  return Status(status.code(), role.pos.ToString() + ": role " + role.logical_id + ": " + what +
                                   ": " + status.message());
}

}  // namespace

Result<std::string> RoleName(const manifest::RoleDef& role, const manifest::IntrinsicContext& ctx) {
  auto name = manifest::EvaluateIntrinsic(role.name, ctx);
  if (!name.ok()) return RoleError(role, "RoleName", name.status());
  return name;
}

Result<std::string> RoleArn(const manifest::RoleDef& role, const manifest::IntrinsicContext& ctx) {
  ASSIGN_OR_RETURN(std::string name, RoleName(role, ctx));
  return Platform{ctx.region, ctx.account_id}.RoleArn(role.path, name);
}

Result<WantedRole> WantRole(const manifest::Manifest& m, const manifest::RoleDef& role,
                            const manifest::IntrinsicContext& ctx) {
  WantedRole want;
  ASSIGN_OR_RETURN(want.name, RoleName(role, ctx));
  auto trust = manifest::EvaluateIntrinsicsIn(role.trust_policy, ctx);
  if (!trust.ok()) return RoleError(role, "AssumeRolePolicyDocument", trust.status());
  want.trust = std::move(*trust);
  for (const manifest::PolicyDef& p : role.policies) {
    auto name = manifest::EvaluateIntrinsic(p.name, ctx);
    if (!name.ok()) return RoleError(role, "PolicyName", name.status());
    auto doc = manifest::EvaluateIntrinsicsIn(p.document, ctx);
    if (!doc.ok()) return RoleError(role, "policy " + *name, doc.status());
    want.policies.emplace_back(*name, std::move(*doc));
  }
  for (const json::value& arn : role.managed_policy_arns) {
    auto text = manifest::EvaluateIntrinsic(arn, ctx);
    if (!text.ok() && manifest::IsNoValue(text.status())) continue;
    if (!text.ok()) return RoleError(role, "managed policy", text.status());
    want.managed.push_back(*text);
  }
  want.tags = role.tags;
  want.tags[kRoleStackTagKey] = RoleStackTag(m);
  want.tags[kRoleLogicalIdTagKey] = role.logical_id;
  return want;
}

Status CheckRoleNames(const manifest::Manifest& m, const manifest::IntrinsicContext& ctx) {
  std::map<std::string, std::string> names;  // lower-cased name -> logical id
  for (const manifest::RoleDef& role : m.roles) {
    ASSIGN_OR_RETURN(std::string name, RoleName(role, ctx));
    auto [it, inserted] = names.emplace(ToLower(name), role.logical_id);
    if (!inserted) {
      return InvalidArgument(role.pos.ToString() + ": roles " + it->second + " and " +
                             role.logical_id + " would both be named " + name);
    }
  }
  return Status::Ok();
}

Result<std::map<std::string, DeployedRole>> RoleDeployer::Apply(int* changes,
                                                                const Progress& progress) {
  RETURN_IF_ERROR(CheckRoleNames(m_, ctx_));
  std::map<std::string, DeployedRole> out;
  for (const manifest::RoleDef& role : m_.roles) {
    ASSIGN_OR_RETURN(out[role.logical_id], ApplyOne(role, changes, progress));
  }
  return out;
}

Result<DeployedRole> RoleDeployer::ApplyOne(const manifest::RoleDef& role, int* changes,
                                            const Progress& progress) {
  ASSIGN_OR_RETURN(WantedRole want, WantRole(m_, role, ctx_));
  auto say = [&](const std::string& what) {
    ++*changes;
    if (progress) progress("role " + want.name + ": " + what);
  };

  ASSIGN_OR_RETURN(std::optional<IamRole> have, iam_.GetRole(want.name));
  if (have && (have->path != role.path || !SameDocument(have->trust_policy, want.trust))) {
    auto tag = have->tags.find(kRoleStackTagKey);
    if (tag == have->tags.end() || tag->second != RoleStackTag(m_)) {
      return FailedPrecondition(role.pos.ToString() + ": role " + want.name +
                                " exists with another path or trust policy, and this service's "
                                "deploys did not create it: rename the role or delete it");
    }
    RETURN_IF_ERROR(iam_.DeleteRoleWithPolicies(want.name));
    say("deleted to be made again (its path or trust policy changed)");
    have.reset();
  }
  if (!have) {
    CreateRoleArgs args{want.name, role.path, json::serialize(want.trust), role.description,
                        want.tags};
    ASSIGN_OR_RETURN(IamRole created, iam_.CreateRole(args));
    for (const auto& [name, doc] : want.policies) {
      RETURN_IF_ERROR(iam_.PutRolePolicy(want.name, name, json::serialize(doc)));
    }
    for (const std::string& arn : want.managed) {
      RETURN_IF_ERROR(iam_.AttachRolePolicy(want.name, arn));
    }
    say("created");
    return DeployedRole{want.name, created.arn, created.role_id};
  }

  ASSIGN_OR_RETURN(std::vector<std::string> inline_names, iam_.ListRolePolicies(want.name));
  std::set<std::string> wanted_names;
  for (const auto& [name, doc] : want.policies) {
    wanted_names.insert(name);
    bool exists = std::find(inline_names.begin(), inline_names.end(), name) != inline_names.end();
    if (exists) {
      ASSIGN_OR_RETURN(std::string current, iam_.GetRolePolicy(want.name, name));
      if (SameDocument(current, doc)) continue;
    }
    RETURN_IF_ERROR(iam_.PutRolePolicy(want.name, name, json::serialize(doc)));
    say("policy " + name + (exists ? " updated" : " added"));
  }
  for (const std::string& name : inline_names) {
    if (wanted_names.count(name) != 0) continue;
    RETURN_IF_ERROR(iam_.DeleteRolePolicy(want.name, name));
    say("policy " + name + " deleted");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> attached, iam_.ListAttachedRolePolicies(want.name));
  for (const std::string& arn : want.managed) {
    if (std::find(attached.begin(), attached.end(), arn) != attached.end()) continue;
    RETURN_IF_ERROR(iam_.AttachRolePolicy(want.name, arn));
    say("attached " + arn);
  }
  for (const std::string& arn : attached) {
    if (std::find(want.managed.begin(), want.managed.end(), arn) != want.managed.end()) continue;
    RETURN_IF_ERROR(iam_.DetachRolePolicy(want.name, arn));
    say("detached " + arn);
  }
  return DeployedRole{want.name, have->arn, have->role_id};
}

Status RoleDeployer::DeleteOthers(const std::set<std::string>& keep, int* changes,
                                  const Progress& progress) {
  std::set<std::string> kept;
  for (const std::string& name : keep) kept.insert(ToLower(name));
  const std::string tag = RoleStackTag(m_);
  ASSIGN_OR_RETURN(std::vector<std::string> names, iam_.ListRoleNames());
  for (const std::string& name : names) {
    if (kept.count(ToLower(name)) != 0) continue;
    ASSIGN_OR_RETURN(std::optional<IamRole> role, iam_.GetRole(name));
    if (!role) continue;
    auto it = role->tags.find(kRoleStackTagKey);
    if (it == role->tags.end() || it->second != tag) continue;
    RETURN_IF_ERROR(iam_.DeleteRoleWithPolicies(name));
    ++*changes;
    if (progress) progress("role " + name + ": deleted");
  }
  return Status::Ok();
}

}  // namespace nimbus::deploy
