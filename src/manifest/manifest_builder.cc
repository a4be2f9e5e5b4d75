// Builder helpers and the root keys.
#include "manifest/manifest_builder.h"

#include <algorithm>
#include <string_view>

#include "core/strings.h"
#include "manifest/variable_resolver.h"

namespace nimbus::manifest {
namespace json = boost::json;

const char* TypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return "a string";
    case json::kind::object:
      return "a mapping";
    case json::kind::array:
      return "a list";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::null:
      return "null";
    default:
      return "a number";
  }
}

namespace {


bool AsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Variables Lambda reserves for itself; a function may not set them.
const std::set<std::string>& ReservedEnvironmentKeys() {
  static const std::set<std::string> keys = {"_HANDLER",
                                             "_X_AMZN_TRACE_ID",
                                             "AWS_DEFAULT_REGION",
                                             "AWS_REGION",
                                             "AWS_EXECUTION_ENV",
                                             "AWS_LAMBDA_FUNCTION_NAME",
                                             "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                             "AWS_LAMBDA_FUNCTION_VERSION",
                                             "AWS_LAMBDA_INITIALIZATION_TYPE",
                                             "AWS_LAMBDA_LOG_GROUP_NAME",
                                             "AWS_LAMBDA_LOG_STREAM_NAME",
                                             "AWS_ACCESS_KEY",
                                             "AWS_ACCESS_KEY_ID",
                                             "AWS_SECRET_ACCESS_KEY",
                                             "AWS_SESSION_TOKEN",
                                             "AWS_LAMBDA_RUNTIME_API",
                                             "LAMBDA_TASK_ROOT",
                                             "LAMBDA_RUNTIME_DIR"};
  return keys;
}

// Intrinsics an environment value may use: the ones intrinsics.h evaluates
// to a string.
bool IsEnvironmentIntrinsic(std::string_view name) {
  return name == "Ref" || name == "Fn::GetAtt" || name == "Fn::Sub" || name == "Fn::Join" ||
         name == "Fn::Select" || name == "Fn::Base64";
}

}  // namespace

// --- typed members ---

Result<std::optional<std::string>> Builder::OptString(const json::object& obj,
                                                      std::string_view path,
                                                      std::string_view key) const {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) {
    std::string at = JoinKey(path, key);
    return Fail(at, at + " must be a string, not " + TypeName(*v));
  }
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<int64_t>> Builder::OptInt(const json::object& obj, std::string_view path,
                                               std::string_view key, int64_t min,
                                               int64_t max) const {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<int64_t>();
  std::string at = JoinKey(path, key);
  std::optional<int64_t> n;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64()) {
    n = static_cast<int64_t>(std::min<uint64_t>(v->get_uint64(), INT64_MAX));
  } else if (v->is_double() &&
             v->get_double() == static_cast<double>(static_cast<int64_t>(v->get_double()))) {
    n = static_cast<int64_t>(v->get_double());
  } else if (v->is_string()) {
    const std::string s(v->get_string());
    if (!s.empty() && s.size() < 18 && s.find_first_not_of("0123456789") == std::string::npos) {
      n = std::stoll(s);
    }
  }
  if (!n) {
    std::string got = v->is_string() ? Quote(v->get_string()) : TypeName(*v);
    return Fail(at, at + " must be an integer, got " + got);
  }
  if (*n < min || *n > max) {
    return Fail(at, at + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                        ", got " + std::to_string(*n));
  }
  return n;
}

Result<std::optional<bool>> Builder::OptBool(const json::object& obj, std::string_view path,
                                             std::string_view key) const {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<bool>();
  if (v->is_string() && (v->get_string() == "true" || v->get_string() == "false")) {
    return std::optional<bool>(v->get_string() == "true");  // ${env:X} gives strings
  }
  if (!v->is_bool()) {
    std::string at = JoinKey(path, key);
    return Fail(at, at + " must be true or false, not " + TypeName(*v));
  }
  return std::optional<bool>(v->get_bool());
}

Result<const json::object*> Builder::OptObject(const json::object& obj, std::string_view path,
                                               std::string_view key) const {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) {
    std::string at = JoinKey(path, key);
    return Fail(at, at + " must be a mapping, not " + TypeName(*v));
  }
  return &v->get_object();
}

Result<std::vector<std::string>> Builder::StringList(const json::object& obj, std::string_view path,
                                                     std::string_view key) const {
  std::vector<std::string> out;
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return out;
  std::string at = JoinKey(path, key);
  if (v->is_string()) {
    out.emplace_back(v->get_string());
    return out;
  }
  if (!v->is_array()) return Fail(at, at + " must be a list of strings, not " + TypeName(*v));
  const json::array& arr = v->get_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string()) {
      std::string item = JoinIndex(at, i);
      return Fail(item, item + " must be a string, not " + TypeName(arr[i]));
    }
    out.emplace_back(arr[i].get_string());
  }
  return out;
}

Result<std::map<std::string, std::string>> Builder::StringMap(const json::object& obj,
                                                              std::string_view path,
                                                              std::string_view key) const {
  std::map<std::string, std::string> out;
  ASSIGN_OR_RETURN(const json::object* map, OptObject(obj, path, key));
  if (map == nullptr) return out;
  std::string at = JoinKey(path, key);
  for (const auto& member : *map) {
    std::optional<std::string> text = InterpolationText(member.value());
    if (!text) {
      std::string item = JoinKey(at, member.key());
      return Fail(item, item + " must be a string, not " + TypeName(member.value()));
    }
    out[std::string(member.key())] = *text;
  }
  return out;
}

