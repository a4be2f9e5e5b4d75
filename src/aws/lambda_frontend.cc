#include "aws/lambda_frontend.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "aws/access.h"
#include "core/encoding.h"
#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "runtime/instance_spec.h"

namespace nimbus::aws {
namespace {

constexpr size_t kMaxSyncPayload = 6291456;   // 6 MB
constexpr size_t kMaxAsyncPayload = 1048576;  // 1 MB

json::object ConfigJson(const functions::FunctionConfig& c, const std::string& arn) {
  json::object o;
  o["FunctionName"] = c.name;
  o["FunctionArn"] = arn;
  o["Runtime"] = c.runtime;
  o["Role"] = c.role;
  o["Handler"] = c.handler;
  o["CodeSize"] = c.code_size;
  o["Description"] = c.description;
  o["Timeout"] = c.timeout_s;
  o["MemorySize"] = c.memory_mb;
  o["LastModified"] = FormatLambdaTime(c.last_modified_ms);
  o["CodeSha256"] = c.code_sha256_base64;
  o["Version"] = "$LATEST";
  if (!c.environment.empty()) {
    json::object vars;
    for (const auto& [k, v] : c.environment) vars[k] = v;
    o["Environment"] = {{"Variables", vars}};
  }
  o["TracingConfig"] = {{"Mode", c.tracing_mode}};
  if (!c.dead_letter_target.empty()) o["DeadLetterConfig"] = {{"TargetArn", c.dead_letter_target}};
  o["RevisionId"] = c.revision_id;
  o["State"] = "Active";
  o["LastUpdateStatus"] = "Successful";
  o["PackageType"] = "Zip";
  o["Architectures"] = json::array{json::value(c.architecture)};
  o["EphemeralStorage"] = {{"Size", c.ephemeral_mb}};
  o["SnapStart"] = {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}};
  o["LoggingConfig"] = {{"LogFormat", "Text"}, {"LogGroup", runtime::LogGroupName(c.name)}};
  if (c.max_concurrency > 1) {
    o["CapacityProviderConfig"] = {
        {"LambdaManagedInstancesCapacityProviderConfig",
         {{"PerExecutionEnvironmentMaxConcurrency", c.max_concurrency}}}};
  }
  return o;
}

AwsError Invalid(std::string message) {
  return {400, "InvalidParameterValueException", std::move(message)};
}

AwsError BadContent(std::string detail) {
  return {400, "InvalidRequestContentException",
          "Could not parse request body into json: " + std::move(detail)};
}

// Reads a non-negative integer member into `out` when present.
std::optional<AwsError> ReadUint(const JsonObjectReader& r, const char* key,
                                 std::optional<uint32_t>* out) {
  auto v = r.Int(key);
  if (!v.ok()) return BadContent(v.status().message());
  if (!v->has_value()) return std::nullopt;
  if (**v < 0 || **v > INT32_MAX) {
    return Invalid("1 validation error detected: Value '" + std::to_string(**v) + "' at '" +
                   ToLower(std::string(1, key[0])) + std::string(key + 1) +
                   "' failed to satisfy constraint: Member must have value greater than or equal "
                   "to 0");
  }
  *out = static_cast<uint32_t>(**v);
  return std::nullopt;
}

std::optional<AwsError> ReadEnvironment(const JsonObjectReader& r,
                                        std::optional<std::map<std::string, std::string>>* out) {
  auto env = r.Object("Environment");
  if (!env.ok()) return BadContent(env.status().message());
  if (*env == nullptr) return std::nullopt;
  JsonObjectReader er(**env, "Environment");
  auto vars = er.Object("Variables");
  if (!vars.ok()) return BadContent(vars.status().message());
  std::map<std::string, std::string> m;
  if (*vars != nullptr) {
    for (const auto& [k, v] : **vars) {
      if (!v.is_string()) return BadContent("Environment.Variables values must be strings");
      m[std::string(k)] = std::string(v.get_string());
    }
  }
  *out = std::move(m);
  return std::nullopt;
}

// CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig: Nimbus
// has no capacity providers to choose between (the ARN is accepted and not
// kept) but honours PerExecutionEnvironmentMaxConcurrency.
std::optional<AwsError> ReadCapacityProvider(const JsonObjectReader& r,
                                             std::optional<uint32_t>* max_concurrency) {
  auto cp = r.Object("CapacityProviderConfig");
  if (!cp.ok()) return BadContent(cp.status().message());
  if (*cp == nullptr) return std::nullopt;
  JsonObjectReader cr(**cp, "CapacityProviderConfig");
  auto mi = cr.Object("LambdaManagedInstancesCapacityProviderConfig");
  if (!mi.ok()) return BadContent(mi.status().message());
  if (*mi == nullptr) return std::nullopt;
  JsonObjectReader mr(**mi, "LambdaManagedInstancesCapacityProviderConfig");
  if (auto e = ReadUint(mr, "PerExecutionEnvironmentMaxConcurrency", max_concurrency)) return e;
  if (!*max_concurrency) *max_concurrency = 64;  // Lambda's default for Node.js
  return std::nullopt;
}

std::optional<AwsError> ReadString(const JsonObjectReader& r, const char* key,
                                   std::optional<std::string>* out) {
  auto v = r.String(key);
  if (!v.ok()) return BadContent(v.status().message());
  *out = std::move(*v);
  return std::nullopt;
}

struct Route {
  std::string op;
  std::string name;  // decoded FunctionName path member
};

Route Match(const net::HttpRequest& req) {
  std::string_view path = req.path;
  auto parts = Split(path, '/');  // "", "2015-03-31", "functions", name, action
  const std::string& m = req.method;
  if (parts.size() >= 3 && parts[1] == "2015-03-31" && parts[2] == "functions") {
    if (parts.size() == 3 || (parts.size() == 4 && parts[3].empty())) {
      if (m == "POST") return {"CreateFunction", ""};
      if (m == "GET") return {"ListFunctions", ""};
    }
    if (parts.size() >= 4 && !parts[3].empty()) {
      std::string name = PercentDecode(parts[3]);
      std::string_view action = parts.size() >= 5 ? parts[4] : "";
      if (parts.size() == 4) {
        if (m == "GET") return {"GetFunction", name};
        if (m == "DELETE") return {"DeleteFunction", name};
      } else if (parts.size() == 5) {
        if (action == "configuration" && m == "GET") return {"GetFunctionConfiguration", name};
        if (action == "configuration" && m == "PUT") return {"UpdateFunctionConfiguration", name};
        if (action == "code" && m == "PUT") return {"UpdateFunctionCode", name};
        if (action == "invocations" && m == "POST") return {"Invoke", name};
      }
      return {"Unsupported:" + std::string(action), name};
    }
  }
  // Reserved concurrency: PUT and DELETE under 2017-10-31, GET under 2019-09-30.
  if (parts.size() == 5 && parts[2] == "functions" && parts[4] == "concurrency" &&
      !parts[3].empty()) {
    std::string name = PercentDecode(parts[3]);
    if (parts[1] == "2017-10-31" && m == "PUT") return {"PutFunctionConcurrency", name};
    if (parts[1] == "2017-10-31" && m == "DELETE") return {"DeleteFunctionConcurrency", name};
    if (parts[1] == "2019-09-30" && m == "GET") return {"GetFunctionConcurrency", name};
  }
  if (path.starts_with("/2016-08-19/account-settings") && m == "GET") return {"GetAccountSettings", ""};
  if (path.starts_with("/2017-03-31/tags/") && m == "GET") {
    return {"ListTags", PercentDecode(path.substr(17))};
  }
  return {"Unsupported", ""};
}

}  // namespace

