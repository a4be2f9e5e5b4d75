// Builder: functions.
#include <string_view>

#include "core/strings.h"
#include "manifest/manifest_builder.h"
#include "manifest/naming.h"

namespace nimbus::manifest {
namespace json = boost::json;
namespace {


// Handlers of these runtimes name "<file>.<function>"; provided runtimes
// take any label and Java uses its own "pkg.Class::method".
bool NeedsFileDotExport(std::string_view runtime) {
  return runtime.rfind("nodejs", 0) == 0 || runtime.rfind("python", 0) == 0 ||
         runtime.rfind("ruby", 0) == 0;
}

}  // namespace

Status Builder::CollectFunctions() {
  const json::object& root = doc_.root.get_object();
  const json::value* fv = root.if_contains("functions");
  if (fv == nullptr || fv->is_null()) return Status::Ok();
  // A list of mappings (often ${file()} includes) is merged in order.
  std::vector<std::pair<const json::object*, std::string>> groups;
  if (fv->is_object()) {
    groups.emplace_back(&fv->get_object(), "functions");
  } else if (fv->is_array()) {
    const json::array& arr = fv->get_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      std::string at = JoinIndex("functions", i);
      if (!arr[i].is_object()) return Fail(at, at + " must be a mapping of functions");
      groups.emplace_back(&arr[i].get_object(), at);
    }
  } else {
    return Fail("functions", "functions must be a mapping of function keys to settings");
  }
  for (const auto& [group, path] : groups) {
    for (const auto& member : *group) {
      std::string key(member.key());
      std::string at = JoinKey(path, key);
      if (!OnlyWordCharacters(key, "_-")) {
        return Fail(
            at, "function key " + Quote(key) + " may contain only letters, digits, '-' and '_'");
      }
      if (function_values_.count(key) != 0) {
        return Fail(at, "function " + Quote(key) + " is defined twice");
      }
      function_values_[key] = &member.value();
      function_entries_.emplace_back(key, at);
    }
  }
  return Status::Ok();
}

Status Builder::BuildCapacityProvider(const json::object& f, const std::string& path,
                                      FunctionDef* out) {
  const json::value* v = f.if_contains("capacityProvider");
  if (v == nullptr || v->is_null()) return Status::Ok();
  std::string at = JoinKey(path, "capacityProvider");
  // Nimbus has one machine's capacity: the provider's name selects nothing,
  // but putting a function on Managed Instances turns on multi-concurrency,
  // with Lambda's default for Node.js unless maxConcurrency says otherwise.
  out->max_concurrency = 64;
  if (v->is_string()) return Status::Ok();
  if (!v->is_object()) {
    return Fail(at, at + " must be a capacity provider's name or a mapping with name and "
                         "maxConcurrency");
  }
  const json::object& cp = v->get_object();
  RETURN_IF_ERROR(OptString(cp, at, "name").status());  // checked, not used
  ASSIGN_OR_RETURN(auto max, OptInt(cp, at, "maxConcurrency", 1, 1600));
  if (max) out->max_concurrency = static_cast<int>(*max);
  for (const auto& member : cp) {
    if (member.key() != "name" && member.key() != "maxConcurrency") {
      Unsupported(JoinKey(at, member.key()));
    }
  }
  return Status::Ok();
}

Status Builder::BuildFunctions() {
  std::map<std::string, std::string> names;  // Lambda name -> function key
  for (const auto& [key, path] : function_entries_) {
    RETURN_IF_ERROR(BuildFunction(key, *function_values_.at(key), path));
    const FunctionDef& fn = m_->functions.back();
    auto [it, inserted] = names.emplace(fn.name, key);
    if (!inserted) {
      return Fail(path, "functions " + Quote(it->second) + " and " + Quote(key) +
                            " would both be named " + Quote(fn.name));
    }
  }
  return Status::Ok();
}

