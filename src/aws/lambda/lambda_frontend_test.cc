#include "aws/lambda/lambda_frontend.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "aws/frontend_test_util.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "core/platform.h"
#include "core/zip_writer.h"
#include "runtime/catalog.h"

namespace nimbus::aws {
namespace {

namespace json = boost::json;

constexpr char kArnPrefix[] = "arn:aws:lambda:us-east-1:000000000000:function:";

std::string Str(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : "";
}

std::string Zip(const std::string& body = "def handler(e, c): return 1\n") {
  return *WriteZip({ZipEntry::File("app.py", body)});
}

class LambdaFrontendTest : public ::testing::Test {
 protected:
  LambdaFrontendTest()
      : root_((std::filesystem::temp_directory_path() / ("nimbus-lf-" + RandomHex(8))).string()),
        kv_(store::NewMemoryStore()),
        code_(root_),
        catalog_(runtime::CatalogOptions{root_}),
        functions_(*kv_, code_, catalog_, nullptr, functions::FunctionServiceOptions{}),
        iam_(*kv_, iam::IamOptions{}),
        frontend_(
            functions_,
            [](const std::string& host, const std::string& sha) {
              return "http://" + host + "/_nimbus/code/" + sha + ".zip";
            },
            7, &iam_, /*accept_unknown_roles=*/false),
        h_(frontend_, "lambda") {
    EXPECT_TRUE(functions_.Load().ok());
    EXPECT_TRUE(iam_.Open().ok());
    iam::CreateRoleInput in;
    in.name = "lambda-exec";
    in.assume_role_policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
    auto role = iam_.CreateRole(in);
    EXPECT_TRUE(role.ok());
    role_ = role.ok() ? role->arn : "";
  }
  ~LambdaFrontendTest() override { std::filesystem::remove_all(root_); }

  json::object CreateBody(const std::string& name) {
    return {{"FunctionName", name},
            {"Runtime", "python3.12"},
            {"Role", role_},
            {"Handler", "app.handler"},
            {"Code", {{"ZipFile", Base64Encode(Zip())}}}};
  }
  net::HttpResponse Create(const json::object& body) {
    return h_.Rest("POST", "/2015-03-31/functions", json::serialize(body));
  }
  net::HttpResponse Create(const std::string& name) { return Create(CreateBody(name)); }

  std::string root_;
  std::unique_ptr<store::KvStore> kv_;
  functions::CodeStore code_;
  runtime::RuntimeCatalog catalog_;
  functions::FunctionService functions_;
  iam::IamService iam_;
  LambdaFrontend frontend_;
  FrontendHarness h_;
  std::string role_;
};

// The error type, status and message of a rest-json error answer.
void ExpectError(const net::HttpResponse& r, int status, const std::string& type,
                 const std::string& message_part = "") {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), type) << r.body;
  auto body = JsonBody(r);
  const json::value* m = body.if_contains("message");
  if (m == nullptr) m = body.if_contains("Message");
  ASSERT_NE(m, nullptr) << r.body;
  EXPECT_NE(std::string(m->get_string()).find(message_part), std::string::npos) << r.body;
}

