#include "aws/iam/iam_frontend.h"

#include <cctype>
#include <cstdint>

#include <fmt/format.h>

#include "core/encoding.h"
#include "core/strings.h"
#include "core/time.h"
#include "iam/managed_policies.h"

namespace nimbus::aws {
namespace {

Status Validation(std::string message) {
  return Status(Code::kInvalidArgument, std::move(message), "ValidationError");
}

// IAM's answer to a required member the request lacks.
Status Required(const Call& call, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (!call.HasField(n)) {
      std::string member(n);
      member[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(member[0])));
      return Validation("1 validation error detected: Value null at '" + member +
                        "' failed to satisfy constraint: Member must not be null");
    }
  }
  return Status::Ok();
}

Result<int> MaxItems(const Call& call) {
  const std::string& m = call.Field("MaxItems");
  if (m.empty()) return 100;
  long long v = 0;
  if (!ParseInt64(m, &v) || v < 1 || v > 1000) {
    return Validation("1 validation error detected: Value '" + m +
                      "' at 'maxItems' failed to satisfy constraint: Member must have value "
                      "between 1 and 1000");
  }
  return static_cast<int>(v);
}

// A role's members, in the order IAM writes them; `full` adds its tags (as
// GetRole and CreateRole answer, not ListRoles).
void WriteRole(pugi::xml_node node, const iam::Role& r, bool full) {
  AddText(node, "Path", r.path);
  AddText(node, "RoleName", r.name);
  AddText(node, "RoleId", r.role_id);
  AddText(node, "Arn", r.arn);
  AddText(node, "CreateDate", FormatIso8601Millis(r.create_date_ms));
  // Policy documents travel URL-encoded; botocore decodes them.
  if (!r.assume_role_policy.empty()) {
    AddText(node, "AssumeRolePolicyDocument", UriEncode(r.assume_role_policy, false));
  }
  if (!r.description.empty()) AddText(node, "Description", r.description);
  AddText(node, "MaxSessionDuration", std::to_string(r.max_session_duration));
  if (full && !r.tags.empty()) {
    pugi::xml_node tags = node.append_child("Tags");
    for (const auto& t : r.tags) {
      pugi::xml_node member = tags.append_child("member");
      AddText(member, "Key", t.key);
      AddText(member, "Value", t.value);
    }
  }
}

// The answer of an operation whose result is one role.
IamFrontend::Fill RoleResult(iam::Role role) {
  return [role = std::move(role)](pugi::xml_node result) {
    WriteRole(result.append_child("Role"), role, true);
  };
}

// An operation that answers at once: a Result element written by the Fill
// its member function returns, or a Status IAM's error table maps.
template <typename Fn>
std::function<void(Call&, Reply)> Answer(Fn fn) {
  return [fn = std::move(fn)](Call& call, Reply reply) {
    Result<IamFrontend::Fill> fill = fn(call);
    if (!fill.ok()) return reply.Error(fill.status());
    reply.Query(*fill);
  };
}

}  // namespace

ServiceSpec IamSpec() {
  ServiceSpec spec;
  spec.signing_name = "iam";
  spec.iam_prefix = "iam";
  spec.protocol = Protocol::kQuery;
  spec.query_version = "2010-05-08";
  spec.style.xml_namespace = "https://iam.amazonaws.com/doc/2010-05-08/";
  // The IAM service names a bad input's error in the Status reason
  // (ValidationError, MalformedPolicyDocument, InvalidInput).
  spec.errors = ErrorTable(
      {
          {Code::kNotFound, 404, "NoSuchEntity"},
          {Code::kAlreadyExists, 409, "EntityAlreadyExists"},
          {Code::kConflict, 409, "DeleteConflict"},
          {Code::kResourceExhausted, 409, "LimitExceeded"},
          {Code::kInvalidArgument, 400, "ValidationError", {}, true},
          {Code::kPermissionDenied, 403, "AccessDenied"},
      },
      {Code::kInternal, 500, "ServiceFailure"});
  spec.unknown_operation = [](const net::HttpRequest&, std::string_view action) {
    if (action.empty()) {
      return AwsError{400, "MissingAction", "The request must contain the parameter Action."};
    }
    return AwsError{400, "InvalidAction",
                    "Nimbus does not implement the IAM action " + std::string(action) + " (yet)"};
  };
  return spec;
}

IamFrontend::IamFrontend(iam::IamService& iam) : ServiceFrontend(IamSpec(), {}), iam_(iam) {
  SetOperations(Operations());
}

