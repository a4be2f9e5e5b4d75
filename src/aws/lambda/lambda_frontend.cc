#include "aws/lambda/lambda_frontend.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "aws/access.h"
#include "aws/lambda/lambda_codec.h"
#include "core/platform.h"
#include "core/strings.h"

namespace nimbus::aws {
namespace {

namespace json = boost::json;
namespace limits = lambda_limits;

// Tags that change how Nimbus isolates a function: an administrator's
// setting, never settable with a function's credentials.
bool SetsIsolation(const json::object& body) {
  const json::value* tags = body.if_contains("Tags");
  return tags != nullptr && tags->is_object() && tags->get_object().contains("nimbus:network");
}

}  // namespace

ServiceSpec LambdaSpec() {
  ServiceSpec spec;
  spec.signing_name = "lambda";
  spec.iam_prefix = "lambda";
  spec.protocol = Protocol::kRestJson;
  // The Lambda model spells the member "Message" for these two shapes.
  spec.style.message_member = [](std::string_view type) -> std::string {
    return type == "ResourceNotFoundException" || type == "ServiceException" ? "Message"
                                                                             : "message";
  };
  spec.errors = ErrorTable(
      {
          {Code::kInvalidArgument, 400, "InvalidRequestContentException", kSerializationReason},
          {Code::kInvalidArgument, 400, "InvalidParameterValueException"},
          {Code::kNotFound, 404, "ResourceNotFoundException"},
          {Code::kAlreadyExists, 409, "ResourceConflictException"},
          {Code::kConflict, 409, "ResourceConflictException"},
          {Code::kFailedPrecondition, 412, "PreconditionFailedException"},
          {Code::kTooLarge, 413, "RequestTooLargeException"},
          {Code::kResourceExhausted, 429, "TooManyRequestsException"},
          {Code::kUnauthenticated, 403, "UnrecognizedClientException"},
          {Code::kPermissionDenied, 403, "AccessDeniedException"},
          {Code::kUnavailable, 503, "ServiceException"},
          {Code::kTimeout, 500, "ServiceException"},
      },
      {Code::kInternal, 500, "ServiceException"});
  spec.errors.Decorate([](const Status& s, AwsError& e) {
    if (s.code() == Code::kInvalidArgument && s.reason() == kSerializationReason) {
      e.message = "Could not parse request body into json: " + e.message;
    } else if (s.code() == Code::kResourceExhausted) {
      // Which limit was reached, and when to try again.
      e.fields["Reason"] = s.reason().empty() ? "ConcurrentInvocationLimitExceeded" : s.reason();
      e.headers.push_back({"Retry-After", "1"});
    }
  });
  spec.body_too_large = {
      413, "RequestTooLargeException",
      "Request must be smaller than " + std::to_string(limits::kRequestBytes) + " bytes"};
  spec.unknown_operation = [](const net::HttpRequest& req, std::string_view) {
    return AwsError{404, "UnknownOperationException",
                    "Nimbus does not implement " + req.method + " " + req.path + " yet"};
  };
  return spec;
}

LambdaFrontend::LambdaFrontend(functions::FunctionService& functions, CodeUrlFn code_url,
                               int account_concurrency, iam::IamService* iam,
                               bool accept_unknown_roles)
    : ServiceFrontend(LambdaSpec(), {}),
      functions_(functions),
      code_url_(std::move(code_url)),
      account_concurrency_(account_concurrency),
      iam_(iam),
      accept_unknown_roles_(accept_unknown_roles) {
  SetOperations(Operations());
}

std::vector<Operation> LambdaFrontend::Operations() {
  using Member = Result<json::value> (LambdaFrontend::*)(const Call&);
  using EmptyMember = Status (LambdaFrontend::*)(const Call&);
  auto function_arn = [this](const Call& c) {
    return std::vector<std::string>{ResourceArn(c.Label("FunctionName"), c.http)};
  };
  auto json_op = [&](std::string name, std::string route, Member member, int status = 200) {
    Operation o{.name = std::move(name), .route = std::move(route), .resources = function_arn};
    o.handle = [this, member, status](Call& c, Reply reply) {
      Result<json::value> r = (this->*member)(c);
      if (!r.ok()) return reply.Error(r.status());
      reply.Json(*r, status);
    };
    return o;
  };
  auto empty_op = [&](std::string name, std::string route, EmptyMember member) {
    Operation o{.name = std::move(name), .route = std::move(route), .resources = function_arn};
    o.handle = [this, member](Call& c, Reply reply) {
      Status s = (this->*member)(c);
      if (!s.ok()) return reply.Error(s);
      reply.Empty(204);
    };
    return o;
  };
  const std::string fn = "/2015-03-31/functions/{FunctionName}";

  Operation create =
      json_op("CreateFunction", "POST /2015-03-31/functions", &LambdaFrontend::CreateFunction, 201);
  create.resources = nullptr;
  create.authorize = [this](const Call& c) { return AuthorizeCreate(c); };
  Operation list =
      json_op("ListFunctions", "GET /2015-03-31/functions", &LambdaFrontend::ListFunctions);
  list.resources = nullptr;  // "*"
  Operation update_config = json_op("UpdateFunctionConfiguration", "PUT " + fn + "/configuration",
                                    &LambdaFrontend::UpdateFunctionConfiguration);
  update_config.authorize = [this](const Call& c) { return AuthorizeUpdateConfiguration(c); };
  Operation invoke{.name = "Invoke",
                   .route = "POST " + fn + "/invocations",
                   .action = "lambda:InvokeFunction",
                   .resources = function_arn,
                   .raw_body = true};
  invoke.handle = [this](Call& c, Reply reply) { Invoke(c, std::move(reply)); };
  Operation account = json_op("GetAccountSettings", "GET /2016-08-19/account-settings",
                              &LambdaFrontend::GetAccountSettings);
  account.resources = nullptr;  // "*"
  Operation tags = json_op("ListTags", "GET /2017-03-31/tags/{ARN+}", &LambdaFrontend::ListTags);
  tags.resources = [this](const Call& c) {
    return std::vector<std::string>{ResourceArn(c.Label("ARN"), c.http)};
  };

  std::vector<Operation> ops;
  ops.push_back(std::move(create));
  ops.push_back(std::move(list));
  ops.push_back(json_op("GetFunction", "GET " + fn, &LambdaFrontend::GetFunction));
  ops.push_back(empty_op("DeleteFunction", "DELETE " + fn, &LambdaFrontend::DeleteFunction));
  ops.push_back(json_op("GetFunctionConfiguration", "GET " + fn + "/configuration",
                        &LambdaFrontend::GetFunctionConfiguration));
  ops.push_back(std::move(update_config));
  ops.push_back(
      json_op("UpdateFunctionCode", "PUT " + fn + "/code", &LambdaFrontend::UpdateFunctionCode));
  ops.push_back(std::move(invoke));
  // Reserved concurrency: PUT and DELETE under 2017-10-31, GET under 2019-09-30.
  ops.push_back(json_op("PutFunctionConcurrency",
                        "PUT /2017-10-31/functions/{FunctionName}/concurrency",
                        &LambdaFrontend::PutFunctionConcurrency));
  ops.push_back(empty_op("DeleteFunctionConcurrency",
                         "DELETE /2017-10-31/functions/{FunctionName}/concurrency",
                         &LambdaFrontend::DeleteFunctionConcurrency));
  ops.push_back(json_op("GetFunctionConcurrency",
                        "GET /2019-09-30/functions/{FunctionName}/concurrency",
                        &LambdaFrontend::GetFunctionConcurrency));
  ops.push_back(std::move(account));
  ops.push_back(std::move(tags));
  return ops;
}

// --- authorization and names ---------------------------------------------------

std::optional<AwsError> LambdaFrontend::AuthorizeCreate(const Call& call) const {
  // The function is named in the body; a body without its names is refused
  // by the handler, with Lambda's message, whoever sends it.
  auto names = ReadCreateNames(call.body);
  if (!names.ok()) return std::nullopt;
  std::string arn = ResourceArn(names->name, call.http);
  if (auto denied = call.ctx.Authorize("lambda:CreateFunction", arn)) return denied;
  if (auto denied = call.ctx.Authorize("iam:PassRole", names->role)) return denied;
  if (call.ctx.access != nullptr && SetsIsolation(call.body)) {
    return call.ctx.access->Denied(call.ctx.principal, call.ctx.service, "lambda:TagResource", arn,
                                   true);
  }
  return std::nullopt;
}

std::optional<AwsError> LambdaFrontend::AuthorizeUpdateConfiguration(const Call& call) const {
  if (auto denied = call.ctx.Authorize("lambda:UpdateFunctionConfiguration",
                                       ResourceArn(call.Label("FunctionName"), call.http))) {
    return denied;
  }
  auto names = ReadUpdateNames(call.body);
  if (!names.ok() || !names->role) return std::nullopt;  // the handler answers
  return call.ctx.Authorize("iam:PassRole", *names->role);
}

Status LambdaFrontend::CheckRole(const std::string& role) const {
  if (iam_ == nullptr || iam_->TrustsService(role, "lambda.amazonaws.com")) return Status::Ok();
  if (accept_unknown_roles_ && !iam_->GetRoleByArn(role).ok()) {
    spdlog::warn(
        "the role {} is unknown to Nimbus: accepted (--dev-credentials); the function's "
        "credentials may write its own logs and nothing else until the role exists",
        role);
    return Status::Ok();
  }
  return InvalidArgument("The role defined for the function cannot be assumed by Lambda.");
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

Result<functions::FunctionRef> LambdaFrontend::RefOf(const Call& call) const {
  ASSIGN_OR_RETURN(auto ref, functions::ParseFunctionRef(call.Label("FunctionName")));
  if (auto q = call.http.Query("Qualifier")) {
    std::string qual = *q == "$LATEST" ? "" : *q;
    if (!ref.qualifier.empty() && ref.qualifier != qual) {
      return InvalidArgument(
          "The derived qualifier from the function name does not match the "
          "specified qualifier.");
    }
    ref.qualifier = qual;
  }
  return ref;
}

// --- the control plane -----------------------------------------------------------

Result<json::value> LambdaFrontend::CreateFunction(const Call& call) {
  ASSIGN_OR_RETURN(functions::FunctionConfig config, ReadCreateNames(call.body));
  RETURN_IF_ERROR(CheckRole(config.role));
  RETURN_IF_ERROR(ReadCreateSettings(call.body, config));
  ASSIGN_OR_RETURN(std::string zip, ReadCreateCode(call.body));
  ASSIGN_OR_RETURN(auto created, functions_.Create(std::move(config), zip));
  return FunctionConfigJson(created, functions_.FunctionArn(created.name));
}

Result<json::value> LambdaFrontend::ListFunctions(const Call& call) {
  int max_items = 50;
  if (auto m = call.http.Query("MaxItems")) {
    long long v = 0;
    if (!ParseInt64(*m, &v) || v < 1 || v > 10000) {
      return InvalidArgument("1 validation error detected: Value '" + *m +
                             "' at 'maxItems' failed to satisfy constraint: Member must have "
                             "value between 1 and 10000");
    }
    max_items = static_cast<int>(v);
  }
  ASSIGN_OR_RETURN(auto page, functions_.List(call.http.Query("Marker").value_or(""), max_items));
  json::array list;
  for (const auto& c : page.functions) {
    list.push_back(FunctionConfigJson(c, functions_.FunctionArn(c.name)));
  }
  json::object out{{"Functions", std::move(list)}};
  if (!page.next_marker.empty()) out["NextMarker"] = page.next_marker;
  return out;
}

Result<json::value> LambdaFrontend::GetFunction(const Call& call) {
  ASSIGN_OR_RETURN(auto ref, RefOf(call));
  ASSIGN_OR_RETURN(auto c, functions_.Get(ref));
  json::object out{
      {"Configuration", FunctionConfigJson(c, functions_.FunctionArn(c.name))},
      {"Code",
       {{"RepositoryType", "S3"}, {"Location", code_url_(call.ctx.host, c.code_sha256_hex)}}}};
  if (!c.tags.empty()) out["Tags"] = StringMapJson(c.tags);
  if (c.reserved_concurrency >= 0) {
    out["Concurrency"] = {{"ReservedConcurrentExecutions", c.reserved_concurrency}};
  }
  return out;
}

Result<json::value> LambdaFrontend::GetFunctionConfiguration(const Call& call) {
  ASSIGN_OR_RETURN(auto ref, RefOf(call));
  ASSIGN_OR_RETURN(auto c, functions_.Get(ref));
  return FunctionConfigJson(c, functions_.FunctionArn(c.name));
}

Status LambdaFrontend::DeleteFunction(const Call& call) {
  ASSIGN_OR_RETURN(auto ref, RefOf(call));
  return functions_.Delete(ref);
}

Result<json::value> LambdaFrontend::UpdateFunctionCode(const Call& call) {
  ASSIGN_OR_RETURN(auto ref, RefOf(call));
  ASSIGN_OR_RETURN(std::string zip, ReadZipFile(call.body, ""));
  JsonMembers m(call.body);
  ASSIGN_OR_RETURN(auto revision, m.String("RevisionId"));
  ASSIGN_OR_RETURN(bool dry_run, m.Bool("DryRun", false));
  if (dry_run) {
    ASSIGN_OR_RETURN(auto c, functions_.Get(ref));
    return FunctionConfigJson(c, functions_.FunctionArn(c.name));
  }
  ASSIGN_OR_RETURN(auto updated, functions_.UpdateCode(ref, zip, revision));
  return FunctionConfigJson(updated, functions_.FunctionArn(updated.name));
}

Result<json::value> LambdaFrontend::UpdateFunctionConfiguration(const Call& call) {
  ASSIGN_OR_RETURN(auto ref, RefOf(call));
  ASSIGN_OR_RETURN(functions::ConfigUpdate update, ReadUpdateNames(call.body));
  if (update.role) RETURN_IF_ERROR(CheckRole(*update.role));
  RETURN_IF_ERROR(ReadUpdateSettings(call.body, update));
  ASSIGN_OR_RETURN(auto updated, functions_.UpdateConfiguration(ref, update));
  return FunctionConfigJson(updated, functions_.FunctionArn(updated.name));
}

Result<json::value> LambdaFrontend::PutFunctionConcurrency(const Call& call) {
  ASSIGN_OR_RETURN(auto ref, RefOf(call));
  ASSIGN_OR_RETURN(auto n, ReadUint(call.body, "ReservedConcurrentExecutions"));
  if (!n) return InvalidArgument("ReservedConcurrentExecutions is required");
  functions::ConfigUpdate update;
  update.reserved_concurrency = static_cast<int32_t>(*n);
  ASSIGN_OR_RETURN(auto updated, functions_.UpdateConfiguration(ref, update));
  return json::object{{"ReservedConcurrentExecutions", updated.reserved_concurrency}};
}

Result<json::value> LambdaFrontend::GetFunctionConcurrency(const Call& call) {
  ASSIGN_OR_RETURN(auto ref, RefOf(call));
  ASSIGN_OR_RETURN(auto c, functions_.Get(ref));
  json::object out;
  if (c.reserved_concurrency >= 0) out["ReservedConcurrentExecutions"] = c.reserved_concurrency;
  return out;
}

Status LambdaFrontend::DeleteFunctionConcurrency(const Call& call) {
  ASSIGN_OR_RETURN(auto ref, RefOf(call));
  functions::ConfigUpdate update;
  update.reserved_concurrency = -1;
  return functions_.UpdateConfiguration(ref, update).status();
}

Result<json::value> LambdaFrontend::GetAccountSettings(const Call&) {
  uint64_t total = 0;
  size_t count = 0;
  for (std::string marker;;) {
    auto page = functions_.List(marker, 50);
    if (!page.ok()) break;
    for (const auto& c : page->functions) total += c.code_size;
    count += page->functions.size();
    if (page->next_marker.empty()) break;
    marker = page->next_marker;
  }
  json::object limit{{"TotalCodeSize", limits::kTotalCodeSize},
                     {"CodeSizeUnzipped", limits::kCodeSizeUnzipped},
                     {"CodeSizeZipped", limits::kCodeSizeZipped},
                     {"ConcurrentExecutions", account_concurrency_},
                     {"UnreservedConcurrentExecutions", account_concurrency_}};
  return json::object{{"AccountLimit", std::move(limit)},
                      {"AccountUsage", {{"TotalCodeSize", total}, {"FunctionCount", count}}}};
}

Result<json::value> LambdaFrontend::ListTags(const Call& call) {
  ASSIGN_OR_RETURN(auto ref, functions::ParseFunctionRef(call.Label("ARN")));
  ASSIGN_OR_RETURN(auto c, functions_.Get(ref));
  return json::object{{"Tags", StringMapJson(c.tags)}};
}

}  // namespace nimbus::aws
