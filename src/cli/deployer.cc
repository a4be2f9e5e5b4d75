#include "cli/deployer.h"

#include <boost/json.hpp>

#include <chrono>
#include <set>

#include "cli/service_api.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/strings.h"
#include "manifest/intrinsics.h"
#include "manifest/naming.h"
#include "manifest/package_files.h"
#include "manifest/package_zip.h"

extern char** environ;

namespace nimbus::cli {
namespace {

std::string FunctionPath(const std::string& name) {
  return "/2015-03-31/functions/" + UriEncode(name, false);
}

bool IsNotFound(const Status& s) {
  return s.code() == Code::kNotFound || s.message().find("ResourceNotFoundException") != std::string::npos ||
         s.message().find("NotFoundException") != std::string::npos;
}

std::string StackName(const manifest::Manifest& m) { return m.service + "-" + m.stage; }

// The CreateTable request a CloudFormation AWS::DynamoDB::Table stands for.
json::object CreateTableRequest(const std::string& name, const json::object& p) {
  json::object req{{"TableName", name}};
  for (const char* key : {"AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
                          "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "Tags"}) {
    if (const json::value* v = p.if_contains(key)) req[key] = *v;
  }
  if (!req.contains("BillingMode") && !req.contains("ProvisionedThroughput")) {
    req["BillingMode"] = "PROVISIONED";
    req["ProvisionedThroughput"] = {{"ReadCapacityUnits", 5}, {"WriteCapacityUnits", 5}};
  }
  if (const json::value* s = p.if_contains("StreamSpecification"); s && s->is_object()) {
    json::object spec{{"StreamEnabled", true}};
    if (const json::value* view = s->get_object().if_contains("StreamViewType")) spec["StreamViewType"] = *view;
    req["StreamSpecification"] = std::move(spec);
  }
  return req;
}

// Whether the deployed configuration differs from what the file asks for.
bool ConfigDiffers(const json::object& have, const json::object& want) {
  for (const auto& [key, value] : want) {
    const json::value* current = have.if_contains(key);
    if (key == "Environment") {
      json::object vars_have, vars_want = value.get_object().at("Variables").get_object();
      if (current && current->is_object()) {
        if (auto* v = current->get_object().if_contains("Variables"); v && v->is_object()) vars_have = v->get_object();
      }
      if (vars_have != vars_want) return true;
      continue;
    }
    if (key == "CapacityProviderConfig") {
      // Absent means one invocation per instance.
      auto concurrency = [](const json::value* cp) -> int64_t {
        if (cp == nullptr || !cp->is_object()) return 1;
        const json::value* mi =
            cp->get_object().if_contains("LambdaManagedInstancesCapacityProviderConfig");
        if (mi == nullptr || !mi->is_object()) return 1;
        const json::value* n =
            mi->get_object().if_contains("PerExecutionEnvironmentMaxConcurrency");
        return n != nullptr && n->is_number() ? n->to_number<int64_t>() : 1;
      };
      if (concurrency(current) != concurrency(&value)) return true;
      continue;
    }
    if (key == "EphemeralStorage") {
      if (!current || !current->is_object() || current->get_object().if_contains("Size") == nullptr ||
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

}  // namespace

manifest::LoadOptions Deployer::LoadOptionsFor(const DeployOptions& options) {
  manifest::LoadOptions lo;
  lo.stage = options.stage;
  lo.region = options.region;
  lo.options = options.options;
  if (!options.stage.empty()) lo.options["stage"] = options.stage;
  if (!options.region.empty()) lo.options["region"] = options.region;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) lo.env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  return lo;
}

Result<DeployReport> Deployer::Deploy(const DeployOptions& options) {
  ASSIGN_OR_RETURN(auto m, manifest::LoadManifest(options.config, LoadOptionsFor(options)));
  return Apply(m, options);
}

Result<json::value> Deployer::Dynamo(const std::string& operation, const json::object& body) {
  return client_.CallJson("dynamodb", "POST", "/",
                          {{"Content-Type", "application/x-amz-json-1.0"},
                           {"X-Amz-Target", "DynamoDB_20120810." + operation}},
                          json::serialize(body));
}

Result<json::value> Deployer::Logs(const std::string& operation, const json::object& body) {
  return client_.CallJson("logs", "POST", "/",
                          {{"Content-Type", "application/x-amz-json-1.1"},
                           {"X-Amz-Target", "Logs_20140328." + operation}},
                          json::serialize(body));
}

Status Deployer::ApplyLogRetention(const manifest::Manifest& m, const manifest::FunctionDef& fn,
                                   DeployReport& report, const DeployOptions& options) {
  long long want = 0;  // checked against CloudWatch's periods when the file was read
  if (const json::value* v = m.provider.if_contains("logRetentionInDays")) {
    if (v->is_number()) {
      want = v->to_number<long long>();
    } else if (v->is_string() && !ParseInt64(v->get_string(), &want)) {
      want = 0;
    }
  }
  std::string group = "/aws/lambda/" + fn.name;
  ASSIGN_OR_RETURN(json::value listed,
                   Logs("DescribeLogGroups", json::object{{"logGroupNamePrefix", group}}));
  bool exists = false;
  long long have = 0;
  if (const json::value* groups = listed.get_object().if_contains("logGroups");
      groups && groups->is_array()) {
    for (const json::value& g : groups->get_array()) {
      const json::object& o = g.get_object();
      if (!o.contains("logGroupName") || o.at("logGroupName").get_string() != group) continue;
      exists = true;
      if (const json::value* days = o.if_contains("retentionInDays"); days && days->is_number()) {
        have = days->to_number<long long>();
      }
    }
  }
  if (want == have) return Status::Ok();
  if (want > 0) {
    if (!exists) {
      RETURN_IF_ERROR(Logs("CreateLogGroup", json::object{{"logGroupName", group}}).status());
    }
    RETURN_IF_ERROR(
        Logs("PutRetentionPolicy", json::object{{"logGroupName", group}, {"retentionInDays", want}})
            .status());
  } else {
    RETURN_IF_ERROR(Logs("DeleteRetentionPolicy", json::object{{"logGroupName", group}}).status());
  }
  ++report.changes;
  if (options.progress) {
    options.progress("function " + fn.key + ": log retention " +
                     (want > 0 ? std::to_string(want) + " days" : std::string("removed")));
  }
  return Status::Ok();
}

Result<std::string> Deployer::TableName(const manifest::Manifest& m, const manifest::TableDef& t) const {
  if (const json::value* name = t.properties.if_contains("TableName")) {
    manifest::IntrinsicContext ctx;
    ctx.region = m.region;
    ctx.stack_name = StackName(m);
    ctx.resolve = [](const std::string& id, const std::string&) -> Result<std::string> {
      return InvalidArgument("TableName may not refer to " + id);
    };
    return manifest::EvaluateIntrinsic(*name, ctx);
  }
  // As CloudFormation names it, but stable across deploys.
  std::string digest = Hex(Sha256(StackName(m) + "/" + t.logical_id)).substr(0, 12);
  for (char& c : digest) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return StackName(m) + "-" + t.logical_id + "-" + digest;
}

manifest::IntrinsicContext Deployer::Context(const manifest::Manifest& m) {
  manifest::IntrinsicContext ctx;
  ctx.region = m.region;
  ctx.account_id = account_id_;
  ctx.stack_name = StackName(m);
  ctx.resolve = [this, &m](const std::string& id, const std::string& attr) {
    return Resolve(m, id, attr);
  };
  return ctx;
}

Result<std::string> Deployer::Resolve(const manifest::Manifest& m, const std::string& id,
                                      const std::string& attribute) {
  for (const auto& t : m.tables) {
    if (t.logical_id != id) continue;
    ASSIGN_OR_RETURN(std::string name, TableName(m, t));
    if (attribute.empty()) return name;
    auto it = table_descriptions_.find(id);
    if (it == table_descriptions_.end()) return NotFound("table " + id + " is not deployed yet");
    const json::object& d = it->second;
    if (attribute == "Arn") return std::string(d.at("TableArn").get_string());
    if (attribute == "StreamArn") {
      const json::value* arn = d.if_contains("LatestStreamArn");
      if (!arn) return InvalidArgument("Fn::GetAtt " + id + ".StreamArn: the table has no stream");
      return std::string(arn->get_string());
    }
    return InvalidArgument("Fn::GetAtt " + id + "." + attribute + " is not an attribute of a table");
  }
  for (const auto& f : m.functions) {
    if (manifest::FunctionLogicalId(f.key) != id) continue;
    if (attribute.empty()) return f.name;
    if (attribute == "Arn") {
      return "arn:aws:lambda:" + m.region + ":" + account_id_ + ":function:" + f.name;
    }
    return InvalidArgument("Fn::GetAtt " + id + "." + attribute + " is not an attribute of a function");
  }
  if (const manifest::RoleDef* role = m.FindRole(id)) {
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
    manifest::IntrinsicContext ctx = Context(m);
    RoleDeployer roles(client_, m, ctx);
    auto out = attribute.empty() ? roles.Name(*role) : roles.Arn(*role);
    resolving_roles_.erase(id);
    return out;
  }
  return NotFound("no resource " + id + " in this service");
}

Status Deployer::DeployTable(const manifest::Manifest& m, const manifest::TableDef& t,
                             DeployReport& report, const DeployOptions& options) {
  ASSIGN_OR_RETURN(std::string name, TableName(m, t));
  report.tables.push_back(name);
  auto described = Dynamo("DescribeTable", {{"TableName", name}});
  if (described.ok()) {
    table_descriptions_[t.logical_id] = described->at("Table").get_object();
    return Status::Ok();
  }
  if (!IsNotFound(described.status())) return described.status();
  ASSIGN_OR_RETURN(json::value props, manifest::EvaluateIntrinsicsIn(t.properties, Context(m)));
  ASSIGN_OR_RETURN(json::value created, Dynamo("CreateTable", CreateTableRequest(name, props.get_object())));
  table_descriptions_[t.logical_id] = created.at("TableDescription").get_object();
  ++report.changes;
  if (const json::value* ttl = props.get_object().if_contains("TimeToLiveSpecification");
      ttl && ttl->is_object() && ttl->get_object().if_contains("Enabled") &&
      ttl->get_object().at("Enabled") == json::value(true)) {
    RETURN_IF_ERROR(Dynamo("UpdateTimeToLive",
                           {{"TableName", name},
                            {"TimeToLiveSpecification",
                             {{"AttributeName", ttl->get_object().at("AttributeName")}, {"Enabled", true}}}})
                        .status());
  }
  if (options.progress) options.progress("table " + name + ": created");
  return Status::Ok();
}

Status Deployer::DeployFunction(const manifest::Manifest& m, const manifest::FunctionDef& fn,
                                const std::string& zip, DeployReport& report,
                                const DeployOptions& options) {
  manifest::IntrinsicContext ctx = Context(m);
  ASSIGN_OR_RETURN(std::string role, FunctionRole(m, fn));
  json::object vars;
  for (const auto& [k, v] : fn.environment) {
    auto value = manifest::EvaluateIntrinsic(v, ctx);
    if (!value.ok() && manifest::IsNoValue(value.status())) continue;
    if (!value.ok()) {
      return InvalidArgument(fn.pos.ToString() + ": function " + fn.key + ": environment " + k + ": " +
                             value.status().message());
    }
    vars[k] = *value;
  }
  json::object config{{"Role", role},
                      {"Handler", fn.handler},
                      {"Runtime", fn.runtime},
                      {"MemorySize", fn.memory_mb},
                      {"Timeout", fn.timeout_s},
                      {"Description", fn.description},
                      {"Environment", {{"Variables", vars}}},
                      {"EphemeralStorage", {{"Size", fn.ephemeral_mb}}},
                      {"CapacityProviderConfig",
                       {{"LambdaManagedInstancesCapacityProviderConfig",
                         {{"PerExecutionEnvironmentMaxConcurrency", fn.max_concurrency}}}}}};
  std::string sha = Base64Encode(Sha256(zip));
  auto current = client_.CallJson("lambda", "GET", FunctionPath(fn.name), {}, "");
  if (!current.ok()) {
    if (!IsNotFound(current.status())) return current.status();
    json::object body = config;
    body["FunctionName"] = fn.name;
    body["Code"] = {{"ZipFile", Base64Encode(zip)}};
    RETURN_IF_ERROR(client_.CallJson("lambda", "POST", "/2015-03-31/functions",
                                     {{"Content-Type", "application/json"}}, json::serialize(body))
                        .status());
    ++report.changes;
    report.updated_functions.push_back(fn.name);
    if (options.progress) options.progress("function " + fn.key + ": created (" + fn.name + ")");
    bool unused = false;
    return ApplyReservedConcurrency(fn, -1, unused, options);
  }
  const json::object& have = current->at("Configuration").get_object();
  bool changed = false;
  if (!have.if_contains("CodeSha256") || have.at("CodeSha256").get_string() != sha) {
    RETURN_IF_ERROR(client_.CallJson("lambda", "PUT", FunctionPath(fn.name) + "/code",
                                     {{"Content-Type", "application/json"}},
                                     json::serialize(json::object{{"ZipFile", Base64Encode(zip)}}))
                        .status());
    if (options.progress) options.progress("function " + fn.key + ": code updated");
    changed = true;
  }
  if (ConfigDiffers(have, config)) {
    RETURN_IF_ERROR(client_.CallJson("lambda", "PUT", FunctionPath(fn.name) + "/configuration",
                                     {{"Content-Type", "application/json"}}, json::serialize(config))
                        .status());
    if (options.progress) options.progress("function " + fn.key + ": configuration updated");
    changed = true;
  }
  int64_t reserved = -1;
  if (const json::value* c = current->get_object().if_contains("Concurrency");
      c && c->is_object()) {
    if (const json::value* n = c->get_object().if_contains("ReservedConcurrentExecutions");
        n && n->is_number()) {
      reserved = n->to_number<int64_t>();
    }
  }
  RETURN_IF_ERROR(ApplyReservedConcurrency(fn, reserved, changed, options));
  if (changed) {
    ++report.changes;
    report.updated_functions.push_back(fn.name);
  }
  return Status::Ok();
}

Result<std::string> Deployer::FunctionRole(const manifest::Manifest& m,
                                           const manifest::FunctionDef& fn) {
  if (!fn.role.empty()) {
    auto it = roles_.find(fn.role);
    if (it == roles_.end()) return Status(Code::kInternal, "role " + fn.role + " was not deployed");
    return it->second.arn;
  }
  auto arn = manifest::EvaluateIntrinsic(fn.role_arn, Context(m));
  if (!arn.ok()) {
    return InvalidArgument(fn.pos.ToString() + ": function " + fn.key + ": role: " +
                           arn.status().message());
  }
  return arn;
}

Status Deployer::ApplyReservedConcurrency(const manifest::FunctionDef& fn, int64_t current,
                                          bool& changed, const DeployOptions& options) {
  if (fn.reserved_concurrency == current) return Status::Ok();
  std::string path = "/2017-10-31/functions/" + UriEncode(fn.name, false) + "/concurrency";
  if (fn.reserved_concurrency >= 0) {
    json::object body{{"ReservedConcurrentExecutions", fn.reserved_concurrency}};
    RETURN_IF_ERROR(client_
                        .CallJson("lambda", "PUT", path, {{"Content-Type", "application/json"}},
                                  json::serialize(body))
                        .status());
  } else {
    RETURN_IF_ERROR(client_.CallJson("lambda", "DELETE", path, {}, "").status());
  }
  if (options.progress) {
    options.progress("function " + fn.key + ": reserved concurrency " +
                     (fn.reserved_concurrency >= 0 ? std::to_string(fn.reserved_concurrency)
                                                   : std::string("removed")));
  }
  changed = true;
  return Status::Ok();
}

Result<DeployReport> Deployer::Apply(const manifest::Manifest& m, const DeployOptions& options) {
  DeployReport report;
  report.manifest = m;
  table_descriptions_.clear();
  roles_.clear();
  std::vector<std::string> accepted;
  ServiceApiOptions sao;
  sao.accepted = &accepted;
  ASSIGN_OR_RETURN(gateway::ApiConfig api, BuildServiceApi(m, sao));
  std::vector<std::string> unsupported;
  for (const auto& u : m.unsupported) {
    bool ok = false;
    for (const auto& a : accepted) ok = ok || u.starts_with(a);
    if (!ok) unsupported.push_back(u);
  }
  if (!unsupported.empty() && options.progress) {
    std::string list;
    for (const auto& u : unsupported) list += "\n  - " + u;
    options.progress("warning: Nimbus does not implement these settings yet; they have no effect:" + list);
  }
  report.manifest.unsupported = unsupported;

  for (const auto& t : m.tables) RETURN_IF_ERROR(DeployTable(m, t, report, options));
  // The roles exist before the functions that name them.
  manifest::IntrinsicContext ctx = Context(m);
  RoleDeployer roles(client_, m, ctx);
  ASSIGN_OR_RETURN(roles_, roles.Apply(&report.changes, options.progress));

  // One zip for the service, or one per function when packaged individually.
  std::map<std::string, std::string> zips;  // by the patterns' joined text
  for (const auto& fn : m.functions) {
    bool individually = m.package_individually || fn.package_individually;
    std::vector<std::string> patterns = individually ? m.PatternsFor(fn) : m.package_patterns;
    std::string key;
    for (const auto& p : patterns) key += p + "\n";
    if (!zips.count(key)) {
      ASSIGN_OR_RETURN(auto files, manifest::SelectPackageFiles(m.dir, patterns));
      ASSIGN_OR_RETURN(zips[key], manifest::BuildZip(m.dir, files));
    }
    RETURN_IF_ERROR(DeployFunction(m, fn, zips[key], report, options));
    RETURN_IF_ERROR(ApplyLogRetention(m, fn, report, options));
    api.functions.push_back(fn.name);
  }
  api.tables = report.tables;

  // Functions the previous deploy made that left the file.
  auto previous = client_.CallJson("nimbus", "GET", "/nimbus/apis/" + api.id, {}, "");
  std::set<std::string> keep(api.functions.begin(), api.functions.end());
  if (previous.ok() && previous->is_object()) {
    if (const json::value* fns = previous->get_object().if_contains("functions"); fns && fns->is_array()) {
      for (const auto& f : fns->get_array()) {
        if (!f.is_string() || keep.count(std::string(f.get_string()))) continue;
        auto gone = client_.Call("lambda", "DELETE", FunctionPath(std::string(f.get_string())), {}, "");
        if (gone.ok()) {
          ++report.changes;
          if (options.progress) options.progress("function " + std::string(f.get_string()) + ": deleted");
        }
      }
    }
  }
  // Roles of the service that left the file, once no function uses them.
  std::set<std::string> role_names;
  for (const auto& [id, role] : roles_) role_names.insert(role.name);
  RETURN_IF_ERROR(roles.DeleteOthers(role_names, &report.changes, options.progress));
  // Keys the file names without a value have the value the gateway chose.
  if (previous.ok()) {
    if (auto deployed = gateway::ApiConfigFromJson(*previous); deployed.ok()) {
      KeepDeployedKeyValues(&api, *deployed);
    }
  }
  json::value wanted = gateway::ToJson(api);
  bool api_changed = true;
  if (previous.ok()) {
    // The server fills in the API ids; compare with them filled in.
    json::object prev = previous->get_object();
    wanted.get_object()["http_api_id"] = prev["http_api_id"];
    wanted.get_object()["rest_api_id"] = prev["rest_api_id"];
    api_changed = prev != wanted.get_object();
  }
  std::string target = "/nimbus/apis/" + api.id;
  if (options.root) target += *options.root ? "?root=true" : "?root=false";
  if (api_changed || options.root) {
    ASSIGN_OR_RETURN(report.api, client_.CallJson("nimbus", "PUT", target,
                                                  {{"Content-Type", "application/json"}},
                                                  json::serialize(wanted)));
    if (api_changed) {
      ++report.changes;
      if (options.progress) options.progress("api " + api.id + ": " + std::to_string(api.routes.size()) + " routes");
    }
  } else {
    auto list = client_.CallJson("nimbus", "GET", "/nimbus/apis", {}, "");
    if (list.ok()) {
      for (const auto& a : list->at("apis").get_array()) {
        if (a.at("id") == json::value(api.id)) report.api = a;
      }
    }
  }
  return report;
}

Status Deployer::Remove(const manifest::Manifest& m,
                        const std::function<void(const std::string&)>& progress) {
  std::string id = ServiceApiId(m);
  std::set<std::string> functions, tables;
  for (const auto& f : m.functions) functions.insert(f.name);
  for (const auto& t : m.tables) {
    auto name = TableName(m, t);
    if (name.ok()) tables.insert(*name);
  }
  auto previous = client_.CallJson("nimbus", "GET", "/nimbus/apis/" + id, {}, "");
  if (previous.ok()) {
    for (const char* key : {"functions", "tables"}) {
      if (const json::value* list = previous->get_object().if_contains(key); list && list->is_array()) {
        for (const auto& v : list->get_array()) {
          if (v.is_string()) (key[0] == 'f' ? functions : tables).insert(std::string(v.get_string()));
        }
      }
    }
  }
  for (const auto& f : functions) {
    auto r = client_.Call("lambda", "DELETE", FunctionPath(f), {}, "");
    if (r.ok() && r->status < 300 && progress) progress("function " + f + ": deleted");
  }
  for (const auto& t : tables) {
    auto r = Dynamo("DeleteTable", {{"TableName", t}});
    if (r.ok() && progress) progress("table " + t + ": deleted");
  }
  manifest::IntrinsicContext ctx = Context(m);
  int deleted = 0;
  RETURN_IF_ERROR(RoleDeployer(client_, m, ctx).DeleteOthers({}, &deleted, progress));
  if (previous.ok()) {
    RETURN_IF_ERROR(client_.Call("nimbus", "DELETE", "/nimbus/apis/" + id, {}, "").status());
    if (progress) progress("api " + id + ": deleted");
  }
  return Status::Ok();
}

}  // namespace nimbus::cli