std::string IamFrontend::RoleArnOf(const Call& call, bool existing) const {
  const std::string& name = call.Field("RoleName");
  if (existing && !name.empty()) {
    if (auto role = iam_.GetRole(name); role.ok()) return role->arn;
  }
  const std::string& path = call.Field("Path");
  return iam_.RoleArn(path.empty() ? "/" : path, name);
}

std::vector<Operation> IamFrontend::Operations() {
  using Resources = std::function<std::vector<std::string>(const Call&)>;
  // CreateRole is authorised on the ARN the role will have; the other role
  // operations on the role's own ARN.
  Resources new_role = [this](const Call& c) {
    return std::vector<std::string>{RoleArnOf(c, false)};
  };
  Resources role = [this](const Call& c) { return std::vector<std::string>{RoleArnOf(c, true)}; };
  Resources policy = [](const Call& c) { return std::vector<std::string>{c.Field("PolicyArn")}; };
  auto op = [this](std::string name, Result<Fill> (IamFrontend::*member)(const Call&),
                   Resources resources) {
    Operation o;
    o.name = std::move(name);
    o.resources = std::move(resources);  // unset: "*"
    o.handle = Answer([this, member](const Call& c) { return (this->*member)(c); });
    return o;
  };
  return {
      op("CreateRole", &IamFrontend::CreateRole, new_role),
      op("GetRole", &IamFrontend::GetRole, role),
      op("DeleteRole", &IamFrontend::DeleteRole, role),
      op("ListRoles", &IamFrontend::ListRoles, nullptr),
      op("PutRolePolicy", &IamFrontend::PutRolePolicy, role),
      op("GetRolePolicy", &IamFrontend::GetRolePolicy, role),
      op("DeleteRolePolicy", &IamFrontend::DeleteRolePolicy, role),
      op("ListRolePolicies", &IamFrontend::ListRolePolicies, role),
      op("AttachRolePolicy", &IamFrontend::AttachRolePolicy, role),
      op("DetachRolePolicy", &IamFrontend::DetachRolePolicy, role),
      op("ListAttachedRolePolicies", &IamFrontend::ListAttachedRolePolicies, role),
      op("GetPolicy", &IamFrontend::GetPolicy, policy),
      op("GetPolicyVersion", &IamFrontend::GetPolicyVersion, policy),
  };
}

Result<IamFrontend::Fill> IamFrontend::CreateRole(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"RoleName", "AssumeRolePolicyDocument"}));
  iam::CreateRoleInput in;
  in.name = call.Field("RoleName");
  if (call.HasField("Path")) in.path = call.Field("Path");
  in.assume_role_policy = call.Field("AssumeRolePolicyDocument");
  in.description = call.Field("Description");
  if (call.HasField("MaxSessionDuration")) {
    long long v = 0;
    if (!ParseInt64(call.Field("MaxSessionDuration"), &v) || v < 0 || v > INT32_MAX) {
      return Validation("MaxSessionDuration must be a number of seconds");
    }
    in.max_session_duration = static_cast<int32_t>(v);
  }
  std::vector<std::string> keys = FormList(call.form, "Tags.member", "Key");
  for (size_t i = 0; i < keys.size(); ++i) {
    in.tags.push_back({keys[i], call.Field(fmt::format("Tags.member.{}.Value", i + 1))});
  }
  ASSIGN_OR_RETURN(iam::Role created, iam_.CreateRole(in));
  return RoleResult(std::move(created));
}

Result<IamFrontend::Fill> IamFrontend::GetRole(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"RoleName"}));
  ASSIGN_OR_RETURN(iam::Role found, iam_.GetRole(call.Field("RoleName")));
  return RoleResult(std::move(found));
}

Result<IamFrontend::Fill> IamFrontend::DeleteRole(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"RoleName"}));
  RETURN_IF_ERROR(iam_.DeleteRole(call.Field("RoleName")));
  return Fill();
}

Result<IamFrontend::Fill> IamFrontend::ListRoles(const Call& call) {
  ASSIGN_OR_RETURN(int max, MaxItems(call));
  std::string next;
  std::vector<iam::Role> roles =
      iam_.ListRoles(call.Field("PathPrefix"), call.Field("Marker"), max, &next);
  return Fill([roles = std::move(roles), next = std::move(next)](pugi::xml_node result) {
    pugi::xml_node list = result.append_child("Roles");
    for (const auto& r : roles) WriteRole(list.append_child("member"), r, false);
    AddText(result, "IsTruncated", next.empty() ? "false" : "true");
    if (!next.empty()) AddText(result, "Marker", next);
  });
}

Result<IamFrontend::Fill> IamFrontend::PutRolePolicy(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"RoleName", "PolicyName", "PolicyDocument"}));
  RETURN_IF_ERROR(iam_.PutRolePolicy(call.Field("RoleName"), call.Field("PolicyName"),
                                     call.Field("PolicyDocument")));
  return Fill();
}

