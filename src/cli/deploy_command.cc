// `nimbus deploy`, `nimbus remove` and `nimbus info`: a serverless.yml
// service against a running server (see deploy/deployer.h).
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "deploy/deployer.h"
#include "deploy/naming.h"

namespace nimbus::cli {
namespace {

manifest::Manifest LoadOrExit(const ServiceArgs& a) {
  return ValueOrFail(
      manifest::LoadManifest(a.config, deploy::Deployer::LoadOptionsFor(ToDeployOptions(a))));
}

void PrintStderr(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace

std::string ResolveFunctionName(const std::string& name, const std::string& key,
                                const std::string& config, const std::string& stage) {
  if (key.empty()) {
    if (name.empty()) Fail("name the function, or give -f FUNCTION (its key in serverless.yml)");
    return name;
  }
  ServiceArgs args;
  args.config = config;
  args.stage = stage;
  manifest::Manifest m = LoadOrExit(args);
  const manifest::FunctionDef* fn = m.FindFunction(key);
  if (!fn) Fail("function '" + key + "' is not in " + config);
  return fn->name;
}

void AddDeployCommands(CLI::App& app) {
  auto co = std::make_shared<deploy::ClientOptions>();
  auto args = std::make_shared<ServiceArgs>();

  CLI::App* deploy_cmd =
      app.add_subcommand("deploy", "Deploy a serverless.yml service to a running Nimbus");
  AddServiceOptions(deploy_cmd, *args);
  AddRootFlags(deploy_cmd, *args);
  AddClientOptions(deploy_cmd, *co);
  deploy_cmd->callback([co, args] {
    auto started = std::chrono::steady_clock::now();
    auto client = ClientOrExit(*co);
    deploy::Deployer deployer(client);
    deploy::DeployOptions o = ToDeployOptions(*args);
    o.progress = PrintStderr;
    deploy::DeployReport report = ValueOrFail(deployer.Deploy(o));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    std::fputs(FormatDeploySummary(report, ms).c_str(), stdout);
  });

  CLI::App* remove =
      app.add_subcommand("remove", "Delete a deployed service: its API, functions and tables");
  AddServiceOptions(remove, *args);
  AddClientOptions(remove, *co);
  remove->callback([co, args] {
    auto client = ClientOrExit(*co);
    manifest::Manifest m = LoadOrExit(*args);
    deploy::Deployer deployer(client);
    Status s = deployer.Remove(
        m, [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
    if (!s.ok()) Fail(s.message());
    std::printf("service %s (stage %s) removed\n", m.service.c_str(), m.stage.c_str());
  });

  CLI::App* info = app.add_subcommand(
      "info", "Show a deployed service's endpoints, routes, functions and tables");
  AddServiceOptions(info, *args);
  AddClientOptions(info, *co);
  info->callback([co, args] {
    auto client = ClientOrExit(*co);
    manifest::Manifest m = LoadOrExit(*args);
    std::string id = deploy::ServiceApiId(m);
    json::value list = ValueOrFail(client.CallJson("nimbus", "GET", "/nimbus/apis", {}, ""));
    auto config = client.CallJson("nimbus", "GET", "/nimbus/apis/" + id, {}, "");
    if (!config.ok()) Fail("service " + m.service + " (stage " + m.stage + ") is not deployed");
    json::value api;
    for (const auto& a : list.at("apis").get_array()) {
      if (a.at("id") == json::value(id)) api = a;
    }
    std::fputs(FormatServiceInfo(m, api, *config).c_str(), stdout);
  });
}

}  // namespace nimbus::cli
