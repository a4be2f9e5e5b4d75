#include "aws/iam_frontend.h"

#include <fmt/format.h>

#include "aws/access.h"
#include "core/encoding.h"
#include "core/strings.h"
#include "core/time.h"
#include "iam/managed_policies.h"

namespace nimbus::aws {
namespace {

constexpr const char* kXmlns = "https://iam.amazonaws.com/doc/2010-05-08/";

// Form fields of a query-protocol request: the body for POST, the query
// string for GET; later duplicates win, as on AWS.
std::map<std::string, std::string> FormParams(const net::HttpRequest& req) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : req.QueryParams()) out[k] = v;
  if (!req.body.empty()) {
    for (std::string_view pair : Split(req.body, '&')) {
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      std::string key = FormDecode(pair.substr(0, eq));
      out[key] = eq == std::string_view::npos ? std::string() : FormDecode(pair.substr(eq + 1));
    }
  }
  return out;
}

std::string Get(const std::map<std::string, std::string>& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

std::string Element(std::string_view name, std::string_view text) {
  return fmt::format("<{0}>{1}</{0}>", name, XmlEscape(text));
}

std::string RoleXml(const iam::Role& r, bool full) {
  std::string x = "<Path>" + XmlEscape(r.path) + "</Path>" + Element("RoleName", r.name) +
                  Element("RoleId", r.role_id) + Element("Arn", r.arn) +
                  Element("CreateDate", FormatIso8601Millis(r.create_date_ms));
  // Policy documents travel URL-encoded; botocore decodes them.
  if (!r.assume_role_policy.empty()) {
    x += Element("AssumeRolePolicyDocument", UriEncode(r.assume_role_policy, false));
  }
  if (!r.description.empty()) x += Element("Description", r.description);
  x += Element("MaxSessionDuration", std::to_string(r.max_session_duration));
  if (full && !r.tags.empty()) {
    x += "<Tags>";
    for (const auto& t : r.tags) {
      x += "<member>" + Element("Key", t.key) + Element("Value", t.value) + "</member>";
    }
    x += "</Tags>";
  }
  return x;
}

Result<int> MaxItems(const std::map<std::string, std::string>& p) {
  std::string m = Get(p, "MaxItems");
  if (m.empty()) return 100;
  long long v = 0;
  if (!ParseInt64(m, &v) || v < 1 || v > 1000) {
    return Status(Code::kInvalidArgument,
                  "1 validation error detected: Value '" + m +
                      "' at 'maxItems' failed to satisfy constraint: Member must have value "
                      "between 1 and 1000",
                  "ValidationError");
  }
  return static_cast<int>(v);
}

Status Required(const std::map<std::string, std::string>& p,
                std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (!p.count(n)) {
      std::string member(n);
      member[0] = static_cast<char>(std::tolower(member[0]));
      return Status(Code::kInvalidArgument,
                    "1 validation error detected: Value null at '" + member +
                        "' failed to satisfy constraint: Member must not be null",
                    "ValidationError");
    }
  }
  return Status::Ok();
}

}  // namespace

AwsError IamError(const Status& s) {
  switch (s.code()) {
    case Code::kNotFound: return {404, "NoSuchEntity", s.message()};
    case Code::kAlreadyExists: return {409, "EntityAlreadyExists", s.message()};
    case Code::kConflict: return {409, "DeleteConflict", s.message()};
    case Code::kResourceExhausted: return {409, "LimitExceeded", s.message()};
    case Code::kInvalidArgument:
      return {400, s.reason().empty() ? "ValidationError" : s.reason(), s.message()};
    case Code::kPermissionDenied: return {403, "AccessDenied", s.message()};
    default: return {500, "ServiceFailure", s.message()};
  }
}

IamFrontend::IamFrontend(iam::IamService& iam, std::string account_id)
    : iam_(iam), account_id_(std::move(account_id)) {}