AwsError LambdaError(const Status& s) {
  switch (s.code()) {
    case Code::kInvalidArgument: return {400, "InvalidParameterValueException", s.message()};
    case Code::kNotFound: return {404, "ResourceNotFoundException", s.message()};
    case Code::kAlreadyExists:
    case Code::kConflict: return {409, "ResourceConflictException", s.message()};
    case Code::kFailedPrecondition: return {412, "PreconditionFailedException", s.message()};
    case Code::kTooLarge: return {413, "RequestTooLargeException", s.message()};
    case Code::kResourceExhausted:
      return {429, "TooManyRequestsException", s.message(),
              {{"Reason", s.reason().empty() ? "ConcurrentInvocationLimitExceeded" : s.reason()}},
              {{"Retry-After", "1"}}};
    case Code::kUnauthenticated: return {403, "UnrecognizedClientException", s.message()};
    case Code::kPermissionDenied: return {403, "AccessDeniedException", s.message()};
    case Code::kUnavailable: return {503, "ServiceException", s.message()};
    default: return {500, "ServiceException", s.message()};
  }
}

LambdaFrontend::LambdaFrontend(functions::FunctionService& functions, CodeUrlFn code_url,
                               int account_concurrency, iam::IamService* iam,
                               bool accept_unknown_roles)
    : functions_(functions), code_url_(std::move(code_url)),
      account_concurrency_(account_concurrency), iam_(iam),
      accept_unknown_roles_(accept_unknown_roles) {}

