#include "deploy/deployer.h"

#include <boost/json.hpp>
#include <set>
#include <string_view>

#include "deploy/deploy_roles.h"
#include "deploy/function_deployer.h"
#include "deploy/naming.h"
#include "deploy/plan.h"
#include "deploy/service_api.h"
#include "deploy/stack_context.h"
#include "manifest/package_files.h"
#include "manifest/package_zip.h"

extern char** environ;

namespace nimbus::deploy {
namespace {

void Say(const Progress& progress, const std::string& line) {
  if (progress) progress(line);
}

Result<json::value> Dynamo(AwsClient& client, const std::string& operation,
                           const json::object& body) {
  return client.CallTarget("dynamodb", "1.0", "DynamoDB_20120810." + operation, body);
}

// Creates the table unless it exists; records its description either way.
Status DeployTable(AwsClient& client, const manifest::Manifest& m, const manifest::TableDef& t,
                   StackContext& stack, DeployReport& report, const Progress& progress) {
  ASSIGN_OR_RETURN(std::string name, TableName(m, t));
  report.tables.push_back(name);
  auto described = Dynamo(client, "DescribeTable", {{"TableName", name}});
  if (described.ok()) {
    stack.SetTable(t.logical_id, described->at("Table").get_object());
    return Status::Ok();
  }
  if (!IsNotFound(described.status())) return described.status();
  ASSIGN_OR_RETURN(json::value props,
                   manifest::EvaluateIntrinsicsIn(t.properties, stack.Context()));
  ASSIGN_OR_RETURN(json::value created,
                   Dynamo(client, "CreateTable", CreateTableRequest(name, props.get_object())));
  stack.SetTable(t.logical_id, created.at("TableDescription").get_object());
  ++report.changes;
  if (auto ttl = TimeToLiveSpecification(props.get_object())) {
    RETURN_IF_ERROR(
        Dynamo(client, "UpdateTimeToLive", {{"TableName", name}, {"TimeToLiveSpecification", *ttl}})
            .status());
  }
  Say(progress, "table " + name + ": created");
  return Status::Ok();
}

// Deletes the functions the previous deploy made that left the file, the
// roles that left it, and puts the API when it differs from the deployed one.
Status ApplyApi(AwsClient& client, gateway::ApiConfig& api, RoleDeployer& roles,
                const StackContext& stack, DeployReport& report, const DeployOptions& options) {
  auto previous = client.CallJson("nimbus", "GET", ApiPath(api.id), {}, "");
  if (previous.ok()) {
    std::set<std::string> keep(api.functions.begin(), api.functions.end());
    for (const std::string& fn : DeployedNames(*previous, "functions")) {
      if (keep.count(fn) != 0) continue;
      auto gone = client.Call("lambda", "DELETE", LambdaFunctionPath(fn), {}, "");
      if (gone.ok()) {
        ++report.changes;
        Say(options.progress, "function " + fn + ": deleted");
      }
    }
  }
  // Roles of the service that left the file, once no function uses them.
  std::set<std::string> role_names;
  for (const auto& [id, role] : stack.roles()) role_names.insert(role.name);
  RETURN_IF_ERROR(roles.DeleteOthers(role_names, &report.changes, options.progress));
  // Keys the file names without a value have the value the gateway chose.
  if (previous.ok()) {
    if (auto deployed = gateway::ApiConfigFromJson(*previous); deployed.ok()) {
      KeepDeployedKeyValues(&api, *deployed);
    }
  }
  json::value wanted = gateway::ToJson(api);
  bool api_changed = true;
  if (previous.ok() && previous->is_object()) {
    api_changed = ApiDiffers(previous->get_object(), wanted.get_object());
  }
  if (api_changed || options.root) {
    ASSIGN_OR_RETURN(report.api, client.CallJson("nimbus", "PUT", ApiPath(api.id, options.root),
                                                 {{"Content-Type", "application/json"}},
                                                 json::serialize(wanted)));
    if (api_changed) {
      ++report.changes;
      Say(options.progress, "api " + api.id + ": " + std::to_string(api.routes.size()) + " routes");
    }
    return Status::Ok();
  }
  auto list = client.CallJson("nimbus", "GET", "/nimbus/apis", {}, "");
  if (list.ok()) {
    for (const auto& a : list->at("apis").get_array()) {
      if (a.at("id") == json::value(api.id)) report.api = a;
    }
  }
  return Status::Ok();
}

}  // namespace

manifest::LoadOptions Deployer::LoadOptionsFor(const DeployOptions& options, char** environ_vars) {
  manifest::LoadOptions lo;
  lo.stage = options.stage;
  lo.region = options.region;
  lo.options = options.options;
  if (!options.stage.empty()) lo.options["stage"] = options.stage;
  if (!options.region.empty()) lo.options["region"] = options.region;
  for (char** e = environ_vars != nullptr ? environ_vars : environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) {
      lo.env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    }
  }
  return lo;
}

