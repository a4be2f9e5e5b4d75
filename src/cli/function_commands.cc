// `nimbus function create|update|delete|list|get` and `nimbus invoke`:
// Lambda API calls, made the way the AWS CLI makes them.
#include <unistd.h>

#include <chrono>
#include <thread>

#include <boost/json.hpp>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/encoding.h"
#include "core/fs.h"
#include "core/strings.h"
#include "deploy/iam_client.h"
#include "deploy/naming.h"
#include "manifest/package_zip.h"

namespace nimbus::cli {
namespace {

const std::vector<net::Header> kJson = {{"Content-Type", "application/json"}};

std::string ReadCode(const FunctionArgs& a) {
  if (!a.zip.empty()) return ValueOrFail(ReadFile(a.zip));
  return ValueOrFail(manifest::ZipFolder(a.dir));
}

// The role of a function created without --role: "lambda", which Lambda may
// assume. When the account has none, it is created with only what
// AWSLambdaBasicExecutionRole allows (writing the function's logs), as the
// Lambda console's default role does; give --role for more.
std::string DefaultRole(deploy::AwsClient& client) {
  constexpr const char* kName = "lambda";
  deploy::IamClient iam(client);
  auto role = iam.GetRole(kName);
  if (!role.ok()) Fail(role.status().message());
  if (*role) return (*role)->arn;
  deploy::CreateRoleArgs args;
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

void CreateFunction(const deploy::ClientOptions& co, const FunctionArgs& a) {
  if (a.zip.empty() && a.dir.empty()) Fail("give the code with --zip FILE or --dir FOLDER");
  if (a.runtime.empty()) Fail("--runtime is required");
  ValueOrFail(EnvironmentFromPairs(a.env));  // before anything is made
  auto client = ClientOrExit(co);
  std::string role = a.role.empty() ? DefaultRole(client) : a.role;
  json::object body = ValueOrFail(CreateFunctionRequest(a, role, ReadCode(a)));
  json::value r = ValueOrFail(client.CallJson("lambda", "POST", "/2015-03-31/functions", kJson,
                                              json::serialize(body)));
  std::printf("%s\n", PrettyJson(r).c_str());
}

void UpdateFunction(const deploy::ClientOptions& co, const FunctionArgs& a) {
  json::object config = ValueOrFail(UpdateConfigurationRequest(a));
  auto client = ClientOrExit(co);
  const std::string path = deploy::LambdaFunctionPath(a.name);
  bool did = false;
  if (!a.zip.empty() || !a.dir.empty()) {
    json::object body{{"ZipFile", Base64Encode(ReadCode(a))}};
    json::value r = ValueOrFail(client.CallJson("lambda", "PUT", path + "/code", kJson,
                                                json::serialize(body)));
    if (config.empty()) std::printf("%s\n", PrettyJson(r).c_str());
    did = true;
  }
  if (!config.empty()) {
    json::value r = ValueOrFail(client.CallJson("lambda", "PUT", path + "/configuration", kJson,
                                                json::serialize(config)));
    std::printf("%s\n", PrettyJson(r).c_str());
    did = true;
  }
  if (!did) Fail("nothing to update: give --zip/--dir and/or configuration options");
}

void Invoke(const deploy::ClientOptions& co, const std::string& name, std::string payload, bool log,
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
  auto r = client.Call("lambda", "POST", deploy::LambdaFunctionPath(name) + "/invocations", headers,
                       payload);
  if (!r.ok()) Fail(r.status().message());
  if (r->status >= 300) Fail(deploy::DescribeAwsError(*r));
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

void List(const deploy::ClientOptions& co) {
  auto client = ClientOrExit(co);
  std::string marker;
  std::fputs(FunctionListHeader().c_str(), stdout);
  while (true) {
    std::string target = "/2015-03-31/functions/";
    if (!marker.empty()) target += "?Marker=" + UriEncode(marker, false);
    json::value r = ValueOrFail(client.CallJson("lambda", "GET", target, {}, ""));
    for (const auto& f : r.at("Functions").as_array()) {
      std::fputs(FormatFunctionRow(f.as_object()).c_str(), stdout);
    }
    auto* next = r.as_object().if_contains("NextMarker");
    if (next == nullptr || !next->is_string()) break;
    marker = std::string(next->get_string());
  }
}

}  // namespace

void AddFunctionCommands(CLI::App& app) {
  auto co = std::make_shared<deploy::ClientOptions>();
  auto fa = std::make_shared<FunctionArgs>();
  CLI::App* fn = app.add_subcommand("function", "Create, update, delete, list and read functions");
  fn->require_subcommand(1);

  CLI::App* create = fn->add_subcommand("create", "Create a function from a folder or a zip");
  create->add_option("name", fa->name, "Function name")->required();
  AddFunctionConfigOptions(create, *fa);
  create->add_option("--role", fa->role,
                     "Execution role ARN (default: the role \"lambda\", created with "
                     "AWSLambdaBasicExecutionRole when missing)");
  create->add_option("--network", fa->network, "Network of its instances: none or host")
      ->check(CLI::IsMember({"none", "host"}));
  AddClientOptions(create, *co);
  create->callback([co, fa] { CreateFunction(*co, *fa); });

  CLI::App* update = fn->add_subcommand("update", "Update a function's code and/or configuration");
  update->add_option("name", fa->name, "Function name")->required();
  AddFunctionConfigOptions(update, *fa);
  AddClientOptions(update, *co);
  update->callback([co, fa] { UpdateFunction(*co, *fa); });

  CLI::App* del = fn->add_subcommand("delete", "Delete a function");
  del->add_option("name", fa->name, "Function name")->required();
  AddClientOptions(del, *co);
  del->callback([co, fa] {
    auto client = ClientOrExit(*co);
    auto r = client.CallJson("lambda", "DELETE", deploy::LambdaFunctionPath(fa->name), {}, "");
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
    auto r = client.CallJson("lambda", "GET", deploy::LambdaFunctionPath(fa->name), {}, "");
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