void IamFrontend::Handle(net::HttpRequest&& req, const RequestContext& ctx,
                         net::Responder respond) {
  Params p = FormParams(req);
  std::string action = Get(p, "Action");
  std::optional<AwsError> denied;
  auto result = Dispatch(action, p, ctx, &denied);
  if (denied) return respond(RenderError(Protocol::kQuery, *denied, ctx.request_id));
  if (!result.ok()) return respond(RenderError(Protocol::kQuery, IamError(result.status()), ctx.request_id));
  net::HttpResponse r;
  r.status = 200;
  r.headers.push_back({"Content-Type", "text/xml"});
  r.headers.push_back({"x-amzn-RequestId", ctx.request_id});
  std::string inner = result->empty() ? "" : "<" + action + "Result>" + *result + "</" + action + "Result>";
  r.body = "<" + action + "Response xmlns=\"" + kXmlns + "\">" + inner +
           "<ResponseMetadata><RequestId>" + ctx.request_id +
           "</RequestId></ResponseMetadata></" + action + "Response>";
  respond(std::move(r));
}

Result<std::string> IamFrontend::Dispatch(const std::string& action, const Params& p,
                                          const RequestContext& ctx,
                                          std::optional<AwsError>* denied) {
  const std::string role_name = Get(p, "RoleName");
  auto authorize = [&](const std::string& resource) {
    *denied = ctx.Authorize("iam:" + action, resource);
    return !denied->has_value();
  };
  std::string role_arn = iam_.RoleArn(Get(p, "Path").empty() ? "/" : Get(p, "Path"), role_name);
  if (!role_name.empty() && action != "CreateRole") {
    if (auto existing = iam_.GetRole(role_name); existing.ok()) role_arn = existing->arn;
  }

  if (action == "CreateRole") {
    RETURN_IF_ERROR(Required(p, {"RoleName", "AssumeRolePolicyDocument"}));
    if (!authorize(role_arn)) return std::string();
    iam::CreateRoleInput in;
    in.name = role_name;
    if (p.count("Path")) in.path = Get(p, "Path");
    in.assume_role_policy = Get(p, "AssumeRolePolicyDocument");
    in.description = Get(p, "Description");
    if (p.count("MaxSessionDuration")) {
      long long v = 0;
      if (!ParseInt64(Get(p, "MaxSessionDuration"), &v) || v < 0 || v > INT32_MAX) {
        return Status(Code::kInvalidArgument, "MaxSessionDuration must be a number of seconds",
                      "ValidationError");
      }
      in.max_session_duration = static_cast<int32_t>(v);
    }
    for (int i = 1; p.count(fmt::format("Tags.member.{}.Key", i)); ++i) {
      in.tags.push_back({Get(p, fmt::format("Tags.member.{}.Key", i)),
                         Get(p, fmt::format("Tags.member.{}.Value", i))});
    }
    ASSIGN_OR_RETURN(iam::Role role, iam_.CreateRole(in));
    return "<Role>" + RoleXml(role, true) + "</Role>";
  }
  if (action == "GetRole") {
    RETURN_IF_ERROR(Required(p, {"RoleName"}));
    if (!authorize(role_arn)) return std::string();
    ASSIGN_OR_RETURN(iam::Role role, iam_.GetRole(role_name));
    return "<Role>" + RoleXml(role, true) + "</Role>";
  }
  if (action == "DeleteRole") {
    RETURN_IF_ERROR(Required(p, {"RoleName"}));
    if (!authorize(role_arn)) return std::string();
    RETURN_IF_ERROR(iam_.DeleteRole(role_name));
    return std::string();
  }
  if (action == "ListRoles") {
    if (!authorize("*")) return std::string();
    ASSIGN_OR_RETURN(int max, MaxItems(p));
    std::string next;
    auto roles = iam_.ListRoles(Get(p, "PathPrefix"), Get(p, "Marker"), max, &next);
    std::string x = "<Roles>";
    for (const auto& r : roles) x += "<member>" + RoleXml(r, false) + "</member>";
    x += "</Roles>";
    x += Element("IsTruncated", next.empty() ? "false" : "true");
    if (!next.empty()) x += Element("Marker", next);
    return x;
  }
  if (action == "PutRolePolicy") {
    RETURN_IF_ERROR(Required(p, {"RoleName", "PolicyName", "PolicyDocument"}));
    if (!authorize(role_arn)) return std::string();
    RETURN_IF_ERROR(iam_.PutRolePolicy(role_name, Get(p, "PolicyName"), Get(p, "PolicyDocument")));
    return std::string();
  }
  if (action == "GetRolePolicy") {
    RETURN_IF_ERROR(Required(p, {"RoleName", "PolicyName"}));
    if (!authorize(role_arn)) return std::string();
    ASSIGN_OR_RETURN(std::string doc, iam_.GetRolePolicy(role_name, Get(p, "PolicyName")));
    return Element("RoleName", role_name) + Element("PolicyName", Get(p, "PolicyName")) +
           Element("PolicyDocument", UriEncode(doc, false));
  }
  if (action == "DeleteRolePolicy") {
    RETURN_IF_ERROR(Required(p, {"RoleName", "PolicyName"}));
    if (!authorize(role_arn)) return std::string();
    RETURN_IF_ERROR(iam_.DeleteRolePolicy(role_name, Get(p, "PolicyName")));
    return std::string();
  }
  if (action == "ListRolePolicies") {
    RETURN_IF_ERROR(Required(p, {"RoleName"}));
    if (!authorize(role_arn)) return std::string();
    ASSIGN_OR_RETURN(iam::Role role, iam_.GetRole(role_name));
    std::string x = "<PolicyNames>";
    for (const auto& [name, doc] : role.inline_policies) x += Element("member", name);
    return x + "</PolicyNames>" + Element("IsTruncated", "false");
  }
  if (action == "AttachRolePolicy" || action == "DetachRolePolicy") {
    RETURN_IF_ERROR(Required(p, {"RoleName", "PolicyArn"}));
    if (!authorize(role_arn)) return std::string();
    if (action == "AttachRolePolicy") {
      RETURN_IF_ERROR(iam_.AttachRolePolicy(role_name, Get(p, "PolicyArn")));
    } else {
      RETURN_IF_ERROR(iam_.DetachRolePolicy(role_name, Get(p, "PolicyArn")));
    }
    return std::string();
  }
  if (action == "ListAttachedRolePolicies") {
    RETURN_IF_ERROR(Required(p, {"RoleName"}));
    if (!authorize(role_arn)) return std::string();
    ASSIGN_OR_RETURN(iam::Role role, iam_.GetRole(role_name));
    std::string x = "<AttachedPolicies>";
    for (const auto& arn : role.attached_policy_arns) {
      const iam::ManagedPolicy* mp = iam::FindManagedPolicy(arn);
      x += "<member>" + Element("PolicyName", mp ? mp->name : arn.substr(arn.rfind('/') + 1)) +
           Element("PolicyArn", arn) + "</member>";
    }
    return x + "</AttachedPolicies>" + Element("IsTruncated", "false");
  }
  if (action == "GetPolicy" || action == "GetPolicyVersion") {
    RETURN_IF_ERROR(Required(p, {"PolicyArn"}));
    std::string arn = Get(p, "PolicyArn");
    if (!authorize(arn)) return std::string();
    const iam::ManagedPolicy* mp = iam::FindManagedPolicy(arn);
    if (!mp) return NotFound("Policy " + arn + " was not found.");
    if (action == "GetPolicy") {
      return "<Policy>" + Element("PolicyName", mp->name) + Element("PolicyId", mp->policy_id) +
             Element("Arn", mp->arn) + Element("Path", mp->path) +
             Element("DefaultVersionId", mp->default_version_id) +
             Element("AttachmentCount", "0") + Element("IsAttachable", "true") + "</Policy>";
    }
    RETURN_IF_ERROR(Required(p, {"VersionId"}));
    if (Get(p, "VersionId") != mp->default_version_id) {
      return NotFound("Policy " + arn + " version " + Get(p, "VersionId") + " does not exist.");
    }
    return "<PolicyVersion>" + Element("Document", UriEncode(mp->document, false)) +
           Element("VersionId", mp->default_version_id) + Element("IsDefaultVersion", "true") +
           "</PolicyVersion>";
  }
  return Status(Code::kInvalidArgument,
                action.empty() ? std::string("The request must contain the parameter Action.")
                               : "Nimbus does not implement the IAM action " + action + " (yet)",
                action.empty() ? "MissingAction" : "InvalidAction");
}

}  // namespace nimbus::aws
