// `nimbus deploy`, `nimbus remove` and `nimbus info`: a serverless.yml
// service against a running server (see deployer.h).
#include <chrono>
#include <cstdio>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "cli/deployer.h"
#include "cli/service_api.h"

namespace nimbus::cli {
namespace {

struct ServiceArgs {
  std::string config = "serverless.yml";
  std::string stage;
  std::string region_override;
  bool root = false, no_root = false;
};

void AddServiceOptions(CLI::App* cmd, ServiceArgs& a) {
  cmd->add_option("--config,-c", a.config, "The service's serverless.yml")->capture_default_str();
  cmd->add_option("--stage,-s", a.stage, "Stage (default: provider.stage, else dev)");
}

DeployOptions ToDeployOptions(const ServiceArgs& a) {
  DeployOptions o;
  o.config = a.config;
  o.stage = a.stage;
  return o;
}

manifest::Manifest LoadOrExit(const ServiceArgs& a) {
  auto m = manifest::LoadManifest(a.config, Deployer::LoadOptionsFor(ToDeployOptions(a)));
  if (!m.ok()) Fail(m.status().message());
  return std::move(*m);
}

void PrintApi(const json::value& api) {
  if (!api.is_object()) return;
  const json::object& o = api.get_object();
  std::printf("endpoints:\n");
  for (const auto& u : o.at("urls").get_array()) std::printf("  %s\n", std::string(u.get_string()).c_str());
  const auto& routes = o.at("routes").get_array();
  if (!routes.empty()) std::printf("routes:\n");
  for (const auto& r : routes) std::printf("  %s\n", std::string(r.get_string()).c_str());
}

}  // namespace

std::string ResolveFunctionName(const std::string& name, const std::string& key,
                                const std::string& config, const std::string& stage) {
  if (key.empty()) {
    if (name.empty()) Fail("name the function, or give -f FUNCTION (its key in serverless.yml)");
    return name;
  }
  DeployOptions o;
  o.config = config;
  o.stage = stage;
  auto m = manifest::LoadManifest(config, Deployer::LoadOptionsFor(o));
  if (!m.ok()) Fail(m.status().message());
  const manifest::FunctionDef* fn = m->FindFunction(key);
  if (!fn) Fail("function '" + key + "' is not in " + config);
  return fn->name;
}

void AddDeployCommands(CLI::App& app) {
  auto co = std::make_shared<ClientOptions>();
  auto args = std::make_shared<ServiceArgs>();

  CLI::App* deploy = app.add_subcommand("deploy", "Deploy a serverless.yml service to a running Nimbus");
  AddServiceOptions(deploy, *args);
  deploy->add_flag("--root", args->root, "Serve this service's API at the gateway's root");
  deploy->add_flag("--no-root", args->no_root, "Do not serve this service at the gateway's root");
  AddClientOptions(deploy, *co);
  deploy->callback([co, args] {
    auto started = std::chrono::steady_clock::now();
    auto client = ClientOrExit(*co);
    Deployer deployer(client);
    DeployOptions o = ToDeployOptions(*args);
    if (args->root) o.root = true;
    if (args->no_root) o.root = false;
    o.progress = [](const std::string& line) {
      std::fprintf(stderr, "%s\n", line.c_str());
      std::fflush(stderr);
    };
    auto report = deployer.Deploy(o);
    if (!report.ok()) Fail(report.status().message());
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    std::printf("service %s (stage %s) deployed in %lld ms: %s\n", report->manifest.service.c_str(),
                report->manifest.stage.c_str(), static_cast<long long>(ms),
                report->changes == 0 ? "no changes" : (std::to_string(report->changes) + " changes").c_str());
    PrintApi(report->api);
  });

  CLI::App* remove = app.add_subcommand("remove", "Delete a deployed service: its API, functions and tables");
  AddServiceOptions(remove, *args);
  AddClientOptions(remove, *co);
  remove->callback([co, args] {
    auto client = ClientOrExit(*co);
    manifest::Manifest m = LoadOrExit(*args);
    Deployer deployer(client);
    Status s = deployer.Remove(m, [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
    if (!s.ok()) Fail(s.message());
    std::printf("service %s (stage %s) removed\n", m.service.c_str(), m.stage.c_str());
  });

  CLI::App* info = app.add_subcommand("info", "Show a deployed service's endpoints, routes, functions and tables");
  AddServiceOptions(info, *args);
  AddClientOptions(info, *co);
  info->callback([co, args] {
    auto client = ClientOrExit(*co);
    manifest::Manifest m = LoadOrExit(*args);
    std::string id = ServiceApiId(m);
    auto list = client.CallJson("nimbus", "GET", "/nimbus/apis", {}, "");
    if (!list.ok()) Fail(list.status().message());
    auto config = client.CallJson("nimbus", "GET", "/nimbus/apis/" + id, {}, "");
    if (!config.ok()) Fail("service " + m.service + " (stage " + m.stage + ") is not deployed");
    std::printf("service: %s\nstage: %s\nregion: %s\n", m.service.c_str(), m.stage.c_str(), m.region.c_str());
    for (const auto& a : list->at("apis").get_array()) {
      if (a.at("id") == json::value(id)) PrintApi(a);
    }
    std::printf("functions:\n");
    for (const auto& f : m.functions) std::printf("  %s: %s\n", f.key.c_str(), f.name.c_str());
    const auto& tables = config->at("tables").get_array();
    if (!tables.empty()) std::printf("tables:\n");
    for (const auto& t : tables) std::printf("  %s\n", std::string(t.get_string()).c_str());
  });
}

}  // namespace nimbus::cli
