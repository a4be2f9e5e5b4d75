#include "deploy/iam_client.h"

#include <cstdlib>

#include "core/encoding.h"

namespace nimbus::deploy {
namespace {

std::string XmlUnescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    size_t end = s.find(';', i);
    if (end == std::string_view::npos) {
      out += s[i];
      continue;
    }
    std::string_view entity = s.substr(i + 1, end - i - 1);
    if (entity == "amp") {
      out += '&';
    } else if (entity == "lt") {
      out += '<';
    } else if (entity == "gt") {
      out += '>';
    } else if (entity == "quot") {
      out += '"';
    } else if (entity == "apos") {
      out += '\'';
    } else if (entity.size() > 1 && entity[0] == '#') {
      bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string digits(entity.substr(hex ? 2 : 1));
      long code = std::strtol(digits.c_str(), nullptr, hex ? 16 : 10);
      if (code > 0 && code < 0x80) {
        out += static_cast<char>(code);
      } else if (code >= 0x80 && code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else if (code >= 0x800 && code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      }
    } else {
      out += s.substr(i, end - i + 1);
    }
    i = end;
  }
  return out;
}

std::vector<std::string> Texts(std::string_view xml, std::string_view list, std::string_view tag) {
  std::vector<std::string> out;
  std::vector<std::string_view> section = XmlElements(xml, list);
  if (section.empty()) return out;
  for (std::string_view member : XmlElements(section[0], "member")) {
    out.push_back(tag.empty() ? XmlUnescape(member) : XmlText(member, tag));
  }
  return out;
}

// IAM's documents travel URL-encoded in answers.
std::string Document(std::string_view xml, std::string_view tag) {
  return PercentDecode(XmlText(xml, tag));
}

}  // namespace

std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string open = "<" + std::string(tag) + ">";
  std::string close = "</" + std::string(tag) + ">";
  size_t at = 0;
  while ((at = xml.find(open, at)) != std::string_view::npos) {
    size_t start = at + open.size();
    // Elements of one name nest only through other elements (a <member> in a
    // <member> never happens in IAM's answers), so the next close ends it.
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(start, end - start));
    at = end + close.size();
  }
  return out;
}

std::string XmlText(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> found = XmlElements(xml, tag);
  return found.empty() ? std::string() : XmlUnescape(found[0]);
}

