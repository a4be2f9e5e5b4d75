#include "cli/arguments.h"

#include <boost/json.hpp>
#include <filesystem>

#include "core/encoding.h"
#include "core/platform.h"
#include "core/strings.h"

namespace nimbus::cli {

void AddClientOptions(CLI::App* cmd, deploy::ClientOptions& o) {
  cmd->add_option("--endpoint", o.endpoint,
                  "AWS endpoint of the server (default: AWS_ENDPOINT_URL, "
                  "then the data dir's server.json)");
  cmd->add_option("--data-dir", o.data_dir,
                  "Local data directory to read the endpoint and key from")
      ->capture_default_str();
  cmd->add_option("--region", o.region,
                  "Region (default: AWS_REGION or " + std::string(kDefaultRegion) + ")");
  cmd->add_option("--access-key", o.access_key_id, "Access key id");
  cmd->add_option("--secret-key", o.secret_access_key, "Secret access key");
}

void AddServiceOptions(CLI::App* cmd, ServiceArgs& a) {
  cmd->add_option("--config,-c", a.config, "The service's serverless.yml")->capture_default_str();
  cmd->add_option("--stage,-s", a.stage, "Stage (default: provider.stage, else dev)");
}

void AddRootFlags(CLI::App* cmd, ServiceArgs& a) {
  cmd->add_flag("--root", a.root, "Serve this service's API at the gateway's root");
  cmd->add_flag("--no-root", a.no_root, "Do not serve this service at the gateway's root");
}

deploy::DeployOptions ToDeployOptions(const ServiceArgs& a) {
  deploy::DeployOptions o;
  o.config = a.config;
  o.stage = a.stage;
  if (a.root) o.root = true;
  if (a.no_root) o.root = false;
  return o;
}

void AddFunctionConfigOptions(CLI::App* cmd, FunctionArgs& a) {
  cmd->add_option("--runtime", a.runtime, "nodejs20.x, python3.12, provided.al2023, ...");
  cmd->add_option("--handler", a.handler, "Handler, e.g. index.handler");
  cmd->add_option("--memory", a.memory,
                  "Memory in MB (" + std::to_string(lambda_limits::kMinMemoryMb) + "-" +
                      std::to_string(lambda_limits::kMaxMemoryMb) + ")");
  cmd->add_option(
      "--timeout", a.timeout,
      "Timeout in seconds (1-" + std::to_string(lambda_limits::kMaxTimeoutSeconds) + ")");
  cmd->add_option("--env", a.env, "Environment variable KEY=VALUE (repeatable)");
  cmd->add_option("--description", a.description, "Description");
  auto* zip = cmd->add_option("--zip", a.zip, "Code as a zip file");
  auto* dir = cmd->add_option("--dir", a.dir, "Code as a folder (zipped for you)");
  zip->excludes(dir);
}

Result<json::object> EnvironmentFromPairs(const std::vector<std::string>& pairs) {
  json::object vars;
  for (const auto& p : pairs) {
    size_t eq = p.find('=');
    if (eq == std::string::npos) return InvalidArgument("--env takes KEY=VALUE, not " + p);
    vars[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return json::object{{"Variables", vars}};
}

namespace {

// The settings create and update share, where given: handler, memory,
// timeout, description and environment.
Status AddSettings(const FunctionArgs& a, json::object* body) {
  if (!a.handler.empty()) (*body)["Handler"] = a.handler;
  if (a.memory) (*body)["MemorySize"] = a.memory;
  if (a.timeout) (*body)["Timeout"] = a.timeout;
  if (!a.description.empty()) (*body)["Description"] = a.description;
  if (!a.env.empty()) {
    ASSIGN_OR_RETURN((*body)["Environment"], EnvironmentFromPairs(a.env));
  }
  return Status::Ok();
}

}  // namespace

Result<json::object> CreateFunctionRequest(const FunctionArgs& a, const std::string& role_arn,
                                           const std::string& zip) {
  json::object body{{"FunctionName", a.name},
                    {"Runtime", a.runtime},
                    {"Role", role_arn},
                    {"Code", {{"ZipFile", Base64Encode(zip)}}}};
  RETURN_IF_ERROR(AddSettings(a, &body));
  if (!a.network.empty()) body["Tags"] = {{"nimbus:network", a.network}};
  return body;
}

Result<json::object> UpdateConfigurationRequest(const FunctionArgs& a) {
  json::object body;
  if (!a.runtime.empty()) body["Runtime"] = a.runtime;
  RETURN_IF_ERROR(AddSettings(a, &body));
  return body;
}

Result<int64_t> ParseSince(const std::string& s) {
  if (s.empty()) return 0;
  long long n = 0;
  char unit = s.back();
  if (!ParseInt64(std::string_view(s).substr(0, s.size() - 1), &n)) {
    return InvalidArgument("bad --since " + s);
  }
  switch (unit) {
    case 's':
      return n * 1000;
    case 'm':
      return n * 60 * 1000;
    case 'h':
      return n * 3600 * 1000;
    case 'd':
      return n * 86400 * 1000;
  }
  return InvalidArgument("--since takes a number with s, m, h or d: " + s);
}

std::vector<net::Header> ParseHeaders(const std::vector<std::string>& lines) {
  std::vector<net::Header> out;
  for (const auto& h : lines) {
    size_t colon = h.find(':');
    if (colon != std::string::npos) {
      out.push_back({h.substr(0, colon), std::string(Trim(h.substr(colon + 1)))});
    }
  }
  return out;
}

DevPaths ResolveDevPaths(const std::string& dir_arg, const std::string& config,
                         const std::string& data_dir) {
  std::error_code ec;
  DevPaths p;
  p.dir = std::filesystem::absolute(dir_arg, ec).lexically_normal().string();
  while (p.dir.size() > 1 && p.dir.ends_with('/')) p.dir.pop_back();
  p.config = config.starts_with("/") ? config : p.dir + "/" + config;
  p.data_dir = data_dir == ".nimbus" ? p.dir + "/.nimbus" : data_dir;
  return p;
}

}  // namespace nimbus::cli
