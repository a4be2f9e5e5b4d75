#include "iam/iam_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/ids.h"
#include "core/strings.h"
#include "core/time.h"
#include "iam/managed_policies.h"
#include "iam/role_codec.h"
#include "iam/role_validation.h"
#include "store/keyspace.h"

namespace nimbus::iam {
namespace {

constexpr std::string_view kRolePrefix = store::keyspace::kRoles;

std::string RoleKey(const std::string& lower_name) {
  return std::string(kRolePrefix) + lower_name;
}

Status WithReason(Code code, std::string message, const char* reason) {
  return Status(code, std::move(message), reason);
}

Status NoSuchRole(std::string_view name) {
  return WithReason(Code::kNotFound,
                    "The role with name " + std::string(name) + " cannot be found.",
                    "NoSuchEntity");
}

Status LimitExceeded(std::string message) {
  return WithReason(Code::kResourceExhausted, std::move(message), "LimitExceeded");
}

// Stands in for a stored document that no longer parses: it denies
// everything, so a policy that cannot be read never widens access.
std::shared_ptr<const Policy> DenyAll() {
  static const std::shared_ptr<const Policy> kPolicy = [] {
    auto p = std::make_shared<Policy>();
    p->version = "2012-10-17";
    Statement s;
    s.allow = false;
    s.actions = {"*"};
    s.resources = {"*"};
    p->statements.push_back(std::move(s));
    return std::shared_ptr<const Policy>(std::move(p));
  }();
  return kPolicy;
}

size_t InlineQuotaSize(const Role& role) {
  size_t total = 0;
  for (const auto& [name, doc] : role.inline_policies) total += PolicyQuotaSize(doc);
  return total;
}

}  // namespace

IamService::IamService(store::KvStore& kv, IamOptions options)
    : kv_(kv), options_(std::move(options)) {}

std::string IamService::RoleArn(std::string_view path, std::string_view name) const {
  return options_.platform.RoleArn(path, name);
}

void IamService::Compile(Entry* e) {
  auto compiled = std::make_shared<RolePolicies>();
  compiled->role_arn = e->role.arn;
  compiled->role_name = e->role.name;
  for (const auto& [name, policy] : e->inline_parsed) compiled->policies.push_back(policy);
  for (const std::string& arn : e->role.attached_policy_arns) {
    const ManagedPolicy* managed = FindManagedPolicy(arn);
    compiled->policies.push_back(managed != nullptr && managed->parsed ? managed->parsed
                                                                       : DenyAll());
  }
  e->compiled = std::move(compiled);
}

Status IamService::Open() {
  std::lock_guard write(write_mu_);
  std::map<std::string, EntryPtr> roles;
  std::unordered_map<std::string, EntryPtr> by_arn;
  Status bad;
  Status s = kv_.Scan(kRolePrefix, "", [&](std::string_view key, std::string_view value) {
    Result<Role> role = DecodeRole(value);
    if (!role.ok()) {
      bad = Internal("the stored IAM role " + std::string(key) +
                     " is unreadable: " + role.status().message());
      return false;
    }
    auto e = std::make_shared<Entry>();
    e->role = std::move(*role);
    auto trust = ParsePolicy(e->role.assume_role_policy, PolicyKind::kTrust);
    if (trust.ok()) e->trust = *trust;  // otherwise the role trusts no one
    for (const auto& [name, doc] : e->role.inline_policies) {
      auto parsed = ParsePolicy(doc, PolicyKind::kIdentity);
      if (!parsed.ok()) {
        spdlog::error("iam: role {}: inline policy {} no longer parses ({}); it denies everything",
                      e->role.name, name, parsed.status().message());
      }
      e->inline_parsed[name] = parsed.ok() ? *parsed : DenyAll();
    }
    for (const std::string& arn : e->role.attached_policy_arns) {
      if (FindManagedPolicy(arn) == nullptr) {
        spdlog::error("iam: role {}: attached policy {} is unknown; it denies everything",
                      e->role.name, arn);
      }
    }
    Compile(e.get());
    by_arn[e->role.arn] = e;
    roles[ToLower(e->role.name)] = std::move(e);
    return true;
  });
  RETURN_IF_ERROR(s);
  RETURN_IF_ERROR(bad);
  std::unique_lock lock(mu_);
  roles_ = std::move(roles);
  by_arn_ = std::move(by_arn);
  return Status::Ok();
}

Result<IamService::EntryPtr> IamService::Find(std::string_view name) const {
  auto it = roles_.find(ToLower(name));
  if (it == roles_.end()) return NoSuchRole(name);
  return it->second;
}

Status IamService::Commit(const std::string& lower_name, std::shared_ptr<Entry> entry) {
  EntryPtr old;
  if (auto it = roles_.find(lower_name); it != roles_.end()) old = it->second;
  if (entry) {
    Compile(entry.get());
    RETURN_IF_ERROR(kv_.Put(RoleKey(lower_name), EncodeRole(entry->role), /*sync=*/true));
  } else {
    RETURN_IF_ERROR(kv_.Delete(RoleKey(lower_name), /*sync=*/true));
  }
  std::unique_lock lock(mu_);
  if (old) by_arn_.erase(old->role.arn);
  if (entry) {
    by_arn_[entry->role.arn] = entry;
    roles_[lower_name] = std::move(entry);
  } else {
    roles_.erase(lower_name);
  }
  return Status::Ok();
}

Result<Role> IamService::CreateRole(const CreateRoleInput& in) {
  RETURN_IF_ERROR(ValidateRoleName(in.name));
  RETURN_IF_ERROR(ValidatePath(in.path, "path"));
  RETURN_IF_ERROR(ValidatePolicyDocumentText(in.assume_role_policy, "assumeRolePolicyDocument"));
  RETURN_IF_ERROR(ValidateDescription(in.description));
  RETURN_IF_ERROR(ValidateMaxSessionDuration(in.max_session_duration));
  RETURN_IF_ERROR(ValidateTags(in.tags));
  auto trust = ParsePolicy(in.assume_role_policy, PolicyKind::kTrust);
  if (!trust.ok()) return trust.status();
  if (PolicyQuotaSize(in.assume_role_policy) > kMaxTrustPolicyChars) {
    return LimitExceeded("Cannot exceed quota for ACLSizePerRole: " +
                         std::to_string(kMaxTrustPolicyChars));
  }

  std::lock_guard write(write_mu_);
  std::string lower = ToLower(in.name);
  if (roles_.count(lower) > 0) {
    return WithReason(Code::kAlreadyExists, "Role with name " + in.name + " already exists.",
                      "EntityAlreadyExists");
  }
  if (roles_.size() >= kMaxRoles) {
    return LimitExceeded("Cannot exceed quota for RolesPerAccount: " + std::to_string(kMaxRoles));
  }
  auto e = std::make_shared<Entry>();
  Role& r = e->role;
  r.name = in.name;
  r.path = in.path;
  r.arn = RoleArn(in.path, in.name);
  r.role_id = "AROA" + RandomUpperAlnum(17);
  r.description = in.description;
  r.create_date_ms = NowEpochMillis();
  r.assume_role_policy = in.assume_role_policy;
  r.max_session_duration = in.max_session_duration;
  r.tags = in.tags;
  e->trust = *trust;
  Role out = r;
  RETURN_IF_ERROR(Commit(lower, std::move(e)));
  return out;
}

Result<Role> IamService::GetRole(std::string_view name) const {
  std::shared_lock lock(mu_);
  ASSIGN_OR_RETURN(EntryPtr e, Find(name));
  return e->role;
}

Status IamService::DeleteRole(std::string_view name) {
  std::lock_guard write(write_mu_);
  ASSIGN_OR_RETURN(EntryPtr e, Find(name));
  if (!e->role.attached_policy_arns.empty()) {
    return WithReason(Code::kConflict, "Cannot delete entity, must detach all policies first.",
                      "DeleteConflict");
  }
  if (!e->role.inline_policies.empty()) {
    return WithReason(Code::kConflict, "Cannot delete entity, must delete policies first.",
                      "DeleteConflict");
  }
  return Commit(ToLower(e->role.name), nullptr);
}

std::vector<Role> IamService::ListRoles(std::string_view path_prefix, std::string_view marker,
                                        int max_items, std::string* next_marker) const {
  size_t max = static_cast<size_t>(std::clamp(max_items, 1, 1000));
  std::vector<Role> out;
  std::string next;
  std::shared_lock lock(mu_);
  auto it = marker.empty() ? roles_.begin() : roles_.upper_bound(ToLower(marker));
  for (; it != roles_.end(); ++it) {
    const Role& r = it->second->role;
    if (!r.path.starts_with(path_prefix)) continue;
    if (out.size() == max) {
      next = out.back().name;
      break;
    }
    out.push_back(r);
  }
  if (next_marker != nullptr) *next_marker = std::move(next);
  return out;
}

Status IamService::PutRolePolicy(std::string_view role, std::string_view policy_name,
                                 std::string_view document) {
  RETURN_IF_ERROR(ValidateRoleName(role));
  RETURN_IF_ERROR(ValidatePolicyName(policy_name));
  RETURN_IF_ERROR(ValidatePolicyDocumentText(document, "policyDocument"));
  auto parsed = ParsePolicy(document, PolicyKind::kIdentity);
  if (!parsed.ok()) return parsed.status();

  std::lock_guard write(write_mu_);
  ASSIGN_OR_RETURN(EntryPtr old, Find(role));
  auto e = std::make_shared<Entry>(*old);
  e->role.inline_policies[std::string(policy_name)] = std::string(document);
  if (InlineQuotaSize(e->role) > kMaxInlinePolicyChars) {
    return LimitExceeded("Maximum policy size of " + std::to_string(kMaxInlinePolicyChars) +
                         " bytes exceeded for role " + old->role.name);
  }
  e->inline_parsed[std::string(policy_name)] = *parsed;
  return Commit(ToLower(old->role.name), std::move(e));
}

Result<std::string> IamService::GetRolePolicy(std::string_view role,
                                              std::string_view policy_name) const {
  std::shared_lock lock(mu_);
  ASSIGN_OR_RETURN(EntryPtr e, Find(role));
  auto it = e->role.inline_policies.find(std::string(policy_name));
  if (it == e->role.inline_policies.end()) {
    return WithReason(Code::kNotFound,
                      "The role policy with name " + std::string(policy_name) + " cannot be found.",
                      "NoSuchEntity");
  }
  return it->second;
}

Status IamService::DeleteRolePolicy(std::string_view role, std::string_view policy_name) {
  std::lock_guard write(write_mu_);
  ASSIGN_OR_RETURN(EntryPtr old, Find(role));
  std::string name(policy_name);
  if (old->role.inline_policies.count(name) == 0) {
    return WithReason(Code::kNotFound, "The role policy with name " + name + " cannot be found.",
                      "NoSuchEntity");
  }
  auto e = std::make_shared<Entry>(*old);
  e->role.inline_policies.erase(name);
  e->inline_parsed.erase(name);
  return Commit(ToLower(old->role.name), std::move(e));
}

Status IamService::AttachRolePolicy(std::string_view role, std::string_view policy_arn) {
  RETURN_IF_ERROR(ValidateRoleName(role));
  RETURN_IF_ERROR(ValidatePolicyArn(policy_arn));
  if (FindManagedPolicy(policy_arn) == nullptr) {
    return WithReason(Code::kNotFound,
                      "Policy " + std::string(policy_arn) + " does not exist or is not attachable.",
                      "NoSuchEntity");
  }
  std::lock_guard write(write_mu_);
  ASSIGN_OR_RETURN(EntryPtr old, Find(role));
  const auto& attached = old->role.attached_policy_arns;
  if (std::find(attached.begin(), attached.end(), policy_arn) != attached.end()) {
    return Status::Ok();
  }
  if (attached.size() >= kMaxAttachedPolicies) {
    return LimitExceeded("Cannot exceed quota for PoliciesPerRole: " +
                         std::to_string(kMaxAttachedPolicies));
  }
  auto e = std::make_shared<Entry>(*old);
  e->role.attached_policy_arns.emplace_back(policy_arn);
  return Commit(ToLower(old->role.name), std::move(e));
}

Status IamService::DetachRolePolicy(std::string_view role, std::string_view policy_arn) {
  RETURN_IF_ERROR(ValidateRoleName(role));
  RETURN_IF_ERROR(ValidatePolicyArn(policy_arn));
  std::lock_guard write(write_mu_);
  ASSIGN_OR_RETURN(EntryPtr old, Find(role));
  const auto& attached = old->role.attached_policy_arns;
  auto it = std::find(attached.begin(), attached.end(), policy_arn);
  if (it == attached.end()) {
    return WithReason(Code::kNotFound, "Policy " + std::string(policy_arn) + " was not found.",
                      "NoSuchEntity");
  }
  auto e = std::make_shared<Entry>(*old);
  e->role.attached_policy_arns.erase(e->role.attached_policy_arns.begin() +
                                     (it - attached.begin()));
  return Commit(ToLower(old->role.name), std::move(e));
}

Result<Role> IamService::GetRoleByArn(std::string_view arn) const {
  std::shared_lock lock(mu_);
  auto it = by_arn_.find(std::string(arn));
  if (it == by_arn_.end()) {
    return WithReason(Code::kNotFound, "The role " + std::string(arn) + " cannot be found.",
                      "NoSuchEntity");
  }
  return it->second->role;
}

Result<std::shared_ptr<const RolePolicies>> IamService::PoliciesForRole(
    std::string_view role_arn) const {
  std::shared_lock lock(mu_);
  auto it = by_arn_.find(std::string(role_arn));
  if (it == by_arn_.end()) {
    return WithReason(Code::kNotFound, "The role " + std::string(role_arn) + " cannot be found.",
                      "NoSuchEntity");
  }
  return it->second->compiled;
}

bool IamService::TrustsService(std::string_view role_arn, std::string_view service) const {
  std::shared_ptr<const Policy> trust;
  {
    std::shared_lock lock(mu_);
    auto it = by_arn_.find(std::string(role_arn));
    if (it == by_arn_.end()) return false;
    trust = it->second->trust;
  }
  if (trust == nullptr) return false;
  AccessRequest request{"sts:AssumeRole", role_arn, nullptr};
  return EvaluateResourcePolicy(*trust, "Service", service, request) == Decision::kAllow;
}

}  // namespace nimbus::iam