std::optional<AwsError> LambdaFrontend::CheckRole(const std::string& role) const {
  if (iam_ == nullptr || iam_->TrustsService(role, "lambda.amazonaws.com")) return std::nullopt;
  if (accept_unknown_roles_ && !iam_->GetRoleByArn(role).ok()) {
    spdlog::warn("the role {} is unknown to Nimbus: accepted (--dev-credentials); the function's "
                 "credentials may write its own logs and nothing else until the role exists",
                 role);
    return std::nullopt;
  }
  return Invalid("The role defined for the function cannot be assumed by Lambda.");
}

std::string LambdaFrontend::ResourceArn(const std::string& name,
                                        const net::HttpRequest& req) const {
  auto ref = functions::ParseFunctionRef(name);
  if (!ref.ok()) return functions_.FunctionArn(name);
  std::string qualifier = ref->qualifier;
  if (auto q = req.Query("Qualifier"); q && qualifier.empty() && *q != "$LATEST") qualifier = *q;
  std::string arn = functions_.FunctionArn(ref->name);
  return qualifier.empty() ? arn : arn + ":" + qualifier;
}

namespace {

// The IAM action of each Lambda operation.
std::string LambdaAction(const std::string& op) {
  if (op == "Invoke") return "lambda:InvokeFunction";
  return "lambda:" + op;
}

// Tags that change how Nimbus isolates a function: an administrator's
// setting, never settable with a function's credentials.
bool SetsIsolation(const json::object& body) {
  const json::value* tags = body.if_contains("Tags");
  return tags && tags->is_object() && tags->get_object().contains("nimbus:network");
}

}  // namespace