TEST_F(LambdaFrontendTest, CreatesReadsUpdatesAndDeletesFunctions) {
  json::object body = CreateBody("hello");
  body["Tags"] = {{"team", "a"}};
  body["Environment"] = {{"Variables", {{"KEY", "v"}}}};
  auto created = Create(body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(HeaderOf(created, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(created, "x-amzn-RequestId"), "req-1");
  auto config = JsonBody(created);
  EXPECT_EQ(Str(config["FunctionArn"]), std::string(kArnPrefix) + "hello");
  EXPECT_EQ(config["Timeout"], lambda_limits::kDefaultTimeoutSeconds);
  EXPECT_EQ(config["MemorySize"], lambda_limits::kDefaultMemoryMb);
  EXPECT_EQ(config["Environment"].as_object()["Variables"].as_object()["KEY"], "v");

  auto got = h_.Rest("GET", "/2015-03-31/functions/hello");
  ASSERT_EQ(got.status, 200) << got.body;
  auto function = JsonBody(got);
  EXPECT_EQ(function["Configuration"].as_object()["Handler"], "app.handler");
  EXPECT_EQ(function["Tags"].as_object()["team"], "a");
  EXPECT_EQ(function["Code"].as_object()["Location"].as_string().find("http://127.0.0.1:4566/"),
            0u);
  EXPECT_EQ(Str(JsonBody(h_.Rest("GET", "/2015-03-31/functions/hello/configuration"))["Role"]),
            role_);
  auto list = h_.Rest("GET", "/2015-03-31/functions?MaxItems=10");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(JsonBody(list)["Functions"].as_array().size(), 1u);
  ExpectError(h_.Rest("GET", "/2015-03-31/functions?MaxItems=0"), 400,
              "InvalidParameterValueException", "at 'maxItems'");

  auto updated = h_.Rest("PUT", "/2015-03-31/functions/hello/configuration",
                         R"({"Timeout":9,"MemorySize":256,"Description":"changed"})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(JsonBody(updated)["Timeout"], 9);
  std::string old_sha(JsonBody(updated)["CodeSha256"].as_string());
  auto code = h_.Rest("PUT", "/2015-03-31/functions/hello/code",
                      json::serialize(json::object{{"ZipFile", Base64Encode(Zip("# two\n"))}}));
  ASSERT_EQ(code.status, 200) << code.body;
  EXPECT_NE(Str(JsonBody(code)["CodeSha256"]), old_sha);
  // A stale revision is a failed precondition.
  ExpectError(h_.Rest("PUT", "/2015-03-31/functions/hello/code",
                      json::serialize(
                          json::object{{"ZipFile", Base64Encode(Zip())}, {"RevisionId", "stale"}})),
              412, "PreconditionFailedException");

  auto deleted = h_.Rest("DELETE", "/2015-03-31/functions/hello");
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  auto gone = h_.Rest("GET", "/2015-03-31/functions/hello");
  ExpectError(gone, 404, "ResourceNotFoundException");
  // The Lambda model spells this shape's member "Message".
  EXPECT_EQ(Str(JsonBody(gone)["Message"]),
            std::string("Function not found: ") + kArnPrefix + "hello");
  EXPECT_EQ(JsonBody(gone)["Type"], "User");
}

TEST_F(LambdaFrontendTest, ReservesConcurrencyAndReportsTheAccount) {
  ASSERT_EQ(Create("busy").status, 201);
  auto put = h_.Rest("PUT", "/2017-10-31/functions/busy/concurrency",
                     R"({"ReservedConcurrentExecutions":5})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(JsonBody(put)["ReservedConcurrentExecutions"], 5);
  EXPECT_EQ(JsonBody(h_.Rest(
                "GET", "/2019-09-30/functions/busy/concurrency"))["ReservedConcurrentExecutions"],
            5);
  EXPECT_EQ(JsonBody(h_.Rest("GET", "/2015-03-31/functions/busy"))["Concurrency"]
                .as_object()["ReservedConcurrentExecutions"],
            5);
  ExpectError(h_.Rest("PUT", "/2017-10-31/functions/busy/concurrency", "{}"), 400,
              "InvalidParameterValueException", "ReservedConcurrentExecutions is required");
  EXPECT_EQ(h_.Rest("DELETE", "/2017-10-31/functions/busy/concurrency").status, 204);
  EXPECT_TRUE(JsonBody(h_.Rest("GET", "/2019-09-30/functions/busy/concurrency")).empty());

  auto settings = JsonBody(h_.Rest("GET", "/2016-08-19/account-settings"));
  EXPECT_EQ(settings["AccountLimit"].as_object()["ConcurrentExecutions"], 7);
  EXPECT_EQ(settings["AccountLimit"].as_object()["CodeSizeZipped"], lambda_limits::kCodeSizeZipped);
  EXPECT_EQ(settings["AccountUsage"].as_object()["FunctionCount"], 1);

  json::object tagged = CreateBody("tagged");
  tagged["Tags"] = {{"k", "v"}};
  ASSERT_EQ(Create(tagged).status, 201);
  auto tags = h_.Rest("GET",
                      "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3A"
                      "function%3Atagged");
  ASSERT_EQ(tags.status, 200) << tags.body;
  EXPECT_EQ(JsonBody(tags)["Tags"].as_object()["k"], "v");
}

TEST_F(LambdaFrontendTest, InvokeChecksItsInputAndAnswersThroughItsReply) {
  ASSERT_EQ(Create("probe").status, 201);
  auto invoke = [&](const std::string& name, const std::string& payload,
                    std::vector<net::Header> headers = {}) {
    return h_.Rest("POST", "/2015-03-31/functions/" + name + "/invocations", payload,
                   std::move(headers));
  };
  auto dry = invoke("probe", "{}", {{"X-Amz-Invocation-Type", "DryRun"}});
  EXPECT_EQ(dry.status, 204);
  EXPECT_EQ(HeaderOf(dry, "x-amzn-RequestId"), "req-1");
  // An invocation of a missing function is answered by the invoke callback.
  ExpectError(invoke("absent", "{}"), 404, "ResourceNotFoundException");
  ExpectError(invoke("absent", "{}", {{"X-Amz-Invocation-Type", "Event"}}), 404,
              "ResourceNotFoundException");
  ExpectError(invoke("probe", "not json"), 400, "InvalidRequestContentException",
              "Could not parse request body into json: Could not parse payload into json: ");
  ExpectError(invoke("probe", "{}", {{"X-Amz-Invocation-Type", "Later"}}), 400,
              "InvalidParameterValueException", "Value 'Later' at 'invocationType'");
  ExpectError(invoke("probe", "{}", {{"X-Amz-Client-Context", "not base64!"}}), 400,
              "InvalidParameterValueException", "Client context must be a valid");
  std::string big = "\"" + std::string(lambda_limits::kAsyncPayloadBytes, 'x') + "\"";
  ExpectError(invoke("probe", big, {{"X-Amz-Invocation-Type", "Event"}}), 413,
              "RequestTooLargeException", "smaller than 1048576 bytes");
  ExpectError(h_.Rest("POST", "/2015-03-31/functions/probe:1/invocations?Qualifier=2", "{}"), 400,
              "InvalidParameterValueException", "derived qualifier");
}

TEST_F(LambdaFrontendTest, EveryStatusCodeHasItsLambdaError) {
  ServiceSpec spec = LambdaSpec();
  struct Row {
    Status status;
    int http;
    std::string type;
  };
  std::vector<Row> rows = {
      {InvalidArgument("bad"), 400, "InvalidParameterValueException"},
      {Status(Code::kInvalidArgument, "x", std::string(kSerializationReason)), 400,
       "InvalidRequestContentException"},
      {NotFound("x"), 404, "ResourceNotFoundException"},
      {AlreadyExists("x"), 409, "ResourceConflictException"},
      {Conflict("x"), 409, "ResourceConflictException"},
      {Status(Code::kFailedPrecondition, "x"), 412, "PreconditionFailedException"},
      {TooLarge("x"), 413, "RequestTooLargeException"},
      {ResourceExhausted("Rate Exceeded."), 429, "TooManyRequestsException"},
      {Status(Code::kUnauthenticated, "x"), 403, "UnrecognizedClientException"},
      {Status(Code::kPermissionDenied, "x"), 403, "AccessDeniedException"},
      {Unavailable("x"), 503, "ServiceException"},
      {Status(Code::kTimeout, "x"), 500, "ServiceException"},
      {Internal("x"), 500, "ServiceException"},
  };
  for (const Row& row : rows) {
    AwsError e = spec.errors.Map(row.status);
    EXPECT_EQ(e.status, row.http) << row.status.ToString();
    EXPECT_EQ(e.type, row.type) << row.status.ToString();
  }
  EXPECT_EQ(spec.errors.Map(Status(Code::kInvalidArgument, "x", std::string(kSerializationReason)))
                .message,
            "Could not parse request body into json: x");
  // Throttles name their limit and when to retry.
  AwsError account = spec.errors.Map(ResourceExhausted("Rate Exceeded."));
  EXPECT_EQ(account.fields["Reason"], "ConcurrentInvocationLimitExceeded");
  ASSERT_EQ(account.headers.size(), 1u);
  EXPECT_EQ(account.headers[0].name, "Retry-After");
  EXPECT_EQ(account.headers[0].value, "1");
  AwsError reserved = spec.errors.Map(
      ResourceExhausted("Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded"));
  EXPECT_EQ(reserved.fields["Reason"], "ReservedFunctionConcurrentInvocationLimitExceeded");
  auto rendered = JsonBody(RenderError(Protocol::kRestJson, account, "r", spec.style));
  EXPECT_EQ(rendered["Reason"], "ConcurrentInvocationLimitExceeded");
  EXPECT_EQ(rendered["message"], "Rate Exceeded.");
  auto service = JsonBody(
      RenderError(Protocol::kRestJson, spec.errors.Map(Internal("boom")), "r", spec.style));
  EXPECT_EQ(service["Message"], "boom");
  EXPECT_EQ(service["Type"], "Service");
}

TEST_F(LambdaFrontendTest, WrongTypesAreSerializationErrorsAndCreateNothing) {
  auto expect_bad = [&](json::object body, const std::string& message_part) {
    ExpectError(Create(body), 400, "InvalidRequestContentException",
                "Could not parse request body into json: " + message_part);
  };
  json::object b = CreateBody("typed");
  b["FunctionName"] = 5;
  expect_bad(b, "member FunctionName must be a string");
  b = CreateBody("typed");
  b["Timeout"] = "long";
  expect_bad(b, "member Timeout must be an integer");
  b = CreateBody("typed");
  b["Environment"] = {{"Variables", {{"K", 1}}}};
  expect_bad(b, "Environment.Variables values must be strings");
  b = CreateBody("typed");
  b["TracingConfig"] = "Active";
  expect_bad(b, "member TracingConfig must be an object");
  b = CreateBody("typed");
  b["Tags"] = {{"k", 1}};
  expect_bad(b, "Tags values must be strings");
  b = CreateBody("typed");
  b["Code"] = {{"ZipFile", "***"}};
  expect_bad(b, "Code.ZipFile is not valid base64");
  ExpectError(h_.Rest("POST", "/2015-03-31/functions", "this is not json"), 400,
              "InvalidRequestContentException", "Could not parse request body into json");
  ExpectError(h_.Rest("PUT", "/2015-03-31/functions/typed/code", R"({"ZipFile":1})"), 400,
              "InvalidRequestContentException", "member ZipFile must be a string");
  EXPECT_EQ(functions_.count(), 0u);
}

TEST_F(LambdaFrontendTest, RefusesWhatLambdaRefuses) {
  json::object b = CreateBody("v");
  b.erase("Code");
  ExpectError(Create(b), 400, "InvalidParameterValueException", "Code is required");
  b = CreateBody("v");
  b.erase("Role");
  ExpectError(Create(b), 400, "InvalidParameterValueException", "Role is required");
  b = CreateBody("v");
  b["Timeout"] = -1;
  ExpectError(Create(b), 400, "InvalidParameterValueException",
              "Value '-1' at 'timeout' failed to satisfy constraint");
  b = CreateBody("v");
  b["Layers"] = json::array{"arn:aws:lambda:us-east-1:000000000000:layer:x:1"};
  ExpectError(Create(b), 400, "InvalidParameterValueException", "Layers are not supported");
  b = CreateBody("v");
  b["PackageType"] = "Image";
  ExpectError(Create(b), 400, "InvalidParameterValueException", "Zip functions only");
  b = CreateBody("v");
  b["Role"] = "arn:aws:iam::000000000000:role/unknown";
  ExpectError(Create(b), 400, "InvalidParameterValueException",
              "The role defined for the function cannot be assumed by Lambda.");
  ASSERT_EQ(Create("v").status, 201);
  ExpectError(Create("v"), 409, "ResourceConflictException", "Function already exist: v");
  ExpectError(h_.Rest("PUT", "/2015-03-31/functions/v/configuration",
                      R"({"Role":"arn:aws:iam::000000000000:role/unknown"})"),
              400, "InvalidParameterValueException", "cannot be assumed by Lambda");
  ExpectError(h_.Rest("PUT", "/2015-03-31/functions/v/code", "{}"), 400,
              "InvalidParameterValueException", "Please provide a source for function code.");
}

TEST_F(LambdaFrontendTest, UnknownOperationsAreRestJson404s) {
  ExpectError(h_.Rest("GET", "/2015-03-31/functions/f/aliases"), 404, "UnknownOperationException",
              "Nimbus does not implement GET /2015-03-31/functions/f/aliases yet");
  ExpectError(h_.Rest("POST", "/2015-03-31/functions/f"), 404, "UnknownOperationException");
  ExpectError(h_.Rest("GET", "/2018-10-31/layers"), 404, "UnknownOperationException");
}

TEST_F(LambdaFrontendTest, AnInstanceActsOnlyWhereItsRoleAllows) {
  ASSERT_EQ(Create("mine").status, 201);
  ASSERT_EQ(Create("theirs").status, 201);
  h_.ActAsInstance(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":["lambda:GetFunctionConfiguration","lambda:InvokeFunction",
       "lambda:UpdateFunctionConfiguration"],
       "Resource":"arn:aws:lambda:us-east-1:000000000000:function:mine"},
      {"Effect":"Allow","Action":"lambda:CreateFunction","Resource":"*"}]})");
  EXPECT_EQ(h_.Rest("GET", "/2015-03-31/functions/mine/configuration").status, 200);
  auto denied = h_.Rest("GET", "/2015-03-31/functions/theirs/configuration");
  ExpectError(denied, 403, "AccessDeniedException", "lambda:GetFunctionConfiguration");
  EXPECT_NE(denied.body.find(std::string(kArnPrefix) + "theirs"), std::string::npos);
  ExpectError(h_.Rest("GET", "/2015-03-31/functions"), 403, "AccessDeniedException",
              "lambda:ListFunctions");
  ExpectError(h_.Rest("POST", "/2015-03-31/functions/theirs/invocations", "{}"), 403,
              "AccessDeniedException", "lambda:InvokeFunction");
  // Allowed to invoke: the check passes and the payload is judged.
  ExpectError(h_.Rest("POST", "/2015-03-31/functions/mine/invocations", "nope"), 400,
              "InvalidRequestContentException");
  // Passing a role needs iam:PassRole on it.
  ExpectError(Create("new"), 403, "AccessDeniedException", "iam:PassRole");
  ExpectError(h_.Rest("PUT", "/2015-03-31/functions/mine/configuration",
                      json::serialize(json::object{{"Role", role_}})),
              403, "AccessDeniedException", "iam:PassRole");
  EXPECT_EQ(h_.Rest("PUT", "/2015-03-31/functions/mine/configuration", R"({"Timeout":5})").status,
            200);
  // A body without its names is answered as Lambda answers it, not denied.
  json::object nameless = CreateBody("x");
  nameless.erase("FunctionName");
  ExpectError(Create(nameless), 400, "InvalidParameterValueException", "FunctionName is required");
  EXPECT_EQ(functions_.count(), 2u);
}

TEST_F(LambdaFrontendTest, AnInstanceNeverSetsItsOwnIsolation) {
  h_.ActAsInstance(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":["lambda:*","iam:PassRole"],"Resource":"*"}]})");
  json::object host = CreateBody("hostnet");
  host["Tags"] = {{"nimbus:network", "host"}};
  ExpectError(Create(host), 403, "AccessDeniedException", "lambda:TagResource");
  auto made = Create("plain");
  EXPECT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(functions_.count(), 1u);
}

}  // namespace
}  // namespace nimbus::aws