Result<std::map<std::string, json::value>> Builder::Environment(const json::object& obj,
                                                                const std::string& path) const {
  std::map<std::string, json::value> out;
  ASSIGN_OR_RETURN(const json::object* env, OptObject(obj, path, "environment"));
  if (env == nullptr) return out;
  for (const auto& member : *env) {
    std::string key(member.key());
    std::string at = JoinKey(JoinKey(path, "environment"), key);
    if (!OnlyWordCharacters(key, "_") || !AsciiLetter(key[0])) {
      return Fail(at, "environment variable name " + Quote(key) +
                          " is invalid: use letters, digits and '_', starting with a letter");
    }
    if (ReservedEnvironmentKeys().count(key) != 0) {
      return Fail(at, "environment variable " + key + " is reserved by Lambda and cannot be set");
    }
    const json::value& v = member.value();
    if (std::optional<std::string> text = InterpolationText(v)) {
      out[key] = json::string(*text);
      continue;
    }
    if (v.is_object() && v.get_object().size() == 1) {
      std::string fn(v.get_object().begin()->key());
      if (IsEnvironmentIntrinsic(fn)) {
        out[key] = v;
        continue;
      }
      if (fn == "Ref" || fn.rfind("Fn::", 0) == 0) {
        return Fail(at, fn + " is not supported in environment values (Nimbus evaluates Ref, "
                             "Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select and Fn::Base64)");
      }
    }
    if (v.is_null()) return Fail(at, "environment variable " + key + " has no value");
    return Fail(at, at + " must be a string or an intrinsic function (Ref, Fn::GetAtt, ...), not " +
                        TypeName(v));
  }
  return out;
}

// --- sections ---

Status Builder::Build() {
  if (!doc_.root.is_object()) {
    return Fail("", doc_.root.is_null()
                        ? "the file is empty: it needs at least service and provider"
                        : "the file must be a mapping of settings (service, "
                          "provider, functions, ...)");
  }
  m_->document = doc_.root;
  RETURN_IF_ERROR(BuildRoot());
  RETURN_IF_ERROR(CollectFunctions());
  RETURN_IF_ERROR(BuildProvider());
  const json::object& root = doc_.root.get_object();
  ASSIGN_OR_RETURN(const json::object* pkg, OptObject(root, "", "package"));
  if (pkg != nullptr) {
    RETURN_IF_ERROR(
        BuildPackage(*pkg, "package", &m_->package_patterns, &m_->package_individually));
  }
  RETURN_IF_ERROR(BuildFunctions());
  RETURN_IF_ERROR(BuildResources());
  return CheckRoutes();
}

Status Builder::BuildRoot() {
  const json::object& root = doc_.root.get_object();
  static const std::set<std::string, std::less<>> kAccepted = {
      "service",
      "frameworkVersion",
      "configValidationMode",
      "useDotenv",
      "params",
      "custom",
      "plugins",
      "package",
      "provider",
      "functions",
      "resources",
      "variablesResolutionMode",
      "unresolvedVariablesNotificationMode",
      "deprecationNotificationMode",
      "disabledDeprecations"};
  for (const auto& member : root) {
    if (kAccepted.count(member.key()) == 0) Unsupported(std::string(member.key()));
  }

  const json::value* service = root.if_contains("service");
  if (service == nullptr || service->is_null()) {
    return Fail("", "service is required: name the service (service: my-service)");
  }
  std::string service_path = "service";
  if (service->is_object() && service->get_object().contains("name")) {  // old {name: ...} form
    service_path = "service.name";
    service = &service->get_object().at("name");
  }
  if (!service->is_string()) return Fail(service_path, "service must be a string");
  m_->service = std::string(service->get_string());
  if (!OnlyWordCharacters(m_->service, "-") || !AsciiLetter(m_->service[0])) {
    return Fail(service_path, "service name " + Quote(m_->service) +
                                  " is invalid: start with a letter, then use letters, digits "
                                  "and '-'");
  }

  if (const json::value* v = root.if_contains("frameworkVersion");
      v != nullptr && !v->is_string() && !v->is_number()) {
    return Fail("frameworkVersion", "frameworkVersion must be a version range such as '3'");
  }
  ASSIGN_OR_RETURN(auto mode, OptString(root, "", "configValidationMode"));
  if (mode && *mode != "error" && *mode != "warn" && *mode != "off") {
    return Fail("configValidationMode", "configValidationMode must be error, warn or off");
  }
  ASSIGN_OR_RETURN(auto dotenv, OptBool(root, "", "useDotenv"));
  (void)dotenv;  // applied before variables were resolved (LoadManifest)
  ASSIGN_OR_RETURN(const json::object* params, OptObject(root, "", "params"));
  if (params != nullptr) {
    for (const auto& member : *params) {
      if (!member.value().is_object() && !member.value().is_null()) {
        std::string at = JoinKey("params", member.key());
        return Fail(at, at + " must be a mapping of parameters");
      }
    }
  }

  // Plugins run JavaScript inside the Framework; Nimbus has none of them.
  if (const json::value* plugins = root.if_contains("plugins"); plugins != nullptr) {
    const json::array* list = plugins->if_array();
    std::string list_path = "plugins";
    if (plugins->is_object()) {
      list = nullptr;
      if (const json::value* modules = plugins->get_object().if_contains("modules")) {
        list = modules->if_array();
        list_path = "plugins.modules";
      }
    }
    if (list != nullptr) {
      for (size_t i = 0; i < list->size(); ++i) {
        std::string name = (*list)[i].is_string() ? std::string((*list)[i].get_string()) : "?";
        Unsupported(JoinIndex(list_path, i) + " (" + name + ")");
      }
    } else if (!plugins->is_null()) {
      Unsupported("plugins");
    }
  }
  return Status::Ok();
}

}  // namespace nimbus::manifest
