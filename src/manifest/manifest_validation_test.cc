// Errors LoadManifest reports, each with the position of the offending value.
#include <gtest/gtest.h>

#include "manifest/manifest.h"
#include "manifest/manifest_builder.h"

namespace nimbus::manifest {
namespace {

std::string ErrorOf(const std::string& yaml, const LoadOptions& options = {}) {
  auto m = LoadManifestFromText(yaml, "/srv/svc", "serverless.yml", options);
  return m.ok() ? "loaded" : m.status().message();
}

const std::string kHead = "service: svc\nprovider:\n  name: aws\n  runtime: nodejs20.x\n";

TEST(ManifestValidationTest, RootAndService) {
  EXPECT_EQ(ErrorOf(""),
            "serverless.yml:1:1: the file is empty: it needs at least service and provider");
  EXPECT_EQ(ErrorOf("- a\n"),
            "serverless.yml:1:1: the file must be a mapping of settings "
            "(service, provider, functions, ...)");
  EXPECT_EQ(ErrorOf("provider: {name: aws}\n"),
            "serverless.yml:1:1: service is required: name the service (service: my-service)");
  EXPECT_EQ(ErrorOf("service: 1bad\nprovider: {name: aws}\n"),
            "serverless.yml:1:10: service name \"1bad\" is invalid: start with a letter, then use "
            "letters, digits and '-'");
  EXPECT_EQ(
      ErrorOf("service: svc\n"),
      "serverless.yml:1:1: provider is required (provider: {name: aws, runtime: nodejs20.x})");
  EXPECT_EQ(ErrorOf("service: svc\nprovider:\n  name: google\n"),
            "serverless.yml:3:9: provider.name must be aws (Nimbus emulates AWS), got \"google\"");
  EXPECT_EQ(ErrorOf("service: svc\nconfigValidationMode: loud\nprovider: {name: aws}\n"),
            "serverless.yml:2:23: configValidationMode must be error, warn or off");
  EXPECT_EQ(ErrorOf("service: svc\nprovider: {name: aws, stage: 'my stage'}\n"),
            "serverless.yml:2:30: stage \"my stage\" is invalid: use letters, digits and '-'");
}

TEST(ManifestValidationTest, VariableErrorsCarryPositions) {
  EXPECT_EQ(ErrorOf(kHead + "  environment:\n    X: ${env:NOT_SET_ANYWHERE}\n"),
            "serverless.yml:6:8: Cannot resolve variable at \"provider.environment.X\": Value not "
            "found at \"env\" source");
}

TEST(ManifestValidationTest, FunctionBasics) {
  EXPECT_EQ(
      ErrorOf("service: svc\nprovider: {name: aws}\nfunctions:\n  hello:\n    handler: h.main\n"),
      "serverless.yml:5:5: function \"hello\" has no runtime: set functions.hello.runtime or "
      "provider.runtime");
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  hello:\n    memorySize: 512\n"),
            "serverless.yml:7:5: function \"hello\" has no handler: set handler, e.g. handler: "
            "src/handler.main");
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  hello:\n    handler: nodot\n"),
            "serverless.yml:7:14: handler \"nodot\" of function \"hello\" must be "
            "<file>.<function>, e.g. handler.main or src/api.handler");
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  hello:\n    handler: h.main\n    memorySize: big\n"),
            "serverless.yml:8:17: functions.hello.memorySize must be an integer, got \"big\"");
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  hello:\n    handler: h.main\n    timeout: 901\n"),
            "serverless.yml:8:14: functions.hello.timeout must be between 1 and 900, got 901");
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  hello:\n    handler: h.main\n    timeout: [1]\n"),
            "serverless.yml:8:14: functions.hello.timeout must be an integer, got a list");
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  hello world:\n    handler: h.main\n"),
            "serverless.yml:7:5: function key \"hello world\" may contain only letters, digits, "
            "'-' and '_'");
  EXPECT_EQ(ErrorOf(kHead + "  memorySize: 64\n"),
            "serverless.yml:5:15: provider.memorySize must be between 128 and 10240, got 64");
  EXPECT_EQ(ErrorOf(kHead + "  logRetentionInDays: 14\n"), "loaded");
  EXPECT_NE(ErrorOf(kHead + "  logRetentionInDays: 2\n")
                .find("provider.logRetentionInDays must be one of CloudWatch's retention periods "
                      "(1, 3, 5, 7, 14,"),
            std::string::npos);
  // Provided runtimes take any handler label.
  EXPECT_EQ(
      ErrorOf(kHead + "functions:\n  hello:\n    handler: bootstrap\n    runtime: provided.al2\n"),
      "loaded");
  // Numeric strings are accepted, as CloudFormation accepts them.
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  hello:\n    handler: h.main\n    memorySize: '512'\n"),
            "loaded");
}