void LambdaFrontend::Handle(net::HttpRequest&& req, const RequestContext& ctx,
                            net::Responder respond) {
  const std::string& rid = ctx.request_id;
  auto fail = [&](const AwsError& e) { respond(RenderError(Protocol::kRestJson, e, rid)); };
  auto ok = [&](int status, const json::value& v) {
    respond(JsonResponse(status, json::serialize(v), rid));
  };
  auto no_content = [&] {
    net::HttpResponse r;
    r.status = 204;
    r.headers.push_back({"x-amzn-RequestId", rid});
    respond(std::move(r));
  };
  Route route = Match(req);
  // Every operation but CreateFunction (whose function is named in the
  // body) is authorised here, before anything is read or changed.
  // The account's keys may do everything: only an instance's calls pay for
  // building the action and the ARN.
  if (ctx.is_instance() && route.op != "CreateFunction" && !route.op.starts_with("Unsupported")) {
    std::string resource = route.name.empty() ? "*" : ResourceArn(route.name, req);
    if (auto denied = ctx.Authorize(LambdaAction(route.op), resource)) return fail(*denied);
  }
  if (route.op == "Invoke") {
    Invoke(std::move(req), ctx, route.name, std::move(respond));
    return;
  }
  if (req.body_too_large) {
    return fail({413, "RequestTooLargeException",
                 "Request must be smaller than 69905067 bytes for the " + route.op + " operation"});
  }
  auto parse_ref = [&](const std::string& name) -> Result<functions::FunctionRef> {
    ASSIGN_OR_RETURN(auto ref, functions::ParseFunctionRef(name));
    if (auto q = req.Query("Qualifier")) {
      std::string qual = *q == "$LATEST" ? "" : *q;
      if (!ref.qualifier.empty() && ref.qualifier != qual) {
        return InvalidArgument("The derived qualifier from the function name does not match the "
                               "specified qualifier.");
      }
      ref.qualifier = qual;
    }
    return ref;
  };
  // Operations with a JSON body.
  json::object body;
  if (route.op == "CreateFunction" || route.op == "UpdateFunctionCode" ||
      route.op == "UpdateFunctionConfiguration" || route.op == "PutFunctionConcurrency") {
    auto parsed = ParseJson(req.body.empty() ? std::string_view("{}") : req.body);
    if (!parsed.ok()) return fail(BadContent(parsed.status().message()));
    if (!parsed->is_object()) return fail(BadContent("the request body must be a JSON object"));
    body = std::move(parsed->get_object());
  }
  JsonObjectReader r(body);

  if (route.op == "CreateFunction") {
    functions::FunctionConfig c;
    std::optional<std::string> name, role, runtime, handler, description, package;
    for (auto [key, out] : {std::pair{"FunctionName", &name}, {"Role", &role}, {"Runtime", &runtime},
                            {"Handler", &handler}, {"Description", &description},
                            {"PackageType", &package}}) {
      if (auto e = ReadString(r, key, out)) return fail(*e);
    }
    if (!name) return fail(Invalid("FunctionName is required"));
    if (!role) return fail(Invalid("Role is required"));
    if (auto denied = ctx.Authorize("lambda:CreateFunction", ResourceArn(*name, req))) {
      return fail(*denied);
    }
    if (auto denied = ctx.Authorize("iam:PassRole", *role)) return fail(*denied);
    if (ctx.is_instance() && SetsIsolation(body)) {
      return fail(ctx.access->Denied(ctx.principal, ctx.service, "lambda:TagResource",
                                     ResourceArn(*name, req), true));
    }
    if (auto bad = CheckRole(*role)) return fail(*bad);
    if (package && *package == "Image") {
      return fail(Invalid("Nimbus runs Zip functions only: container image functions "
                          "(PackageType Image) are not supported"));
    }
    c.name = *name;
    c.role = *role;
    c.runtime = runtime.value_or("");
    c.handler = handler.value_or("");
    c.description = description.value_or("");
    std::optional<uint32_t> timeout, memory;
    if (auto e = ReadUint(r, "Timeout", &timeout)) return fail(*e);
    if (auto e = ReadUint(r, "MemorySize", &memory)) return fail(*e);
    c.timeout_s = timeout.value_or(3);
    c.memory_mb = memory.value_or(128);
    std::optional<uint32_t> max_concurrency;
    if (auto e = ReadCapacityProvider(r, &max_concurrency)) return fail(*e);
    c.max_concurrency = max_concurrency.value_or(1);
    std::optional<std::map<std::string, std::string>> env;
    if (auto e = ReadEnvironment(r, &env)) return fail(*e);
    if (env) c.environment = *env;
    if (auto eph = r.Object("EphemeralStorage"); eph.ok() && *eph) {
      std::optional<uint32_t> size;
      if (auto e = ReadUint(JsonObjectReader(**eph, "EphemeralStorage"), "Size", &size)) return fail(*e);
      c.ephemeral_mb = size.value_or(512);
    }
    if (auto tc = r.Object("TracingConfig"); tc.ok() && *tc) {
      auto mode = JsonObjectReader(**tc).String("Mode");
      if (mode.ok() && *mode) c.tracing_mode = **mode;
    }
    if (auto dl = r.Object("DeadLetterConfig"); dl.ok() && *dl) {
      auto t = JsonObjectReader(**dl).String("TargetArn");
      if (t.ok() && *t) c.dead_letter_target = **t;
    }
    if (auto archs = r.Array("Architectures"); archs.ok() && *archs) {
      if ((*archs)->size() != 1 || !(**archs)[0].is_string()) {
        return fail(Invalid("1 validation error detected: Value at 'architectures' failed to "
                            "satisfy constraint: Member must have length less than or equal to 1"));
      }
      c.architecture = std::string((**archs)[0].get_string());
    }
    if (auto layers = r.Array("Layers"); layers.ok() && *layers && !(*layers)->empty()) {
      return fail(Invalid("Layers are not supported by Nimbus yet: package dependencies in the "
                          "function's zip"));
    }
    if (auto tags = r.Object("Tags"); tags.ok() && *tags) {
      for (const auto& [k, v] : **tags) {
        if (v.is_string()) c.tags[std::string(k)] = std::string(v.get_string());
      }
    }
    auto code = r.Object("Code");
    if (!code.ok()) return fail(BadContent(code.status().message()));
    if (*code == nullptr) return fail(Invalid("Code is required"));
    JsonObjectReader cr(**code, "Code");
    auto zip_b64 = cr.String("ZipFile");
    if (!zip_b64.ok()) return fail(BadContent(zip_b64.status().message()));
    if (!*zip_b64) {
      if (cr.Has("S3Bucket") || cr.Has("ImageUri")) {
        return fail(Invalid("Nimbus takes function code as Code.ZipFile; S3 and image code "
                            "locations are not supported yet"));
      }
      return fail(Invalid("Please provide a source for function code."));
    }
    auto zip = Base64Decode(**zip_b64);
    if (!zip) return fail(BadContent("Code.ZipFile is not valid base64"));
    auto created = functions_.Create(std::move(c), *zip);
    if (!created.ok()) return fail(LambdaError(created.status()));
    return ok(201, ConfigJson(*created, functions_.FunctionArn(created->name)));
  }

  if (route.op == "ListFunctions") {
    int max_items = 50;
    if (auto m = req.Query("MaxItems")) {
      long long v = 0;
      if (!ParseInt64(*m, &v) || v < 1 || v > 10000) {
        return fail(Invalid("1 validation error detected: Value '" + *m +
                            "' at 'maxItems' failed to satisfy constraint: Member must have value "
                            "between 1 and 10000"));
      }
      max_items = static_cast<int>(v);
    }
    auto page = functions_.List(req.Query("Marker").value_or(""), max_items);
    if (!page.ok()) return fail(LambdaError(page.status()));
    json::array list;
    for (const auto& c : page->functions) list.push_back(ConfigJson(c, functions_.FunctionArn(c.name)));
    json::object out{{"Functions", list}};
    if (!page->next_marker.empty()) out["NextMarker"] = page->next_marker;
    return ok(200, out);
  }

  if (route.op == "GetAccountSettings") {
    auto page = functions_.List("", 10000);
    uint64_t total = 0;
    size_t count = 0;
    for (std::string marker;;) {
      auto p = functions_.List(marker, 50);
      if (!p.ok()) break;
      for (const auto& c : p->functions) total += c.code_size;
      count += p->functions.size();
      if (p->next_marker.empty()) break;
      marker = p->next_marker;
    }
    json::object limit{{"TotalCodeSize", 80530636800ull}, {"CodeSizeUnzipped", 262144000},
                       {"CodeSizeZipped", 52428800}, {"ConcurrentExecutions", account_concurrency_},
                       {"UnreservedConcurrentExecutions", account_concurrency_}};
    return ok(200, json::object{{"AccountLimit", limit},
                                {"AccountUsage", {{"TotalCodeSize", total}, {"FunctionCount", count}}}});
  }

  if (route.op == "ListTags") {
    auto ref = functions::ParseFunctionRef(route.name);
    if (!ref.ok()) return fail(LambdaError(ref.status()));
    auto c = functions_.Get(*ref);
    if (!c.ok()) return fail(LambdaError(c.status()));
    json::object tags;
    for (const auto& [k, v] : c->tags) tags[k] = v;
    return ok(200, json::object{{"Tags", tags}});
  }

  if (route.op.starts_with("Unsupported")) {
    return fail({404, "UnknownOperationException",
                 "Nimbus does not implement " + req.method + " " + req.path + " yet"});
  }

  auto ref = parse_ref(route.name);
  if (!ref.ok()) return fail(LambdaError(ref.status()));

  if (route.op == "GetFunction" || route.op == "GetFunctionConfiguration") {
    auto c = functions_.Get(*ref);
    if (!c.ok()) return fail(LambdaError(c.status()));
    json::object config = ConfigJson(*c, functions_.FunctionArn(c->name));
    if (route.op == "GetFunctionConfiguration") return ok(200, config);
    json::object out{{"Configuration", config},
                     {"Code", {{"RepositoryType", "S3"},
                               {"Location", code_url_(ctx.host, c->code_sha256_hex)}}}};
    if (!c->tags.empty()) {
      json::object tags;
      for (const auto& [k, v] : c->tags) tags[k] = v;
      out["Tags"] = tags;
    }
    if (c->reserved_concurrency >= 0) {
      out["Concurrency"] = {{"ReservedConcurrentExecutions", c->reserved_concurrency}};
    }
    return ok(200, out);
  }

  if (route.op == "DeleteFunction") {
    Status s = functions_.Delete(*ref);
    if (!s.ok()) return fail(LambdaError(s));
    return no_content();
  }

  if (route.op == "UpdateFunctionCode") {
    auto zip_b64 = r.String("ZipFile");
    if (!zip_b64.ok()) return fail(BadContent(zip_b64.status().message()));
    if (!*zip_b64) {
      if (r.Has("S3Bucket") || r.Has("ImageUri")) {
        return fail(Invalid("Nimbus takes function code as ZipFile; S3 and image code locations "
                            "are not supported yet"));
      }
      return fail(Invalid("Please provide a source for function code."));
    }
    auto zip = Base64Decode(**zip_b64);
    if (!zip) return fail(BadContent("ZipFile is not valid base64"));
    std::optional<std::string> revision;
    if (auto e = ReadString(r, "RevisionId", &revision)) return fail(*e);
    auto dry = r.Bool("DryRun");
    if (dry.ok() && dry->value_or(false)) {
      auto c = functions_.Get(*ref);
      if (!c.ok()) return fail(LambdaError(c.status()));
      return ok(200, ConfigJson(*c, functions_.FunctionArn(c->name)));
    }
    auto updated = functions_.UpdateCode(*ref, *zip, revision);
    if (!updated.ok()) return fail(LambdaError(updated.status()));
    return ok(200, ConfigJson(*updated, functions_.FunctionArn(updated->name)));
  }

  if (route.op == "PutFunctionConcurrency" || route.op == "DeleteFunctionConcurrency" ||
      route.op == "GetFunctionConcurrency") {
    if (route.op == "GetFunctionConcurrency") {
      auto c = functions_.Get(*ref);
      if (!c.ok()) return fail(LambdaError(c.status()));
      json::object out;
      if (c->reserved_concurrency >= 0)
        out["ReservedConcurrentExecutions"] = c->reserved_concurrency;
      return ok(200, out);
    }
    functions::ConfigUpdate u;
    if (route.op == "PutFunctionConcurrency") {
      std::optional<uint32_t> n;
      if (auto e = ReadUint(r, "ReservedConcurrentExecutions", &n)) return fail(*e);
      if (!n) return fail(Invalid("ReservedConcurrentExecutions is required"));
      u.reserved_concurrency = static_cast<int32_t>(*n);
    } else {
      u.reserved_concurrency = -1;
    }
    auto updated = functions_.UpdateConfiguration(*ref, u);
    if (!updated.ok()) return fail(LambdaError(updated.status()));
    if (route.op == "DeleteFunctionConcurrency") return no_content();
    return ok(200, json::object{{"ReservedConcurrentExecutions", updated->reserved_concurrency}});
  }

  if (route.op == "UpdateFunctionConfiguration") {
    functions::ConfigUpdate u;
    for (auto [key, out] : {std::pair{"Runtime", &u.runtime}, {"Role", &u.role},
                            {"Handler", &u.handler}, {"Description", &u.description},
                            {"RevisionId", &u.revision_id}}) {
      if (auto e = ReadString(r, key, out)) return fail(*e);
    }
    if (u.role) {
      if (auto denied = ctx.Authorize("iam:PassRole", *u.role)) return fail(*denied);
      if (auto bad = CheckRole(*u.role)) return fail(*bad);
    }
    if (auto e = ReadUint(r, "Timeout", &u.timeout_s)) return fail(*e);
    if (auto e = ReadUint(r, "MemorySize", &u.memory_mb)) return fail(*e);
    if (auto e = ReadCapacityProvider(r, &u.max_concurrency)) return fail(*e);
    if (auto e = ReadEnvironment(r, &u.environment)) return fail(*e);
    if (auto eph = r.Object("EphemeralStorage"); eph.ok() && *eph) {
      if (auto e = ReadUint(JsonObjectReader(**eph, "EphemeralStorage"), "Size", &u.ephemeral_mb)) {
        return fail(*e);
      }
    }
    if (auto tc = r.Object("TracingConfig"); tc.ok() && *tc) {
      auto mode = JsonObjectReader(**tc).String("Mode");
      if (mode.ok() && *mode) u.tracing_mode = **mode;
    }
    if (auto layers = r.Array("Layers"); layers.ok() && *layers && !(*layers)->empty()) {
      return fail(Invalid("Layers are not supported by Nimbus yet: package dependencies in the "
                          "function's zip"));
    }
    auto updated = functions_.UpdateConfiguration(*ref, u);
    if (!updated.ok()) return fail(LambdaError(updated.status()));
    return ok(200, ConfigJson(*updated, functions_.FunctionArn(updated->name)));
  }

  fail({404, "UnknownOperationException", "Nimbus does not implement " + route.op + " yet"});
}