Result<DeployReport> Deployer::Deploy(const DeployOptions& options) {
  ASSIGN_OR_RETURN(auto m, manifest::LoadManifest(options.config, LoadOptionsFor(options)));
  return Apply(m, options);
}

Result<DeployReport> Deployer::Apply(const manifest::Manifest& m, const DeployOptions& options) {
  DeployReport report;
  report.manifest = m;
  StackContext stack(m, account_id_);
  std::vector<std::string> accepted;
  ServiceApiOptions sao;
  sao.accepted = &accepted;
  ASSIGN_OR_RETURN(gateway::ApiConfig api, BuildServiceApi(m, sao));
  report.manifest.unsupported = UnsupportedSettings(m.unsupported, accepted);
  if (!report.manifest.unsupported.empty()) {
    Say(options.progress, UnsupportedWarning(report.manifest.unsupported));
  }

  for (const auto& t : m.tables) {
    RETURN_IF_ERROR(DeployTable(client_, m, t, stack, report, options.progress));
  }
  // The roles exist before the functions that name them.
  manifest::IntrinsicContext ctx = stack.Context();
  RoleDeployer roles(client_, m, ctx);
  ASSIGN_OR_RETURN(auto deployed_roles, roles.Apply(&report.changes, options.progress));
  stack.SetRoles(std::move(deployed_roles));

  // One zip for the service, or one per function when packaged individually.
  FunctionDeployer functions(client_, options.progress);
  const int64_t retention = LogRetentionDays(m);
  std::map<std::string, std::string> zips;  // by PackageSpec::key
  for (const auto& fn : m.functions) {
    PackageSpec package = PackageFor(m, fn);
    if (zips.count(package.key) == 0) {
      ASSIGN_OR_RETURN(auto files, manifest::SelectPackageFiles(m.dir, package.patterns));
      ASSIGN_OR_RETURN(zips[package.key], manifest::BuildZip(m.dir, files));
    }
    ASSIGN_OR_RETURN(std::string role, stack.FunctionRoleArn(fn));
    ASSIGN_OR_RETURN(json::object vars, EnvironmentVariables(fn, stack.Context()));
    ASSIGN_OR_RETURN(bool changed,
                     functions.Apply(fn, zips[package.key], FunctionConfiguration(fn, role, vars)));
    if (changed) {
      ++report.changes;
      report.updated_functions.push_back(fn.name);
    }
    ASSIGN_OR_RETURN(bool retained, functions.ApplyLogRetention(fn, retention));
    if (retained) ++report.changes;
    api.functions.push_back(fn.name);
  }
  api.tables = report.tables;
  RETURN_IF_ERROR(ApplyApi(client_, api, roles, stack, report, options));
  return report;
}

Status Deployer::Remove(const manifest::Manifest& m, const Progress& progress) {
  std::string id = ServiceApiId(m);
  std::set<std::string> functions, tables;
  for (const auto& f : m.functions) functions.insert(f.name);
  for (const auto& t : m.tables) {
    auto name = TableName(m, t);
    if (name.ok()) tables.insert(*name);
  }
  auto previous = client_.CallJson("nimbus", "GET", ApiPath(id), {}, "");
  if (previous.ok()) {
    for (std::string& f : DeployedNames(*previous, "functions")) functions.insert(std::move(f));
    for (std::string& t : DeployedNames(*previous, "tables")) tables.insert(std::move(t));
  }
  for (const auto& f : functions) {
    auto r = client_.Call("lambda", "DELETE", LambdaFunctionPath(f), {}, "");
    if (r.ok() && r->status < 300) Say(progress, "function " + f + ": deleted");
  }
  for (const auto& t : tables) {
    auto r = Dynamo(client_, "DeleteTable", {{"TableName", t}});
    if (r.ok()) Say(progress, "table " + t + ": deleted");
  }
  StackContext stack(m, account_id_);
  manifest::IntrinsicContext ctx = stack.Context();
  int deleted = 0;
  RETURN_IF_ERROR(RoleDeployer(client_, m, ctx).DeleteOthers({}, &deleted, progress));
  if (previous.ok()) {
    RETURN_IF_ERROR(client_.Call("nimbus", "DELETE", ApiPath(id), {}, "").status());
    Say(progress, "api " + id + ": deleted");
  }
  return Status::Ok();
}

}  // namespace nimbus::deploy