TEST(ManifestValidationTest, FunctionNames) {
  std::string long_key(60, 'k');
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  " + long_key + ":\n    handler: h.main\n"),
            "serverless.yml:7:5: function name \"svc-dev-" + long_key +
                "\" is longer than Lambda's 64 characters: shorten the service, stage or key, or "
                "set functions." +
                long_key + ".name");
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  a: {handler: h.main, name: same}\n"
                            "  b: {handler: h.main, name: same}\n"),
            "serverless.yml:7:6: functions \"a\" and \"b\" would both be named \"same\"");
}

TEST(ManifestValidationTest, Environment) {
  EXPECT_EQ(ErrorOf(kHead + "  environment:\n    AWS_REGION: x\n"),
            "serverless.yml:6:17: environment variable AWS_REGION is reserved by Lambda and "
            "cannot be set");
  EXPECT_EQ(ErrorOf(kHead + "  environment:\n    1BAD: x\n"),
            "serverless.yml:6:11: environment variable name \"1BAD\" is invalid: use letters, "
            "digits and '_', starting with a letter");
  EXPECT_EQ(ErrorOf(kHead + "  environment:\n    V: !ImportValue Shared\n"),
            "serverless.yml:6:8: Fn::ImportValue is not supported in environment values (Nimbus "
            "evaluates Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select and Fn::Base64)");
  EXPECT_EQ(ErrorOf(kHead + "  environment:\n    V: [a]\n"),
            "serverless.yml:6:8: provider.environment.V must be a string or an intrinsic "
            "function (Ref, Fn::GetAtt, ...), not a list");
  EXPECT_EQ(ErrorOf(kHead + "  environment:\n    V:\n"),
            "serverless.yml:6:5: environment variable V has no value");
}

TEST(ManifestValidationTest, HttpApiEvents) {
  const std::string fn = kHead + "functions:\n  api:\n    handler: h.main\n    events:\n";
  EXPECT_EQ(ErrorOf(fn + "      - httpApi: GET users\n"),
            "serverless.yml:9:18: httpApi path \"users\" must start with '/'");
  EXPECT_EQ(ErrorOf(fn + "      - httpApi: FETCH /users\n"),
            "serverless.yml:9:18: invalid method \"FETCH\" (GET, POST, PUT, PATCH, DELETE, HEAD, "
            "OPTIONS or '*')");
  EXPECT_EQ(ErrorOf(fn + "      - httpApi: GET /{proxy+}/more\n"),
            "serverless.yml:9:18: httpApi path \"/{proxy+}/more\" greedy parameter \"{proxy+}\" "
            "must be the last segment");
  EXPECT_EQ(ErrorOf(fn + "      - httpApi:\n          method: get\n          path: /x\n"
                         "          authorizer: {name: nope}\n"),
            "serverless.yml:12:30: authorizer \"nope\" is not defined under "
            "provider.httpApi.authorizers");
  EXPECT_EQ(ErrorOf(fn + "      - httpApi:\n          method: get\n"),
            "serverless.yml:10:11: httpApi event needs both method and path");
  EXPECT_EQ(ErrorOf(fn + "      - httpApi: GET /a\n      - httpApi: get /a\n"),
            "serverless.yml:10:18: route GET /a is declared twice (also at serverless.yml:9:18)");
  EXPECT_EQ(ErrorOf(fn + "      - foo: 1\n        bar: 2\n"),
            "serverless.yml:9:9: each event must be a mapping with one event type, e.g. - "
            "httpApi: GET /");
  EXPECT_EQ(ErrorOf(fn + "      - httpApi:\n          method: get\n          path: /x\n"
                         "          authorizer: {type: aws_iam}\n"
                         "      - httpApi: 'GET /items/{id}/parts/{part}'\n"),
            "loaded");
}