void LambdaFrontend::Invoke(net::HttpRequest&& req, const RequestContext& ctx,
                            const std::string& name, net::Responder respond) {
  const std::string rid = ctx.request_id;
  auto fail = [&](const AwsError& e) { respond(RenderError(Protocol::kRestJson, e, rid)); };
  std::string type = req.HeaderOr("X-Amz-Invocation-Type", "RequestResponse");
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return fail(Invalid("1 validation error detected: Value '" + type +
                        "' at 'invocationType' failed to satisfy constraint: Member must satisfy "
                        "enum value set: [Event, RequestResponse, DryRun]"));
  }
  size_t limit = type == "Event" ? kMaxAsyncPayload : kMaxSyncPayload;
  if (req.body_too_large || req.body.size() > limit) {
    return fail({413, "RequestTooLargeException",
                 "Request must be smaller than " + std::to_string(limit) +
                     " bytes for the InvokeFunction operation"});
  }
  auto ref = functions::ParseFunctionRef(name);
  if (!ref.ok()) return fail(LambdaError(ref.status()));
  if (auto q = req.Query("Qualifier")) {
    std::string qual = *q == "$LATEST" ? "" : *q;
    if (!ref->qualifier.empty() && ref->qualifier != qual) {
      return fail(Invalid("The derived qualifier from the function name does not match the "
                          "specified qualifier."));
    }
    ref->qualifier = qual;
  }
  if (req.body.empty()) req.body = "{}";
  if (auto parsed = ParseJson(req.body); !parsed.ok()) {
    return fail({400, "InvalidRequestContentException",
                 "Could not parse request body into json: Could not parse payload into json: " +
                     parsed.status().message()});
  }
  std::string client_context;
  if (const std::string* cc = req.FindHeader("X-Amz-Client-Context")) {
    auto decoded = Base64Decode(*cc);
    if (cc->size() > 3583 || !decoded || !ParseJson(*decoded).ok()) {
      return fail(Invalid("Client context must be a valid Base64-encoded JSON object."));
    }
    client_context = std::move(*decoded);
  }
  if (type == "DryRun") {
    Status s = functions_.CheckInvocable(*ref);
    if (!s.ok()) return fail(LambdaError(s));
    net::HttpResponse r;
    r.status = 204;
    r.headers.push_back({"x-amzn-RequestId", rid});
    return respond(std::move(r));
  }
  functions::InvokeInput input;
  input.payload = std::move(req.body);
  input.client_context = std::move(client_context);
  input.trace_id = req.HeaderOr("X-Amzn-Trace-Id");
  if (type == "Event") {
    Status s = functions_.CheckInvocable(*ref);
    if (!s.ok()) return fail(LambdaError(s));
    functions_.Invoke(*ref, std::move(input), [](invoker::InvokeResult) {});
    net::HttpResponse r;
    r.status = 202;
    r.headers.push_back({"x-amzn-RequestId", rid});
    return respond(std::move(r));
  }
  bool tail = req.HeaderOr("X-Amz-Log-Type") == "Tail";
  functions_.Invoke(*ref, std::move(input),
                    [respond = std::move(respond), tail, rid](invoker::InvokeResult result) {
                      if (!result.status.ok()) {
                        respond(RenderError(Protocol::kRestJson, LambdaError(result.status), rid));
                        return;
                      }
                      net::HttpResponse r;
                      r.status = 200;
                      r.headers.reserve(5);
                      r.headers.push_back({"Content-Type", result.content_type});
                      r.headers.push_back({"x-amzn-RequestId", result.request_id});
                      r.headers.push_back({"X-Amz-Executed-Version", result.executed_version});
                      if (!result.function_error.empty()) {
                        r.headers.push_back({"X-Amz-Function-Error", result.function_error});
                      }
                      if (tail) r.headers.push_back({"X-Amz-Log-Result", Base64Encode(result.log_tail)});
                      r.body = std::move(result.payload);
                      respond(std::move(r));
                    });
}

}  // namespace nimbus::aws
