// `nimbus function create|update|delete|list|get` and `nimbus invoke`:
// Lambda API calls, made the way the AWS CLI makes them.
#include <unistd.h>

#include <chrono>
#include <thread>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "cli/iam_client.h"
#include "cli/zip_dir.h"
#include "core/encoding.h"
#include "core/fs.h"
#include "core/strings.h"

namespace nimbus::cli {
namespace {

struct FunctionArgs {
  std::string name, runtime, handler, zip, dir, role;  // no role: DefaultRole()
  std::string description, network;
  int memory = 0, timeout = 0;
  std::vector<std::string> env;
};

std::string ReadCode(const FunctionArgs& a) {
  if (!a.zip.empty()) {
    auto data = ReadFile(a.zip);
    if (!data.ok()) Fail(data.status().message());
    return *data;
  }
  auto data = ZipDirectory(a.dir);
  if (!data.ok()) Fail(data.status().message());
  return *data;
}

json::object Environment(const std::vector<std::string>& pairs) {
  json::object vars;
  for (const auto& p : pairs) {
    size_t eq = p.find('=');
    if (eq == std::string::npos) Fail("--env takes KEY=VALUE, not " + p);
    vars[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return json::object{{"Variables", vars}};
}

std::string FunctionPath(const std::string& name) {
  return "/2015-03-31/functions/" + UriEncode(name, false);
}

void AddConfigOptions(CLI::App* cmd, FunctionArgs& a) {
  cmd->add_option("--runtime", a.runtime, "nodejs20.x, python3.12, provided.al2023, ...");
  cmd->add_option("--handler", a.handler, "Handler, e.g. index.handler");
  cmd->add_option("--memory", a.memory, "Memory in MB (128-10240)");
  cmd->add_option("--timeout", a.timeout, "Timeout in seconds (1-900)");
  cmd->add_option("--env", a.env, "Environment variable KEY=VALUE (repeatable)");
  cmd->add_option("--description", a.description, "Description");
  auto* zip = cmd->add_option("--zip", a.zip, "Code as a zip file");
  auto* dir = cmd->add_option("--dir", a.dir, "Code as a folder (zipped for you)");
  zip->excludes(dir);
}

// The role of a function created without --role: "lambda", which Lambda may
// assume. When the account has none, it is created with only what
// AWSLambdaBasicExecutionRole allows (writing the function's logs), as the
// Lambda console's default role does; give --role for more.
std::string DefaultRole(AwsClient& client) {
  constexpr const char* kName = "lambda";
  IamClient iam(client);
  auto role = iam.GetRole(kName);
  if (!role.ok()) Fail(role.status().message());
  if (*role) return (*role)->arn;
  CreateRoleArgs args;
  args.name = kName;
  args.trust_policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
      R"("Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
  args.description = "The execution role of functions created without --role";
  auto created = iam.CreateRole(args);
  if (!created.ok()) Fail(created.status().message());
  Status attached = iam.AttachRolePolicy(
      kName, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
  if (!attached.ok()) Fail(attached.message());
  std::fprintf(stderr, "created the role %s (AWSLambdaBasicExecutionRole) for functions made "
                       "without --role\n", created->arn.c_str());
  return created->arn;
}

void CreateFunction(const ClientOptions& co, const FunctionArgs& a) {
  if (a.zip.empty() && a.dir.empty()) Fail("give the code with --zip FILE or --dir FOLDER");
  if (a.runtime.empty()) Fail("--runtime is required");
  auto client = ClientOrExit(co);
  std::string role = a.role.empty() ? DefaultRole(client) : a.role;
  json::object body{{"FunctionName", a.name}, {"Runtime", a.runtime}, {"Role", role},
                    {"Code", {{"ZipFile", Base64Encode(ReadCode(a))}}}};
  if (!a.handler.empty()) body["Handler"] = a.handler;
  if (a.memory) body["MemorySize"] = a.memory;
  if (a.timeout) body["Timeout"] = a.timeout;
  if (!a.description.empty()) body["Description"] = a.description;
  if (!a.env.empty()) body["Environment"] = Environment(a.env);
  if (!a.network.empty()) body["Tags"] = {{"nimbus:network", a.network}};
  auto r = client.CallJson("lambda", "POST", "/2015-03-31/functions",
                           {{"Content-Type", "application/json"}}, json::serialize(body));
  if (!r.ok()) Fail(r.status().message());
  std::printf("%s\n", PrettyJson(*r).c_str());
}

void UpdateFunction(const ClientOptions& co, const FunctionArgs& a) {
  auto client = ClientOrExit(co);
  bool did = false;
  if (!a.zip.empty() || !a.dir.empty()) {
    json::object body{{"ZipFile", Base64Encode(ReadCode(a))}};
    auto r = client.CallJson("lambda", "PUT", FunctionPath(a.name) + "/code",
                             {{"Content-Type", "application/json"}}, json::serialize(body));
    if (!r.ok()) Fail(r.status().message());
    if (a.runtime.empty() && a.handler.empty() && !a.memory && !a.timeout && a.env.empty() &&
        a.description.empty()) {
      std::printf("%s\n", PrettyJson(*r).c_str());
    }
    did = true;
  }
  json::object body;
  if (!a.runtime.empty()) body["Runtime"] = a.runtime;
  if (!a.handler.empty()) body["Handler"] = a.handler;
  if (a.memory) body["MemorySize"] = a.memory;
  if (a.timeout) body["Timeout"] = a.timeout;
  if (!a.description.empty()) body["Description"] = a.description;
  if (!a.env.empty()) body["Environment"] = Environment(a.env);
  if (!body.empty()) {
    auto r = client.CallJson("lambda", "PUT", FunctionPath(a.name) + "/configuration",
                             {{"Content-Type", "application/json"}}, json::serialize(body));
    if (!r.ok()) Fail(r.status().message());
    std::printf("%s\n", PrettyJson(*r).c_str());
    did = true;
  }
  if (!did) Fail("nothing to update: give --zip/--dir and/or configuration options");
}

void Invoke(const ClientOptions& co, const std::string& name, std::string payload, bool log,
            bool event) {
  if (!payload.empty() && payload[0] == '@') {
    auto data = ReadFile(payload.substr(1));
    if (!data.ok()) Fail(data.status().message());
    payload = *data;
  }
  auto client = ClientOrExit(co);
  std::vector<net::Header> headers = {{"Content-Type", "application/json"}};
  if (log) headers.push_back({"X-Amz-Log-Type", "Tail"});
  if (event) headers.push_back({"X-Amz-Invocation-Type", "Event"});
  auto r = client.Call("lambda", "POST", FunctionPath(name) + "/invocations", headers, payload);
  if (!r.ok()) Fail(r.status().message());
  if (r->status >= 300) Fail(DescribeAwsError(*r));
  if (log) {
    if (const std::string* tail = r->Header("X-Amz-Log-Result")) {
      auto decoded = Base64Decode(*tail);
      if (decoded) std::fprintf(stderr, "%s", decoded->c_str());
    }
  }
  if (event) {
    std::printf("accepted (%d)\n", r->status);
    return;
  }
  std::fwrite(r->body.data(), 1, r->body.size(), stdout);
  std::printf("\n");
  if (r->Header("X-Amz-Function-Error") != nullptr) std::exit(2);
}

void List(const ClientOptions& co) {
  auto client = ClientOrExit(co);
  std::string marker;
  std::printf("%-40s %-16s %7s %8s  %s\n", "NAME", "RUNTIME", "MEMORY", "TIMEOUT", "LAST MODIFIED");
  while (true) {
    std::string target = "/2015-03-31/functions/";
    if (!marker.empty()) target += "?Marker=" + UriEncode(marker, false);
    auto r = client.CallJson("lambda", "GET", target, {}, "");
    if (!r.ok()) Fail(r.status().message());
    for (const auto& f : r->at("Functions").as_array()) {
      const auto& o = f.as_object();
      std::printf("%-40s %-16s %7lld %8lld  %s\n", o.at("FunctionName").as_string().c_str(),
                  o.at("Runtime").as_string().c_str(),
                  static_cast<long long>(o.at("MemorySize").to_number<int64_t>()),
                  static_cast<long long>(o.at("Timeout").to_number<int64_t>()),
                  o.at("LastModified").as_string().c_str());
    }
    auto* next = r->as_object().if_contains("NextMarker");
    if (next == nullptr || !next->is_string()) break;
    marker = std::string(next->get_string());
  }
}

}  // namespace

void AddFunctionCommands(CLI::App& app) {
  auto co = std::make_shared<ClientOptions>();
  auto fa = std::make_shared<FunctionArgs>();
  CLI::App* fn = app.add_subcommand("function", "Create, update, delete, list and read functions");
  fn->require_subcommand(1);

  CLI::App* create = fn->add_subcommand("create", "Create a function from a folder or a zip");
  create->add_option("name", fa->name, "Function name")->required();
  AddConfigOptions(create, *fa);
  create->add_option("--role", fa->role,
                     "Execution role ARN (default: the role \"lambda\", created with "
                     "AWSLambdaBasicExecutionRole when missing)");
  create->add_option("--network", fa->network, "Network of its instances: none or host")
      ->check(CLI::IsMember({"none", "host"}));
  AddClientOptions(create, *co);
  create->callback([co, fa] { CreateFunction(*co, *fa); });

  CLI::App* update = fn->add_subcommand("update", "Update a function's code and/or configuration");
  update->add_option("name", fa->name, "Function name")->required();
  AddConfigOptions(update, *fa);
  AddClientOptions(update, *co);
  update->callback([co, fa] { UpdateFunction(*co, *fa); });

  CLI::App* del = fn->add_subcommand("delete", "Delete a function");
  del->add_option("name", fa->name, "Function name")->required();
  AddClientOptions(del, *co);
  del->callback([co, fa] {
    auto client = ClientOrExit(*co);
    auto r = client.CallJson("lambda", "DELETE", FunctionPath(fa->name), {}, "");
    if (!r.ok()) Fail(r.status().message());
    std::printf("deleted %s\n", fa->name.c_str());
  });

  CLI::App* list = fn->add_subcommand("list", "List functions");
  AddClientOptions(list, *co);
  list->callback([co] { List(*co); });

  CLI::App* get = fn->add_subcommand("get", "Show a function's configuration");
  get->add_option("name", fa->name, "Function name")->required();
  AddClientOptions(get, *co);
  get->callback([co, fa] {
    auto client = ClientOrExit(*co);
    auto r = client.CallJson("lambda", "GET", FunctionPath(fa->name), {}, "");
    if (!r.ok()) Fail(r.status().message());
    std::printf("%s\n", PrettyJson(*r).c_str());
  });

  auto payload = std::make_shared<std::string>("{}");
  auto log = std::make_shared<bool>(false);
  auto event = std::make_shared<bool>(false);
  auto name = std::make_shared<std::string>();
  CLI::App* invoke = app.add_subcommand("invoke", "Invoke a function and print its result");
  auto key = std::make_shared<std::string>();
  auto config = std::make_shared<std::string>("serverless.yml");
  auto stage = std::make_shared<std::string>();
  invoke->add_option("name", *name, "Function name");
  invoke->add_option("--function,-f", *key, "The function's key in serverless.yml (instead of NAME)");
  invoke->add_option("--config,-c", *config, "The service's serverless.yml (with -f)")->capture_default_str();
  invoke->add_option("--stage,-s", *stage, "Stage (with -f)");
  invoke->add_option("--payload,-p,--data,-d", *payload, "Event as JSON, or @file")->capture_default_str();
  invoke->add_flag("--log,-l", *log, "Print the invocation's log tail to stderr");
  invoke->add_flag("--event", *event, "Invoke asynchronously (InvocationType Event)");
  AddClientOptions(invoke, *co);
  invoke->callback([=] {
    Invoke(*co, ResolveFunctionName(*name, *key, *config, *stage), *payload, *log, *event);
  });
}

}  // namespace nimbus::cli
