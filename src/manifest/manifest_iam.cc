// Builder: execution roles, as the Serverless Framework v3 makes them
// (../shared/reference/iam.md §7): the shared role it generates, existing
// roles named by ARN, AWS::IAM::Role resources, and the roles per function of
// the serverless-iam-roles-per-function plugin.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cctype>

#include "core/crypto.h"
#include "core/encoding.h"
#include "manifest/intrinsics.h"
#include "manifest/manifest_builder.h"
#include "manifest/naming.h"
#include "manifest/variable_resolver.h"

namespace nimbus::manifest {
namespace json = boost::json;
namespace {

constexpr std::string_view kPlugin = "serverless-iam-roles-per-function";
constexpr std::string_view kGeneratedRoleId = "IamRoleLambdaExecution";
constexpr size_t kMaxRoleName = 64;

// IAM's role name characters: [\w+=,.@-].
bool IsRoleNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '+' || c == '=' ||
         c == ',' || c == '.' || c == '@' || c == '-';
}

// What is wrong with a role name, or "".
std::string RoleNameProblem(std::string_view name) {
  if (name.empty()) return "a role name may not be empty";
  if (name.size() > kMaxRoleName) {
    return "role name " + Quote(name) + " is longer than IAM's 64 characters";
  }
  for (char c : name) {
    if (!IsRoleNameChar(c)) {
      return "role name " + Quote(name) + " may contain only letters, digits and _+=,.@-";
    }
  }
  return "";
}

// IAM paths are "/" or "/a/b/", printable ASCII, at most 512 characters.
bool IsRolePath(std::string_view path) {
  if (path.empty() || path.size() > 512 || path.front() != '/' || path.back() != '/') return false;
  for (char c : path) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

json::value LambdaTrustPolicy() {
  return json::object{
      {"Version", "2012-10-17"},
      {"Statement",
       json::array{json::object{
           {"Effect", "Allow"},
           {"Principal", json::object{{"Service", json::array{"lambda.amazonaws.com"}}}},
           {"Action", json::array{"sts:AssumeRole"}}}}}};
}

// {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:<rest>"}
json::value LogGroupArn(std::string_view rest) {
  return json::object{{"Fn::Sub", "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}" +
                                      std::string(":log-group:") + std::string(rest)}};
}

json::value VpcAccessPolicyArn() {
  return json::object{
      {"Fn::Join", json::array{"", json::array{"arn:", json::object{{"Ref", "AWS::Partition"}},
                                               ":iam::aws:policy/service-role/"
                                               "AWSLambdaVPCAccessExecutionRole"}}}};
}

json::value PolicyDocument(json::array statements) {
  return json::object{{"Version", "2012-10-17"}, {"Statement", std::move(statements)}};
}

void Append(json::array* to, const json::value* list) {
  if (list == nullptr || !list->is_array()) return;
  for (const json::value& s : list->get_array()) to->push_back(s);
}

// The name CloudFormation would give a role without RoleName,
// "<stack>-<LogicalId>-<suffix>", with a suffix derived from the region,
// stack and logical id so that every deploy finds the same role.
std::string DefaultResourceRoleName(const Manifest& m, const std::string& id) {
  std::string stack = StackName(m.service, m.stage);
  std::string suffix = Hex(Sha256(m.region + "/" + stack + "/" + id)).substr(0, 12);
  for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string prefix = stack + "-" + id;
  if (prefix.size() > kMaxRoleName - 13) prefix.resize(kMaxRoleName - 13);
  return prefix + "-" + suffix;
}

}  // namespace

const RoleDef* Manifest::FindRole(std::string_view logical_id) const {
  for (const RoleDef& r : roles) {
    if (r.logical_id == logical_id) return &r;
  }
  return nullptr;
}

// --- checks ---

Status Builder::CheckStatement(const json::value& v, const std::string& path, bool trust) const {
  if (!v.is_object()) {
    return Fail(path, path + " must be a mapping with Effect, Action and " +
                          (trust ? "Principal" : "Resource") + ", not " + TypeName(v));
  }
  const json::object& s = v.get_object();
  static const std::set<std::string, std::less<>> kKeys = {
      "Sid",         "Effect",    "Action",       "NotAction", "Resource",
      "NotResource", "Principal", "NotPrincipal", "Condition"};
  for (const auto& member : s) {
    if (kKeys.count(member.key()) == 0) {
      return Fail(JoinKey(path, member.key()),
                  "unknown key " + Quote(member.key()) +
                      " in an IAM statement (allowed: Sid, Effect, Action, NotAction, Resource, "
                      "NotResource, Principal, NotPrincipal, Condition)");
    }
  }
  ASSIGN_OR_RETURN(auto effect, OptString(s, path, "Effect"));
  if (!effect) return Fail(path, "the statement at " + path + " needs Effect: Allow or Deny");
  if (*effect != "Allow" && *effect != "Deny") {
    return Fail(JoinKey(path, "Effect"), "Effect must be Allow or Deny, got " + Quote(*effect));
  }
  auto one_of = [&](const char* a, const char* b, bool required) -> Status {
    bool has_a = s.contains(a), has_b = s.contains(b);
    if (has_a && has_b) {
      return Fail(JoinKey(path, b),
                  "a statement has " + std::string(a) + " or " + b + ", not both");
    }
    if (required && !has_a && !has_b) {
      return Fail(path, "the statement at " + path + " needs " + a + " (or " + b + ")");
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(one_of("Action", "NotAction", true));
  RETURN_IF_ERROR(one_of("Resource", "NotResource", !trust));
  RETURN_IF_ERROR(one_of("Principal", "NotPrincipal", trust));
  // Actions are "service:Action" or "*"; resources are ARNs or intrinsics.
  for (const char* key : {"Action", "NotAction", "Resource", "NotResource"}) {
    const json::value* value = s.if_contains(key);
    if (value == nullptr) continue;
    std::string at = JoinKey(path, key);
    json::array single{*value};
    const json::array& items = value->is_array() ? value->get_array() : single;
    if (items.empty()) return Fail(at, at + " may not be empty");
    for (size_t i = 0; i < items.size(); ++i) {
      std::string item_at = value->is_array() ? JoinIndex(at, i) : at;
      const json::value& item = items[i];
      if (IsIntrinsic(item)) continue;
      if (!item.is_string()) {
        return Fail(item_at,
                    item_at + " must be a string or an intrinsic function, not " + TypeName(item));
      }
      std::string_view text = item.get_string();
      bool action = std::string_view(key).ends_with("Action");
      if (action && text != "*" && text.find(':') == std::string_view::npos) {
        return Fail(item_at, "action " + Quote(text) +
                                 " must be written service:Action, e.g. "
                                 "dynamodb:GetItem");
      }
      if (!action && text.empty()) return Fail(item_at, item_at + " may not be empty");
    }
  }
  for (const char* key : {"Principal", "NotPrincipal"}) {
    const json::value* value = s.if_contains(key);
    if (value != nullptr && !value->is_object() && *value != json::value("*")) {
      std::string at = JoinKey(path, key);
      return Fail(at, at + " must be \"*\" or a mapping such as {Service: lambda.amazonaws.com}");
    }
  }
  if (const json::value* c = s.if_contains("Condition"); c != nullptr && !c->is_object()) {
    std::string at = JoinKey(path, "Condition");
    return Fail(at, at + " must be a mapping of operators to {key: value}");
  }
  return Status::Ok();
}

Status Builder::CheckStatements(const json::value& list, const std::string& path,
                                bool trust) const {
  if (!list.is_array()) {
    return Fail(path, path + " must be a list of IAM statements, not " + TypeName(list));
  }
  const json::array& items = list.get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    RETURN_IF_ERROR(CheckStatement(items[i], JoinIndex(path, i), trust));
  }
  return Status::Ok();
}

Status Builder::CheckPolicyDocument(const json::value& doc, const std::string& path,
                                    bool trust) const {
  if (!doc.is_object()) {
    return Fail(path,
                path + " must be a policy document (Version, Statement), not " + TypeName(doc));
  }
  const json::object& d = doc.get_object();
  for (const auto& member : d) {
    if (member.key() != "Version" && member.key() != "Statement" && member.key() != "Id") {
      return Fail(JoinKey(path, member.key()),
                  "unknown key " + Quote(member.key()) +
                      " in a policy document (allowed: Version, Id, Statement)");
    }
  }
  ASSIGN_OR_RETURN(auto version, OptString(d, path, "Version"));
  if (version && *version != "2012-10-17" && *version != "2008-10-17") {
    return Fail(JoinKey(path, "Version"), "Version must be 2012-10-17 (or 2008-10-17)");
  }
  const json::value* statements = d.if_contains("Statement");
  if (statements == nullptr || statements->is_null()) {
    return Fail(path, "the policy document at " + path + " needs Statement");
  }
  std::string at = JoinKey(path, "Statement");
  if (statements->is_object()) return CheckStatement(*statements, at, trust);
  return CheckStatements(*statements, at, trust);
}

Result<std::vector<json::value>> Builder::PolicyArnList(const json::object& obj,
                                                        const std::string& path,
                                                        std::string_view key) const {
  std::vector<json::value> out;
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return out;
  std::string at = JoinKey(path, key);
  if (!v->is_array()) return Fail(at, at + " must be a list of policy ARNs, not " + TypeName(*v));
  const json::array& items = v->get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item_at = JoinIndex(at, i);
    if (IsIntrinsic(items[i])) {
      out.push_back(items[i]);
      continue;
    }
    if (!items[i].is_string() || items[i].get_string().rfind("arn:", 0) != 0) {
      return Fail(item_at, item_at +
                               " must be a policy ARN such as "
                               "arn:aws:iam::aws:policy/service-role/"
                               "AWSLambdaBasicExecutionRole");
    }
    out.push_back(items[i]);
  }
  return out;
}

// --- provider ---

Status Builder::BuildProviderIam(const json::object& p) {
  const json::object& root = doc_.root.get_object();
  if (const json::value* plugins = root.if_contains("plugins"); plugins != nullptr) {
    const json::array* list = plugins->if_array();
    if (plugins->is_object()) {
      const json::value* modules = plugins->get_object().if_contains("modules");
      list = modules != nullptr ? modules->if_array() : nullptr;
    }
    for (size_t i = 0; list != nullptr && i < list->size(); ++i) {
      if ((*list)[i] == json::value(json::string_view(kPlugin))) iam_.per_function_plugin = true;
    }
  }
  if (iam_.per_function_plugin) {
    // Nimbus does what the plugin does, so it is no longer an unsupported setting.
    std::string mark = "(" + std::string(kPlugin) + ")";
    std::erase_if(m_->unsupported, [&](const std::string& u) { return u.ends_with(mark); });
  }
  if (const json::value* custom = root.if_contains("custom"); custom && custom->is_object()) {
    ASSIGN_OR_RETURN(const json::object* settings,
                     OptObject(custom->get_object(), "custom", kPlugin));
    if (settings != nullptr) {
      std::string at = JoinKey("custom", kPlugin);
      ASSIGN_OR_RETURN(auto inherit, OptBool(*settings, at, "defaultInherit"));
      iam_.default_inherit = inherit.value_or(false);
    }
  }

  ASSIGN_OR_RETURN(const json::object* iam, OptObject(p, "provider", "iam"));
  const json::object* role_settings = nullptr;
  if (iam != nullptr) {
    const json::value* role = iam->if_contains("role");
    if (role != nullptr && (role->is_string() || IsIntrinsic(*role))) {
      iam_.existing_role = role;
      iam_.existing_role_path = "provider.iam.role";
    } else if (role != nullptr && role->is_object()) {
      role_settings = &role->get_object();
    } else if (role != nullptr && !role->is_null()) {
      return Fail("provider.iam.role",
                  "provider.iam.role must be an existing role's ARN or a mapping (name, path, "
                  "statements, managedPolicies, tags), not " +
                      std::string(TypeName(*role)));
    }
    for (const auto& member : *iam) {
      if (member.key() != "role") Unsupported(JoinKey("provider.iam", member.key()));
    }
    // The plugin inherits iam.role.statements whenever provider.iam is set.
    if (role_settings != nullptr)
      iam_.inherited_statements = role_settings->if_contains("statements");
  } else {
    iam_.inherited_statements = p.if_contains("iamRoleStatements");
  }
  if (iam_.inherited_statements != nullptr && iam_.inherited_statements->is_null()) {
    iam_.inherited_statements = nullptr;
  }

  if (role_settings != nullptr) {
    const std::string at = "provider.iam.role";
    const json::object& r = *role_settings;
    ASSIGN_OR_RETURN(auto name, OptString(r, at, "name"));
    if (name) {
      iam_.role_name = *name;
      iam_.role_name_path = JoinKey(at, "name");
      if (std::string problem = RoleNameProblem(*name); !problem.empty()) {
        return Fail(iam_.role_name_path, problem);
      }
    }
    ASSIGN_OR_RETURN(auto path, OptString(r, at, "path"));
    if (path) {
      if (!IsRolePath(*path)) {
        return Fail(JoinKey(at, "path"), "role path " + Quote(*path) +
                                             " must be / or start and end with /, e.g. /service/");
      }
      iam_.role_path = *path;
    }
    if (const json::value* s = r.if_contains("statements"); s != nullptr && !s->is_null()) {
      RETURN_IF_ERROR(CheckStatements(*s, JoinKey(at, "statements"), false));
      iam_.statements = s;
    }
    if (r.contains("managedPolicies")) {
      ASSIGN_OR_RETURN(iam_.managed_policies, PolicyArnList(r, at, "managedPolicies"));
    } else {
      ASSIGN_OR_RETURN(iam_.managed_policies, PolicyArnList(p, "provider", "iamManagedPolicies"));
    }
    ASSIGN_OR_RETURN(iam_.tags, StringMap(r, at, "tags"));
    for (const auto& member : r) {
      std::string key(member.key());
      if (key == "permissionsBoundary" || key == "permissionBoundary") {
        Unsupported(JoinKey(at, key) + " (not enforced)");
      } else if (key != "name" && key != "path" && key != "statements" &&
                 key != "managedPolicies" && key != "tags") {
        Unsupported(JoinKey(at, key));
      }
    }
  } else {
    ASSIGN_OR_RETURN(iam_.managed_policies, PolicyArnList(p, "provider", "iamManagedPolicies"));
  }
  // The deprecated spellings; the provider.iam ones win when both are set.
  if (iam_.statements == nullptr) {
    if (const json::value* s = p.if_contains("iamRoleStatements"); s != nullptr && !s->is_null()) {
      RETURN_IF_ERROR(CheckStatements(*s, "provider.iamRoleStatements", false));
      iam_.statements = s;
    }
  }
  if (iam_.existing_role == nullptr) {
    if (const json::value* role = p.if_contains("role"); role != nullptr && !role->is_null()) {
      iam_.existing_role = role;
      iam_.existing_role_path = "provider.role";
    }
  }
  if (const json::value* vpc = p.if_contains("vpc"); vpc != nullptr && !vpc->is_null()) {
    iam_.vpc = true;
  }
  return Status::Ok();
}

// --- functions ---

Status Builder::BuildFunctionIam(const std::string& key, const json::object& f,
                                 const std::string& path) {
  FunctionIam& fi = function_iam_[key];
  if (const json::value* role = f.if_contains("role"); role != nullptr && !role->is_null()) {
    fi.role = role;
    fi.role_path = JoinKey(path, "role");
  }
  if (const json::value* s = f.if_contains("iamRoleStatements"); s != nullptr && !s->is_null()) {
    fi.statements_path = JoinKey(path, "iamRoleStatements");
    if (!iam_.per_function_plugin) {
      // Without the plugin v3 ignores the key: the function gets the shared role.
      Unsupported(fi.statements_path + " (needs plugins: [" + std::string(kPlugin) + "])");
    } else {
      RETURN_IF_ERROR(CheckStatements(*s, fi.statements_path, false));
      fi.statements = s;
      if (fi.role != nullptr) {
        return Fail(fi.role_path, "function " + Quote(key) +
                                      " has both role and iamRoleStatements: give its "
                                      "statements to that role, or drop role");
      }
    }
  }
  ASSIGN_OR_RETURN(auto name, OptString(f, path, "iamRoleStatementsName"));
  if (name) {
    if (std::string problem = RoleNameProblem(*name); !problem.empty()) {
      return Fail(JoinKey(path, "iamRoleStatementsName"), problem);
    }
    fi.role_name = *name;
  }
  ASSIGN_OR_RETURN(fi.inherit, OptBool(f, path, "iamRoleStatementsInherit"));
  ASSIGN_OR_RETURN(auto disable_logs, OptBool(f, path, "disableLogs"));
  fi.disable_logs = disable_logs.value_or(false);
  if (const json::value* vpc = f.if_contains("vpc"); vpc != nullptr && !vpc->is_null()) {
    fi.vpc = true;
  }
  return Status::Ok();
}

// --- resources ---

Status Builder::BuildRoleResource(const std::string& id, const json::object& r,
                                  const std::string& path) {
  RoleDef role;
  role.logical_id = id;
  role.pos = Pos(path);
  ASSIGN_OR_RETURN(const json::object* props, OptObject(r, path, "Properties"));
  if (props == nullptr) {
    return Fail(path, "role " + id + " needs Properties with AssumeRolePolicyDocument");
  }
  const std::string at = JoinKey(path, "Properties");
  if (const json::value* name = props->if_contains("RoleName"); name && !name->is_null()) {
    std::string name_at = JoinKey(at, "RoleName");
    if (name->is_string()) {
      if (std::string problem = RoleNameProblem(name->get_string()); !problem.empty()) {
        return Fail(name_at, problem);
      }
    } else if (!IsIntrinsic(*name)) {
      return Fail(name_at, name_at + " must be a string, not " + TypeName(*name));
    }
    role.name = *name;
  } else {
    role.name = DefaultResourceRoleName(*m_, id);
  }
  ASSIGN_OR_RETURN(auto role_path, OptString(*props, at, "Path"));
  if (role_path && !IsRolePath(*role_path)) {
    return Fail(JoinKey(at, "Path"), "role path " + Quote(*role_path) +
                                         " must be / or start and end with /, e.g. /service/");
  }
  role.path = role_path.value_or("/");
  const json::value* trust = props->if_contains("AssumeRolePolicyDocument");
  if (trust == nullptr || trust->is_null()) {
    return Fail(at, "role " + id +
                        " needs AssumeRolePolicyDocument (who may assume it, e.g. "
                        "Principal: {Service: lambda.amazonaws.com})");
  }
  RETURN_IF_ERROR(CheckPolicyDocument(*trust, JoinKey(at, "AssumeRolePolicyDocument"), true));
  role.trust_policy = *trust;
  if (const json::value* policies = props->if_contains("Policies");
      policies != nullptr && !policies->is_null()) {
    std::string list_at = JoinKey(at, "Policies");
    if (!policies->is_array()) {
      return Fail(list_at, list_at + " must be a list of {PolicyName, PolicyDocument}");
    }
    const json::array& items = policies->get_array();
    for (size_t i = 0; i < items.size(); ++i) {
      std::string item_at = JoinIndex(list_at, i);
      if (!items[i].is_object()) {
        return Fail(item_at, item_at + " must be a mapping with PolicyName and PolicyDocument");
      }
      const json::object& policy = items[i].get_object();
      const json::value* name = policy.if_contains("PolicyName");
      if (name == nullptr || !(name->is_string() || IsIntrinsic(*name))) {
        return Fail(item_at, "the policy at " + item_at + " needs PolicyName (a string)");
      }
      const json::value* doc = policy.if_contains("PolicyDocument");
      if (doc == nullptr) {
        return Fail(item_at, "the policy at " + item_at + " needs PolicyDocument");
      }
      RETURN_IF_ERROR(CheckPolicyDocument(*doc, JoinKey(item_at, "PolicyDocument"), false));
      role.policies.push_back({*name, *doc});
    }
  }
  ASSIGN_OR_RETURN(role.managed_policy_arns, PolicyArnList(*props, at, "ManagedPolicyArns"));
  ASSIGN_OR_RETURN(auto description, OptString(*props, at, "Description"));
  role.description = description.value_or("");
  if (const json::value* tags = props->if_contains("Tags"); tags != nullptr && !tags->is_null()) {
    std::string tags_at = JoinKey(at, "Tags");
    if (!tags->is_array()) return Fail(tags_at, tags_at + " must be a list of {Key, Value}");
    for (size_t i = 0; i < tags->get_array().size(); ++i) {
      const json::value& tag = tags->get_array()[i];
      std::string tag_at = JoinIndex(tags_at, i);
      if (!tag.is_object()) return Fail(tag_at, tag_at + " must be a mapping with Key and Value");
      ASSIGN_OR_RETURN(auto k, OptString(tag.get_object(), tag_at, "Key"));
      if (!k) return Fail(tag_at, "the tag at " + tag_at + " needs Key");
      const json::value* value = tag.get_object().if_contains("Value");
      std::optional<std::string> text =
          value != nullptr ? InterpolationText(*value) : std::optional<std::string>("");
      if (!text) return Fail(JoinKey(tag_at, "Value"), "a tag's Value must be a string");
      role.tags[*k] = *text;
    }
  }
  for (const auto& member : *props) {
    std::string key(member.key());
    if (key == "PermissionsBoundary") {
      Unsupported(JoinKey(at, key) + " (not enforced)");
    } else if (key != "RoleName" && key != "Path" && key != "AssumeRolePolicyDocument" &&
               key != "Policies" && key != "ManagedPolicyArns" && key != "Description" &&
               key != "Tags") {
      Unsupported(JoinKey(at, key));
    }
  }
  for (const auto& member : r) {
    if (member.key() != "Type" && member.key() != "Properties" && member.key() != "DependsOn") {
      Unsupported(JoinKey(path, member.key()));
    }
  }
  // A later resource set may redefine a role; the last definition counts.
  for (RoleDef& existing : m_->roles) {
    if (existing.logical_id == id) {
      existing = std::move(role);
      return Status::Ok();
    }
  }
  m_->roles.push_back(std::move(role));
  return Status::Ok();
}

// --- assembling ---

Status Builder::ApplyRoleRef(const json::value& ref, const std::string& path, FunctionDef* fn) {
  const std::string kinds =
      "a role ARN (arn:aws:iam::ACCOUNT:role/NAME), the logical id of an AWS::IAM::Role under "
      "resources.Resources, or Fn::GetAtt/Fn::Sub/Fn::Join";
  auto logical = [&](const std::string& id) -> Status {
    if (m_->FindRole(id) == nullptr) {
      return Fail(path, "role " + Quote(id) +
                            " is not an AWS::IAM::Role under resources.Resources"
                            " (a role must be " +
                            kinds + ")");
    }
    fn->role = id;
    return Status::Ok();
  };
  if (ref.is_string()) {
    std::string text(ref.get_string());
    if (text.rfind("arn:", 0) == 0) {
      if (text.find(":iam::") == std::string::npos || text.find(":role/") == std::string::npos) {
        return Fail(path, Quote(text) + " is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
      }
      fn->role_arn = ref;
      return Status::Ok();
    }
    return logical(text);
  }
  if (IsIntrinsic(ref)) {
    std::string_view name = ref.get_object().begin()->key();
    const json::value& arg = ref.get_object().begin()->value();
    if (name == "Fn::GetAtt") {
      std::string id, attribute;
      if (arg.is_string()) {
        std::string text(arg.get_string());
        id = text.substr(0, text.find('.'));
        attribute = text.find('.') == std::string::npos ? "" : text.substr(text.find('.') + 1);
      } else if (arg.is_array() && arg.get_array().size() == 2 && arg.get_array()[0].is_string() &&
                 arg.get_array()[1].is_string()) {
        id = std::string(arg.get_array()[0].get_string());
        attribute = std::string(arg.get_array()[1].get_string());
      }
      if (attribute != "Arn") return Fail(path, "a role given by Fn::GetAtt must be [Role, Arn]");
      return logical(id);
    }
    if (name == "Fn::Sub" || name == "Fn::Join") {
      fn->role_arn = ref;
      return Status::Ok();
    }
    if (name == "Fn::ImportValue") {
      return Fail(path,
                  "Fn::ImportValue is not supported by Nimbus (there are no other stacks to "
                  "import from): give the role's ARN");
    }
  }
  return Fail(path, "a function's role must be " + kinds + ", not " + TypeName(ref));
}

Status Builder::BuildRoles() {
  std::vector<RoleDef> roles;
  bool every_function_has_role = true;
  for (FunctionDef& fn : m_->functions) {
    const FunctionIam& fi = function_iam_[fn.key];
    if (fi.role != nullptr) {
      RETURN_IF_ERROR(ApplyRoleRef(*fi.role, fi.role_path, &fn));
      continue;
    }
    every_function_has_role = false;
    if (fi.statements != nullptr) {
      fn.role = NormalizeFunctionKey(fn.key) + std::string(kGeneratedRoleId);
    } else if (iam_.existing_role != nullptr) {
      RETURN_IF_ERROR(ApplyRoleRef(*iam_.existing_role, iam_.existing_role_path, &fn));
    } else {
      fn.role = std::string(kGeneratedRoleId);
    }
  }
  const std::string prefix = StackName(m_->service, m_->stage);
  const std::string policy_name = prefix + "-lambda";

  // The shared role v3 generates unless an existing role is named for the
  // service or every function names its own.
  if (!m_->functions.empty() && iam_.existing_role == nullptr && !every_function_has_role) {
    RoleDef role;
    role.logical_id = std::string(kGeneratedRoleId);
    role.pos = Pos(iam_.role_name_path.empty() ? "provider" : iam_.role_name_path);
    std::string name = iam_.role_name.empty()
                           ? ExecutionRoleName(m_->service, m_->stage, m_->region)
                           : iam_.role_name;
    if (std::string problem = RoleNameProblem(name); !problem.empty()) {
      return Fail(iam_.role_name_path.empty() ? "service" : iam_.role_name_path,
                  problem + ": set provider.iam.role.name");
    }
    role.name = name;
    role.path = iam_.role_path;
    role.trust_policy = LambdaTrustPolicy();
    role.tags = iam_.tags;
    json::array create{"logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"};
    json::array create_on, put_on, denied;
    bool canonical = false;
    bool vpc = iam_.vpc;
    for (const FunctionDef& fn : m_->functions) {
      const FunctionIam& fi = function_iam_[fn.key];
      vpc = vpc || fi.vpc;
      if (fn.name.rfind(prefix, 0) == 0) {
        if (fi.disable_logs) {
          denied.push_back(LogGroupArn(LogGroupName(fn.name) + ":*"));
        } else {
          canonical = true;
        }
      } else if (!fi.disable_logs) {
        create_on.push_back(LogGroupArn(LogGroupName(fn.name) + ":*"));
        put_on.push_back(LogGroupArn(LogGroupName(fn.name) + ":*:*"));
      }
    }
    if (canonical) {
      create_on.push_back(LogGroupArn(LogGroupName(prefix) + "*:*"));
      put_on.push_back(LogGroupArn(LogGroupName(prefix) + "*:*:*"));
    }
    json::array statements;
    // A statement without resources would make the document malformed.
    if (!create_on.empty()) {
      statements.push_back(
          json::object{{"Effect", "Allow"}, {"Action", create}, {"Resource", create_on}});
      statements.push_back(json::object{
          {"Effect", "Allow"}, {"Action", json::array{"logs:PutLogEvents"}}, {"Resource", put_on}});
    }
    if (canonical && !denied.empty()) {
      statements.push_back(
          json::object{{"Effect", "Deny"}, {"Action", "logs:PutLogEvents"}, {"Resource", denied}});
    }
    Append(&statements, iam_.statements);
    role.policies.push_back({json::value(policy_name), PolicyDocument(std::move(statements))});
    role.managed_policy_arns = iam_.managed_policies;
    if (vpc) role.managed_policy_arns.push_back(VpcAccessPolicyArn());
    roles.push_back(std::move(role));
  }

  // serverless-iam-roles-per-function: a role of the function's own with its
  // log statement, its statements and, when inherited, the provider's.
  for (const FunctionDef& fn : m_->functions) {
    const FunctionIam& fi = function_iam_[fn.key];
    if (fi.statements == nullptr) continue;
    RoleDef role;
    role.logical_id = fn.role;
    role.pos = Pos(fi.statements_path);
    std::string name = fi.role_name;
    if (name.empty()) {
      name = prefix + "-" + fn.key + "-" + m_->region + "-lambdaRole";
      // The plugin gives up the suffix before it gives up.
      if (name.size() > kMaxRoleName) name.resize(name.size() - std::string("-lambdaRole").size());
      if (name.size() > kMaxRoleName) {
        return Fail(fi.statements_path,
                    "the role name generated for function " + Quote(fn.key) + " (" + Quote(name) +
                        ") is longer than IAM's 64 characters: set iamRoleStatementsName");
      }
      if (std::string problem = RoleNameProblem(name); !problem.empty()) {
        return Fail(fi.statements_path, problem + ": set iamRoleStatementsName");
      }
    }
    role.name = name;
    role.path = iam_.role_path;
    role.trust_policy = LambdaTrustPolicy();
    role.tags = iam_.tags;
    json::array statements{json::object{
        {"Effect", "Allow"},
        {"Action", json::array{"logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents"}},
        {"Resource", json::array{LogGroupArn(LogGroupName(fn.name) + ":*:*")}}}};
    if (fi.inherit.value_or(iam_.default_inherit)) Append(&statements, iam_.inherited_statements);
    Append(&statements, fi.statements);
    role.policies.push_back({json::value(policy_name), PolicyDocument(std::move(statements))});
    if (fi.vpc || iam_.vpc) role.managed_policy_arns.push_back(VpcAccessPolicyArn());
    roles.push_back(std::move(role));
  }

  for (RoleDef& resource : m_->roles) {
    for (const RoleDef& made : roles) {
      if (made.logical_id == resource.logical_id) {
        return ErrorAt(resource.pos, "resource " + resource.logical_id +
                                         " has the logical id of a role Nimbus generates: rename "
                                         "it");
      }
    }
    roles.push_back(std::move(resource));
  }
  m_->roles = std::move(roles);
  return Status::Ok();
}

}  // namespace nimbus::manifest
