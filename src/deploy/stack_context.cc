#include "deploy/stack_context.h"

#include "core/platform.h"
#include "deploy/naming.h"
#include "manifest/naming.h"

namespace nimbus::deploy {

StackContext::StackContext(const manifest::Manifest& m, std::string account_id)
    : m_(m), account_id_(std::move(account_id)) {}

void StackContext::SetTable(const std::string& logical_id, json::object description) {
  tables_[logical_id] = std::move(description);
}

void StackContext::SetRoles(std::map<std::string, DeployedRole> roles) {
  roles_ = std::move(roles);
}

Result<std::string> StackContext::FunctionRoleArn(const manifest::FunctionDef& fn) {
  if (!fn.role.empty()) {
    auto it = roles_.find(fn.role);
    if (it == roles_.end()) return Status(Code::kInternal, "role " + fn.role + " was not deployed");
    return it->second.arn;
  }
  auto arn = manifest::EvaluateIntrinsic(fn.role_arn, Context());
  if (!arn.ok()) {
    return InvalidArgument(fn.pos.ToString() + ": function " + fn.key +
                           ": role: " + arn.status().message());
  }
  return arn;
}

manifest::IntrinsicContext StackContext::Context() {
  manifest::IntrinsicContext ctx;
  ctx.region = m_.region;
  ctx.account_id = account_id_;
  ctx.stack_name = manifest::StackName(m_.service, m_.stage);
  ctx.resolve = [this](const std::string& id, const std::string& attr) {
    return Resolve(id, attr);
  };
  return ctx;
}

Result<std::string> StackContext::Resolve(const std::string& id, const std::string& attribute) {
  for (const auto& t : m_.tables) {
    if (t.logical_id != id) continue;
    ASSIGN_OR_RETURN(std::string name, TableName(m_, t));
    if (attribute.empty()) return name;
    auto it = tables_.find(id);
    if (it == tables_.end()) return NotFound("table " + id + " is not deployed yet");
    const json::object& d = it->second;
    if (attribute == "Arn") {
      const json::value* arn = d.if_contains("TableArn");
      if (arn == nullptr || !arn->is_string()) return NotFound("table " + id + " has no ARN yet");
      return std::string(arn->get_string());
    }
    if (attribute == "StreamArn") {
      const json::value* arn = d.if_contains("LatestStreamArn");
      if (!arn) return InvalidArgument("Fn::GetAtt " + id + ".StreamArn: the table has no stream");
      return std::string(arn->get_string());
    }
    return InvalidArgument("Fn::GetAtt " + id + "." + attribute +
                           " is not an attribute of a table");
  }
  for (const auto& f : m_.functions) {
    if (manifest::FunctionLogicalId(f.key) != id) continue;
    if (attribute.empty()) return f.name;
    if (attribute == "Arn") return Platform{m_.region, account_id_}.FunctionArn(f.name);
    return InvalidArgument("Fn::GetAtt " + id + "." + attribute +
                           " is not an attribute of a function");
  }
  if (const manifest::RoleDef* role = m_.FindRole(id)) {
    if (auto it = roles_.find(id); it != roles_.end()) {
      if (attribute.empty()) return it->second.name;
      if (attribute == "Arn") return it->second.arn;
      if (attribute == "RoleId") return it->second.role_id;
    } else if (attribute == "RoleId") {
      return NotFound("role " + id + " is not deployed yet");
    }
    if (!attribute.empty() && attribute != "Arn") {
      return InvalidArgument("Fn::GetAtt " + id + "." + attribute +
                             " is not an attribute of a role");
    }
    if (!resolving_roles_.insert(id).second) return InvalidArgument("role " + id + " names itself");
    manifest::IntrinsicContext ctx = Context();
    auto out = attribute.empty() ? RoleName(*role, ctx) : RoleArn(*role, ctx);
    resolving_roles_.erase(id);
    return out;
  }
  return NotFound("no resource " + id + " in this service");
}

}  // namespace nimbus::deploy
