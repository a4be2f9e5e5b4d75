#include "deploy/plan.h"

#include <boost/json.hpp>

#include "core/strings.h"

namespace nimbus::deploy {
namespace {

// PerExecutionEnvironmentMaxConcurrency of a CapacityProviderConfig; absent
// means one invocation per instance.
int64_t PerInstanceConcurrency(const json::value* cp) {
  if (cp == nullptr || !cp->is_object()) return 1;
  const json::value* mi =
      cp->get_object().if_contains("LambdaManagedInstancesCapacityProviderConfig");
  if (mi == nullptr || !mi->is_object()) return 1;
  const json::value* n = mi->get_object().if_contains("PerExecutionEnvironmentMaxConcurrency");
  return n != nullptr && n->is_number() ? n->to_number<int64_t>() : 1;
}

}  // namespace

json::object CreateTableRequest(const std::string& name, const json::object& p) {
  json::object req{{"TableName", name}};
  for (const char* key :
       {"AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
        "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "Tags"}) {
    if (const json::value* v = p.if_contains(key)) req[key] = *v;
  }
  if (!req.contains("BillingMode") && !req.contains("ProvisionedThroughput")) {
    req["BillingMode"] = "PROVISIONED";
    req["ProvisionedThroughput"] = {{"ReadCapacityUnits", 5}, {"WriteCapacityUnits", 5}};
  }
  if (const json::value* s = p.if_contains("StreamSpecification"); s && s->is_object()) {
    json::object spec{{"StreamEnabled", true}};
    if (const json::value* view = s->get_object().if_contains("StreamViewType")) {
      spec["StreamViewType"] = *view;
    }
    req["StreamSpecification"] = std::move(spec);
  }
  return req;
}

std::optional<json::object> TimeToLiveSpecification(const json::object& p) {
  const json::value* ttl = p.if_contains("TimeToLiveSpecification");
  if (ttl == nullptr || !ttl->is_object()) return std::nullopt;
  const json::object& o = ttl->get_object();
  const json::value* enabled = o.if_contains("Enabled");
  const json::value* attribute = o.if_contains("AttributeName");
  if (enabled == nullptr || *enabled != json::value(true) || attribute == nullptr) {
    return std::nullopt;
  }
  return json::object{{"AttributeName", *attribute}, {"Enabled", true}};
}

Result<json::object> EnvironmentVariables(const manifest::FunctionDef& fn,
                                          const manifest::IntrinsicContext& ctx) {
  json::object vars;
  for (const auto& [k, v] : fn.environment) {
    auto value = manifest::EvaluateIntrinsic(v, ctx);
    if (!value.ok() && manifest::IsNoValue(value.status())) continue;
    if (!value.ok()) {
      return InvalidArgument(fn.pos.ToString() + ": function " + fn.key + ": environment " + k +
                             ": " + value.status().message());
    }
    vars[k] = *value;
  }
  return vars;
}

json::object FunctionConfiguration(const manifest::FunctionDef& fn, const std::string& role_arn,
                                   const json::object& variables) {
  return json::object{{"Role", role_arn},
                      {"Handler", fn.handler},
                      {"Runtime", fn.runtime},
                      {"MemorySize", fn.memory_mb},
                      {"Timeout", fn.timeout_s},
                      {"Description", fn.description},
                      {"Environment", {{"Variables", variables}}},
                      {"EphemeralStorage", {{"Size", fn.ephemeral_mb}}},
                      {"CapacityProviderConfig",
                       {{"LambdaManagedInstancesCapacityProviderConfig",
                         {{"PerExecutionEnvironmentMaxConcurrency", fn.max_concurrency}}}}}};
}

bool ConfigurationDiffers(const json::object& have, const json::object& want) {
  for (const auto& [key, value] : want) {
    const json::value* current = have.if_contains(key);
    if (key == "Environment") {
      json::object vars_have;
      json::object vars_want = value.get_object().at("Variables").get_object();
      if (current && current->is_object()) {
        if (auto* v = current->get_object().if_contains("Variables"); v && v->is_object()) {
          vars_have = v->get_object();
        }
      }
      if (vars_have != vars_want) return true;
      continue;
    }
    if (key == "CapacityProviderConfig") {
      if (PerInstanceConcurrency(current) != PerInstanceConcurrency(&value)) return true;
      continue;
    }
    if (key == "EphemeralStorage") {
      if (!current || !current->is_object() ||
          current->get_object().if_contains("Size") == nullptr ||
          current->get_object().at("Size") != value.get_object().at("Size")) {
        return true;
      }
      continue;
    }
    if (!current) {
      if (value.is_string() && value.get_string().empty()) continue;
      return true;
    }
    if (*current != value) return true;
  }
  return false;
}

int64_t ReservedConcurrency(const json::value& get_function) {
  if (!get_function.is_object()) return -1;
  const json::value* c = get_function.get_object().if_contains("Concurrency");
  if (c == nullptr || !c->is_object()) return -1;
  const json::value* n = c->get_object().if_contains("ReservedConcurrentExecutions");
  return n != nullptr && n->is_number() ? n->to_number<int64_t>() : -1;
}

PackageSpec PackageFor(const manifest::Manifest& m, const manifest::FunctionDef& fn) {
  PackageSpec spec;
  bool individually = m.package_individually || fn.package_individually;
  spec.patterns = individually ? m.PatternsFor(fn) : m.package_patterns;
  for (const auto& p : spec.patterns) spec.key += p + "\n";
  return spec;
}

int64_t LogRetentionDays(const manifest::Manifest& m) {
  // Checked against CloudWatch's periods when the file was read.
  const json::value* v = m.provider.if_contains("logRetentionInDays");
  if (v == nullptr) return 0;
  if (v->is_number()) return v->to_number<int64_t>();
  long long days = 0;
  if (v->is_string() && ParseInt64(v->get_string(), &days)) return days;
  return 0;
}

LogGroupState FindLogGroup(const json::value& described, const std::string& group) {
  LogGroupState state;
  if (!described.is_object()) return state;
  const json::value* groups = described.get_object().if_contains("logGroups");
  if (groups == nullptr || !groups->is_array()) return state;
  for (const json::value& g : groups->get_array()) {
    if (!g.is_object()) continue;
    const json::object& o = g.get_object();
    const json::value* name = o.if_contains("logGroupName");
    if (name == nullptr || !name->is_string() || name->get_string() != group) continue;
    state.exists = true;
    if (const json::value* days = o.if_contains("retentionInDays"); days && days->is_number()) {
      state.retention_days = days->to_number<int64_t>();
    }
  }
  return state;
}

std::vector<std::string> UnsupportedSettings(const std::vector<std::string>& reported,
                                             const std::vector<std::string>& accepted) {
  std::vector<std::string> out;
  for (const auto& u : reported) {
    bool covered = false;
    for (const auto& a : accepted) covered = covered || u.starts_with(a);
    if (!covered) out.push_back(u);
  }
  return out;
}

std::string UnsupportedWarning(const std::vector<std::string>& settings) {
  if (settings.empty()) return "";
  std::string out = "warning: Nimbus does not implement these settings yet; they have no effect:";
  for (const auto& s : settings) out += "\n  - " + s;
  return out;
}

std::vector<std::string> DeployedNames(const json::value& api, std::string_view key) {
  std::vector<std::string> out;
  if (!api.is_object()) return out;
  const json::value* list = api.get_object().if_contains(key);
  if (list == nullptr || !list->is_array()) return out;
  for (const auto& v : list->get_array()) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

bool ApiDiffers(const json::object& deployed, json::object& wanted) {
  json::object have = deployed;
  for (const char* id : {"http_api_id", "rest_api_id"}) wanted[id] = have[id];  // null if absent
  return have != wanted;
}

std::string ApiPath(std::string_view id, std::optional<bool> root) {
  std::string path = "/nimbus/apis/" + std::string(id);
  if (root) path += *root ? "?root=true" : "?root=false";
  return path;
}

}  // namespace nimbus::deploy