TEST(ManifestValidationTest, HttpApiAuthorizers) {
  const std::string head = kHead + "  httpApi:\n    authorizers:\n";
  EXPECT_EQ(ErrorOf(head + "      j: {type: jwt, issuerUrl: https://x}\n"),
            "serverless.yml:7:10: JWT authorizer \"j\" needs audience");
  EXPECT_EQ(ErrorOf(head + "      l: {type: request, functionName: missing}\n"),
            "serverless.yml:7:40: authorizer function \"missing\" is not a function of this "
            "service");
  EXPECT_EQ(ErrorOf(head + "      l: {type: request, functionName: auth, resultTtlInSeconds: 60}\n"
                           "functions:\n  auth: {handler: a.main}\n"),
            "serverless.yml:7:10: authorizer \"l\" caches results (resultTtlInSeconds > 0) and so "
            "needs identitySource");
  EXPECT_EQ(
      ErrorOf(head +
              "      l: {type: request, functionName: auth}\n"
              "functions:\n  auth: {handler: a.main}\n"
              "  api:\n    handler: h.main\n    events:\n"
              "      - httpApi: {method: get, path: /x, authorizer: {name: l, scopes: [a]}}\n"),
      "serverless.yml:13:72: scopes apply only to JWT authorizers");
}

TEST(ManifestValidationTest, RestEvents) {
  const std::string fn = kHead + "functions:\n  api:\n    handler: h.main\n    events:\n";
  EXPECT_EQ(
      ErrorOf(fn + "      - http: {path: x, method: get, authorizer: nobody}\n"),
      "serverless.yml:9:50: authorizer function \"nobody\" is not a function of this service");
  EXPECT_EQ(ErrorOf(fn + "      - http: {path: x, method: get, integration: weird}\n"),
            "serverless.yml:9:51: unknown integration \"weird\"");
  EXPECT_EQ(ErrorOf(fn + "      - http: 'get a//b'\n"),
            "serverless.yml:9:15: http path \"a//b\" has an empty segment ('//')");
  EXPECT_EQ(ErrorOf(fn + "      - http: {path: x, method: get, private: maybe}\n"),
            "serverless.yml:9:47: functions.api.events[0].http.private must be true or false, "
            "not a string");
}

TEST(ManifestValidationTest, Resources) {
  EXPECT_EQ(ErrorOf(kHead + "resources:\n  Resources:\n    T:\n      Properties: {}\n"),
            "serverless.yml:8:7: resource T has no Type");
  EXPECT_EQ(ErrorOf(kHead + "resources:\n  Resources:\n    Bad-Id: {Type: AWS::SQS::Queue}\n"),
            "serverless.yml:7:13: logical id \"Bad-Id\" is invalid: CloudFormation allows only "
            "letters and digits");
  EXPECT_EQ(ErrorOf(kHead + "resources:\n  Resources:\n    T:\n      Type: AWS::DynamoDB::Table\n"
                            "      Properties: {KeySchema: []}\n"),
            "serverless.yml:9:19: table T needs AttributeDefinitions");
}

TEST(ManifestValidationTest, UnsupportedSettingsAreListed) {
  auto m = LoadManifestFromText(
      kHead +
          "  deploymentBucket: {name: b}\n  httpApi: {id: abc, metrics: true}\n"
          "  apiGateway: {restApiId: r, apiKeys: [k1]}\n"
          "layers: {x: {path: l}}\npackage: {artifact: a.zip, individually: true}\n"
          "functions:\n  f:\n    handler: h.main\n    vpc: {}\n    url: true\n"
          "    events:\n      - httpApi: {method: get, path: /x, payload: '1.0'}\n"
          "      - http: {path: y, method: post, integration: lambda, documentation: {}}\n"
          "resources:\n  Conditions: {IsProd: {}}\n",
      "/srv", "serverless.yml", {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->package_individually);
  EXPECT_EQ(m->unsupported,
            (std::vector<std::string>{
                "layers", "provider.httpApi.id", "provider.httpApi.metrics",
                "provider.apiGateway.restApiId", "provider.deploymentBucket", "package.artifact",
                "functions.f.vpc", "functions.f.url", "functions.f.events[0].httpApi.payload",
                "functions.f.events[1].http.integration (lambda)",
                "functions.f.events[1].http.documentation", "resources.Conditions"}));
}

TEST(RoutePathTest, Problems) {
  EXPECT_EQ(RoutePathProblem("/"), "");
  EXPECT_EQ(RoutePathProblem("/a/{b}/c/{d+}"), "");
  EXPECT_EQ(RoutePathProblem("/a/"), "");
  EXPECT_EQ(RoutePathProblem("a"), "must start with '/'");
  EXPECT_EQ(RoutePathProblem("/a b"), "must not contain spaces, '?' or '#'");
  EXPECT_EQ(RoutePathProblem("/x{id}"),
            "segment \"x{id}\" must be a literal or one whole {parameter}");
  EXPECT_EQ(RoutePathProblem("/{id}/{id}"), "repeats the parameter \"id\"");
}

}  // namespace
}  // namespace nimbus::manifest
