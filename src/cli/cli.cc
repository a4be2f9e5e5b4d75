#include "cli/cli.h"

#include <cstdio>

#include <boost/json.hpp>

#include "cli/commands.h"

namespace nimbus::cli {

void AddClientOptions(CLI::App* cmd, ClientOptions& o) {
  cmd->add_option("--endpoint", o.endpoint, "AWS endpoint of the server (default: AWS_ENDPOINT_URL, "
                                            "then the data dir's server.json)");
  cmd->add_option("--data-dir", o.data_dir, "Local data directory to read the endpoint and key from")
      ->capture_default_str();
  cmd->add_option("--region", o.region, "Region (default: AWS_REGION or us-east-1)");
  cmd->add_option("--access-key", o.access_key_id, "Access key id");
  cmd->add_option("--secret-key", o.secret_access_key, "Secret access key");
}

void Fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(1);
}

AwsClient ClientOrExit(const ClientOptions& options) {
  auto resolved = ResolveClientOptions(options);
  if (!resolved.ok()) Fail(resolved.status().message());
  return AwsClient(*resolved);
}

std::string PrettyJson(const json::value& v, int indent) {
  std::string pad(static_cast<size_t>(indent + 2), ' ');
  std::string close(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) return "{}";
    std::string out = "{\n";
    size_t i = 0;
    for (const auto& [k, val] : o) {
      out += pad + json::serialize(json::value(k)) + ": " + PrettyJson(val, indent + 2);
      out += ++i < o.size() ? ",\n" : "\n";
    }
    return out + close + "}";
  }
  if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.empty()) return "[]";
    std::string out = "[\n";
    for (size_t i = 0; i < a.size(); ++i) {
      out += pad + PrettyJson(a[i], indent + 2) + (i + 1 < a.size() ? ",\n" : "\n");
    }
    return out + close + "]";
  }
  return json::serialize(v);
}

int Main(int argc, char** argv) {
  CLI::App app{"Nimbus: a serverless cloud you run yourself"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "nimbus 0.1.0");
  AddServeCommand(app);
  AddFunctionCommands(app);
  AddLogsCommand(app);
  AddDeployCommands(app);
  AddDevCommand(app);
  AddBenchCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace nimbus::cli