Result<IamFrontend::Fill> IamFrontend::GetRolePolicy(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"RoleName", "PolicyName"}));
  ASSIGN_OR_RETURN(std::string doc,
                   iam_.GetRolePolicy(call.Field("RoleName"), call.Field("PolicyName")));
  return Fill([role = call.Field("RoleName"), name = call.Field("PolicyName"),
               doc = UriEncode(doc, false)](pugi::xml_node result) {
    AddText(result, "RoleName", role);
    AddText(result, "PolicyName", name);
    AddText(result, "PolicyDocument", doc);
  });
}

Result<IamFrontend::Fill> IamFrontend::DeleteRolePolicy(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"RoleName", "PolicyName"}));
  RETURN_IF_ERROR(iam_.DeleteRolePolicy(call.Field("RoleName"), call.Field("PolicyName")));
  return Fill();
}

Result<IamFrontend::Fill> IamFrontend::ListRolePolicies(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"RoleName"}));
  ASSIGN_OR_RETURN(iam::Role found, iam_.GetRole(call.Field("RoleName")));
  std::vector<std::string> names;
  for (const auto& [name, doc] : found.inline_policies) names.push_back(name);
  return Fill([names = std::move(names)](pugi::xml_node result) {
    pugi::xml_node list = result.append_child("PolicyNames");
    for (const auto& name : names) AddText(list, "member", name);
    AddText(result, "IsTruncated", "false");
  });
}

Result<IamFrontend::Fill> IamFrontend::AttachRolePolicy(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"RoleName", "PolicyArn"}));
  RETURN_IF_ERROR(iam_.AttachRolePolicy(call.Field("RoleName"), call.Field("PolicyArn")));
  return Fill();
}

Result<IamFrontend::Fill> IamFrontend::DetachRolePolicy(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"RoleName", "PolicyArn"}));
  RETURN_IF_ERROR(iam_.DetachRolePolicy(call.Field("RoleName"), call.Field("PolicyArn")));
  return Fill();
}

Result<IamFrontend::Fill> IamFrontend::ListAttachedRolePolicies(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"RoleName"}));
  ASSIGN_OR_RETURN(iam::Role found, iam_.GetRole(call.Field("RoleName")));
  return Fill([arns = std::move(found.attached_policy_arns)](pugi::xml_node result) {
    pugi::xml_node list = result.append_child("AttachedPolicies");
    for (const auto& arn : arns) {
      const iam::ManagedPolicy* mp = iam::FindManagedPolicy(arn);
      pugi::xml_node member = list.append_child("member");
      AddText(member, "PolicyName", mp ? mp->name : arn.substr(arn.rfind('/') + 1));
      AddText(member, "PolicyArn", arn);
    }
    AddText(result, "IsTruncated", "false");
  });
}

Result<IamFrontend::Fill> IamFrontend::GetPolicy(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"PolicyArn"}));
  const std::string& arn = call.Field("PolicyArn");
  const iam::ManagedPolicy* mp = iam::FindManagedPolicy(arn);
  if (mp == nullptr) return NotFound("Policy " + arn + " was not found.");
  return Fill([mp](pugi::xml_node result) {
    pugi::xml_node p = result.append_child("Policy");
    AddText(p, "PolicyName", mp->name);
    AddText(p, "PolicyId", mp->policy_id);
    AddText(p, "Arn", mp->arn);
    AddText(p, "Path", mp->path);
    AddText(p, "DefaultVersionId", mp->default_version_id);
    AddText(p, "AttachmentCount", "0");
    AddText(p, "IsAttachable", "true");
  });
}

Result<IamFrontend::Fill> IamFrontend::GetPolicyVersion(const Call& call) {
  RETURN_IF_ERROR(Required(call, {"PolicyArn"}));
  const std::string& arn = call.Field("PolicyArn");
  const iam::ManagedPolicy* mp = iam::FindManagedPolicy(arn);
  if (mp == nullptr) return NotFound("Policy " + arn + " was not found.");
  RETURN_IF_ERROR(Required(call, {"VersionId"}));
  if (call.Field("VersionId") != mp->default_version_id) {
    return NotFound("Policy " + arn + " version " + call.Field("VersionId") + " does not exist.");
  }
  return Fill([mp](pugi::xml_node result) {
    pugi::xml_node v = result.append_child("PolicyVersion");
    AddText(v, "Document", UriEncode(mp->document, false));
    AddText(v, "VersionId", mp->default_version_id);
    AddText(v, "IsDefaultVersion", "true");
  });
}

}  // namespace nimbus::aws