Result<std::string> IamClient::Call(const std::string& action, const Params& params) {
  std::string body = "Action=" + action + "&Version=2010-05-08";
  for (const auto& [key, value] : params) {
    body += "&" + UriEncode(key, false) + "=" + UriEncode(value, false);
  }
  ASSIGN_OR_RETURN(
      AwsReply reply,
      client_.Call("iam", "POST", "/",
                   {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
                   std::move(body)));
  if (reply.status < 300) return std::move(reply.body);
  std::string code = XmlText(reply.body, "Code");
  std::string message = XmlText(reply.body, "Message");
  if (code.empty()) code = "HTTP " + std::to_string(reply.status);
  if (message.empty()) message = reply.body;
  if (code == "NoSuchEntity") return NotFound(message);
  return FailedPrecondition("IAM " + action + ": " + code + ": " + message);
}

Result<std::optional<IamRole>> IamClient::GetRole(const std::string& name) {
  auto xml = Call("GetRole", {{"RoleName", name}});
  if (!xml.ok() && xml.status().code() == Code::kNotFound) return std::optional<IamRole>();
  if (!xml.ok()) return xml.status();
  IamRole role;
  role.name = XmlText(*xml, "RoleName");
  role.path = XmlText(*xml, "Path");
  role.arn = XmlText(*xml, "Arn");
  role.role_id = XmlText(*xml, "RoleId");
  role.trust_policy = Document(*xml, "AssumeRolePolicyDocument");
  std::vector<std::string_view> tags = XmlElements(*xml, "Tags");
  if (!tags.empty()) {
    for (std::string_view member : XmlElements(tags[0], "member")) {
      role.tags[XmlText(member, "Key")] = XmlText(member, "Value");
    }
  }
  return std::optional<IamRole>(std::move(role));
}

Result<IamRole> IamClient::CreateRole(const CreateRoleArgs& args) {
  Params p = {{"RoleName", args.name},
              {"Path", args.path},
              {"AssumeRolePolicyDocument", args.trust_policy}};
  if (!args.description.empty()) p.emplace_back("Description", args.description);
  int i = 0;
  for (const auto& [key, value] : args.tags) {
    ++i;
    p.emplace_back("Tags.member." + std::to_string(i) + ".Key", key);
    p.emplace_back("Tags.member." + std::to_string(i) + ".Value", value);
  }
  ASSIGN_OR_RETURN(std::string xml, Call("CreateRole", p));
  IamRole role;
  role.name = XmlText(xml, "RoleName");
  role.path = XmlText(xml, "Path");
  role.arn = XmlText(xml, "Arn");
  role.role_id = XmlText(xml, "RoleId");
  role.trust_policy = args.trust_policy;
  role.tags = args.tags;
  return role;
}

Status IamClient::DeleteRole(const std::string& name) {
  return Call("DeleteRole", {{"RoleName", name}}).status();
}

Result<std::vector<std::string>> IamClient::ListRoleNames() {
  std::vector<std::string> names;
  std::string marker;
  for (int page = 0; page < 10000; ++page) {
    Params p = {{"MaxItems", "1000"}};
    if (!marker.empty()) p.emplace_back("Marker", marker);
    ASSIGN_OR_RETURN(std::string xml, Call("ListRoles", p));
    std::vector<std::string> found = Texts(xml, "Roles", "RoleName");
    names.insert(names.end(), found.begin(), found.end());
    if (XmlText(xml, "IsTruncated") != "true") break;
    marker = XmlText(xml, "Marker");
    if (marker.empty()) break;
  }
  return names;
}

Result<std::vector<std::string>> IamClient::ListRolePolicies(const std::string& role) {
  ASSIGN_OR_RETURN(std::string xml, Call("ListRolePolicies", {{"RoleName", role}}));
  return Texts(xml, "PolicyNames", "");
}

Result<std::string> IamClient::GetRolePolicy(const std::string& role, const std::string& policy) {
  ASSIGN_OR_RETURN(std::string xml,
                   Call("GetRolePolicy", {{"RoleName", role}, {"PolicyName", policy}}));
  return Document(xml, "PolicyDocument");
}

Status IamClient::PutRolePolicy(const std::string& role, const std::string& policy,
                                const std::string& document) {
  return Call("PutRolePolicy",
              {{"RoleName", role}, {"PolicyName", policy}, {"PolicyDocument", document}})
      .status();
}

Status IamClient::DeleteRolePolicy(const std::string& role, const std::string& policy) {
  return Call("DeleteRolePolicy", {{"RoleName", role}, {"PolicyName", policy}}).status();
}

Result<std::vector<std::string>> IamClient::ListAttachedRolePolicies(const std::string& role) {
  ASSIGN_OR_RETURN(std::string xml, Call("ListAttachedRolePolicies", {{"RoleName", role}}));
  return Texts(xml, "AttachedPolicies", "PolicyArn");
}

Status IamClient::AttachRolePolicy(const std::string& role, const std::string& policy_arn) {
  return Call("AttachRolePolicy", {{"RoleName", role}, {"PolicyArn", policy_arn}}).status();
}

Status IamClient::DetachRolePolicy(const std::string& role, const std::string& policy_arn) {
  return Call("DetachRolePolicy", {{"RoleName", role}, {"PolicyArn", policy_arn}}).status();
}

Status IamClient::DeleteRoleWithPolicies(const std::string& name) {
  auto gone = [](const Status& s) { return s.ok() || s.code() == Code::kNotFound; };
  auto policies = ListRolePolicies(name);
  if (!gone(policies.status())) return policies.status();
  if (policies.ok()) {
    for (const std::string& p : *policies) {
      if (Status s = DeleteRolePolicy(name, p); !gone(s)) return s;
    }
  }
  auto attached = ListAttachedRolePolicies(name);
  if (!gone(attached.status())) return attached.status();
  if (attached.ok()) {
    for (const std::string& arn : *attached) {
      if (Status s = DetachRolePolicy(name, arn); !gone(s)) return s;
    }
  }
  Status s = DeleteRole(name);
  return gone(s) ? Status::Ok() : s;
}

}  // namespace nimbus::deploy