Status Builder::BuildFunction(const std::string& key, const json::value& value,
                              const std::string& path) {
  if (!value.is_object()) {
    return Fail(path, "function " + Quote(key) + " must be a mapping with at least a handler");
  }
  const json::object& f = value.get_object();
  FunctionDef fn;
  fn.key = key;
  fn.pos = Pos(path);

  ASSIGN_OR_RETURN(auto runtime, OptString(f, path, "runtime"));
  fn.runtime = runtime.value_or(provider_runtime_);
  if (fn.runtime.empty()) {
    return Fail(path, "function " + Quote(key) + " has no runtime: set " + path +
                          ".runtime or provider.runtime");
  }
  ASSIGN_OR_RETURN(auto handler, OptString(f, path, "handler"));
  if (!handler || handler->empty()) {
    std::string hint = f.contains("image") ? " (container images are not supported by Nimbus)" : "";
    return Fail(path, "function " + Quote(key) + " has no handler" + hint +
                          ": set handler, e.g. handler: src/handler.main");
  }
  fn.handler = *handler;
  if (NeedsFileDotExport(fn.runtime)) {
    size_t slash = fn.handler.rfind('/');
    std::string_view base =
        std::string_view(fn.handler).substr(slash == std::string::npos ? 0 : slash + 1);
    size_t dot = base.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == base.size()) {
      return Fail(JoinKey(path, "handler"),
                  "handler " + Quote(fn.handler) + " of function " + Quote(key) +
                      " must be <file>.<function>, e.g. handler.main or src/api.handler");
    }
  }

  ASSIGN_OR_RETURN(auto name, OptString(f, path, "name"));
  fn.name = name.value_or(DefaultFunctionName(m_->service, m_->stage, key));
  std::string name_at = name ? JoinKey(path, "name") : path;
  if (!OnlyWordCharacters(fn.name, "_-")) {
    return Fail(name_at, "function name " + Quote(fn.name) +
                             " may contain only letters, digits, '-' and '_'");
  }
  if (fn.name.size() > 64) {
    return Fail(name_at, "function name " + Quote(fn.name) +
                             " is longer than Lambda's 64 characters: shorten the service, stage "
                             "or key, or set " +
                             path + ".name");
  }

  ASSIGN_OR_RETURN(auto memory, OptInt(f, path, "memorySize", 128, 10240));
  fn.memory_mb = static_cast<int>(memory.value_or(provider_memory_));
  ASSIGN_OR_RETURN(auto timeout, OptInt(f, path, "timeout", 1, 900));
  fn.timeout_s = static_cast<int>(timeout.value_or(provider_timeout_));
  ASSIGN_OR_RETURN(auto ephemeral, OptInt(f, path, "ephemeralStorageSize", 512, 10240));
  fn.ephemeral_mb = static_cast<int>(ephemeral.value_or(512));
  ASSIGN_OR_RETURN(auto reserved, OptInt(f, path, "reservedConcurrency", 0, 1000000));
  fn.reserved_concurrency = static_cast<int>(reserved.value_or(-1));
  RETURN_IF_ERROR(BuildCapacityProvider(f, path, &fn));
  ASSIGN_OR_RETURN(auto description, OptString(f, path, "description"));
  fn.description = description.value_or("");
  if (fn.description.size() > 256) {
    return Fail(JoinKey(path, "description"), "description is longer than 256 characters");
  }
  ASSIGN_OR_RETURN(auto arch, OptString(f, path, "architecture"));
  fn.architecture = arch.value_or(provider_architecture_);
  if (fn.architecture != "x86_64" && fn.architecture != "arm64") {
    return Fail(JoinKey(path, "architecture"), "architecture must be x86_64 or arm64");
  }

  fn.environment = provider_env_;
  ASSIGN_OR_RETURN(auto env, Environment(f, path));
  for (auto& [k, v] : env) fn.environment[k] = std::move(v);
  fn.tags = provider_tags_;
  ASSIGN_OR_RETURN(auto tags, StringMap(f, path, "tags"));
  for (auto& [k, v] : tags) fn.tags[k] = std::move(v);

  ASSIGN_OR_RETURN(const json::object* pkg, OptObject(f, path, "package"));
  if (pkg != nullptr) {
    RETURN_IF_ERROR(BuildPackage(*pkg, JoinKey(path, "package"), &fn.package_patterns,
                                 &fn.package_individually));
  }

  RETURN_IF_ERROR(BuildFunctionIam(key, f, path));  // role, iamRoleStatements (manifest_iam.cc)
  static const std::set<std::string, std::less<>> kSupported = {"handler",
                                                                "name",
                                                                "runtime",
                                                                "memorySize",
                                                                "timeout",
                                                                "environment",
                                                                "description",
                                                                "ephemeralStorageSize",
                                                                "reservedConcurrency",
                                                                "capacityProvider",
                                                                "package",
                                                                "tags",
                                                                "events",
                                                                "architecture",
                                                                "role",
                                                                "iamRoleStatements",
                                                                "iamRoleStatementsName",
                                                                "iamRoleStatementsInherit"};
  for (const auto& member : f) {
    if (kSupported.count(member.key()) == 0) Unsupported(JoinKey(path, member.key()));
  }
  RETURN_IF_ERROR(BuildEvents(f, path, &fn));
  m_->functions.push_back(std::move(fn));
  return Status::Ok();
}

}  // namespace nimbus::manifest
