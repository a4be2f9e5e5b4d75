#include "iam/role_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/json.h"

namespace nimbus::iam {

std::string EncodeRole(const Role& role) {
  json::object o;
  o["name"] = role.name;
  o["path"] = role.path;
  o["arn"] = role.arn;
  o["id"] = role.role_id;
  o["description"] = role.description;
  o["created"] = role.create_date_ms;
  o["trust"] = role.assume_role_policy;
  o["max_session"] = role.max_session_duration;
  json::array tags;
  for (const Tag& t : role.tags)
    tags.push_back(json::array{json::string(t.key), json::string(t.value)});
  o["tags"] = std::move(tags);
  json::object inline_policies;
  for (const auto& [name, doc] : role.inline_policies) inline_policies[name] = doc;
  o["inline"] = std::move(inline_policies);
  json::array attached;
  for (const std::string& arn : role.attached_policy_arns) attached.push_back(json::string(arn));
  o["attached"] = std::move(attached);
  return json::serialize(o);
}

Result<Role> DecodeRole(std::string_view stored) {
  ASSIGN_OR_RETURN(json::value v, ParseJson(stored));
  const json::object* o = v.if_object();
  if (o == nullptr) return InvalidArgument("a stored IAM role is not a JSON object");
  JsonObjectReader r(*o, "role");
  Role role;
  ASSIGN_OR_RETURN(auto name, r.String("name"));
  ASSIGN_OR_RETURN(auto path, r.String("path"));
  ASSIGN_OR_RETURN(auto arn, r.String("arn"));
  ASSIGN_OR_RETURN(auto id, r.String("id"));
  ASSIGN_OR_RETURN(auto description, r.String("description"));
  ASSIGN_OR_RETURN(auto created, r.Int("created"));
  ASSIGN_OR_RETURN(auto trust, r.String("trust"));
  ASSIGN_OR_RETURN(auto max_session, r.Int("max_session"));
  if (!name || !path || !arn || !id || !trust) {
    return InvalidArgument("a stored IAM role lacks its name, path, arn, id or trust policy");
  }
  role.name = *name;
  role.path = *path;
  role.arn = *arn;
  role.role_id = *id;
  role.description = description.value_or("");
  role.create_date_ms = created.value_or(0);
  role.assume_role_policy = *trust;
  role.max_session_duration = static_cast<int32_t>(max_session.value_or(3600));

  ASSIGN_OR_RETURN(const json::array* tags, r.Array("tags"));
  if (tags != nullptr) {
    for (const json::value& t : *tags) {
      const json::array* pair = t.if_array();
      if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_string() ||
          !(*pair)[1].is_string()) {
        return InvalidArgument("a stored IAM role has a malformed tag");
      }
      role.tags.push_back(
          {std::string((*pair)[0].get_string()), std::string((*pair)[1].get_string())});
    }
  }
  ASSIGN_OR_RETURN(const json::object* inline_policies, r.Object("inline"));
  if (inline_policies != nullptr) {
    for (const auto& [policy, doc] : *inline_policies) {
      if (!doc.is_string()) return InvalidArgument("a stored IAM role has a malformed policy");
      role.inline_policies[std::string(policy)] = std::string(doc.get_string());
    }
  }
  ASSIGN_OR_RETURN(const json::array* attached, r.Array("attached"));
  if (attached != nullptr) {
    for (const json::value& a : *attached) {
      if (!a.is_string()) return InvalidArgument("a stored IAM role has a malformed policy ARN");
      role.attached_policy_arns.emplace_back(a.get_string());
    }
  }
  return role;
}

}  // namespace nimbus::iam
