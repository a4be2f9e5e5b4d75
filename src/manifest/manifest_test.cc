#include "manifest/manifest.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "manifest/naming.h"
#include "manifest/test_util.h"

namespace nimbus::manifest {
namespace {

namespace json = boost::json;
using testing::TempDir;

constexpr const char* kFullService = R"(service: shop
frameworkVersion: '3'
useDotenv: true
plugins:
  - serverless-offline
params:
  default: {tableSuffix: users}
custom:
  tableName: ${self:service}-${sls:stage}-${param:tableSuffix}
package:
  patterns: ['!tests/**', 'src/**']
provider:
  name: aws
  runtime: nodejs20.x
  memorySize: 256
  environment:
    TABLE: ${self:custom.tableName}
    TABLE_ARN: !GetAtt UsersTable.Arn
    SHARED: from-provider
    SECRET: ${env:SECRET}
  tags: {team: core}
  iam:
    role:
      statements: []
  vpc: {securityGroupIds: [sg-1]}
  httpApi:
    cors: true
    authorizers:
      jwtAuth:
        identitySource: $request.header.Authorization
        issuerUrl: https://issuer.example.com
        audience: [client]
functions:
  api:
    handler: src/api.handler
    timeout: 20
    environment:
      SHARED: from-function
      COUNT: 3
    events:
      - httpApi: 'GET /users/{id}'
      - httpApi: '*'
      - httpApi:
          method: post
          path: /users
          authorizer:
            name: jwtAuth
            scopes: [users.write]
      - http: GET hello
      - http:
          path: /items/{proxy+}
          method: any
          private: true
          authorizer: auth
  auth:
    handler: src/auth.main
    name: custom-auth-name
  create-user_v2:
    handler: bootstrap
    runtime: provided.al2023
    package:
      patterns: [bin/**]
      individually: true
    events:
      - schedule: rate(10 minutes)
      - sqs: arn:aws:sqs:us-east-1:123456789012:jobs
resources:
  Resources:
    UsersTable:
      Type: AWS::DynamoDB::Table
      DeletionPolicy: Retain
      Properties:
        TableName: ${self:custom.tableName}
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
        KeySchema: [{AttributeName: pk, KeyType: HASH}]
    JobsQueue:
      Type: AWS::SQS::Queue
  Outputs:
    UsersTableName: {Value: !Ref UsersTable}
)";

Result<Manifest> LoadFull(const LoadOptions& options = {}) {
  TempDir dir;
  dir.Write("serverless.yml", kFullService);
  dir.Write(".env", "SECRET=s3cret\n");
  return LoadManifest(dir.Abs("serverless.yml"), options);
}

TEST(ManifestTest, LoadsAFullService) {
  auto m = LoadFull();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->service, "shop");
  EXPECT_EQ(m->stage, "dev");
  EXPECT_EQ(m->region, "us-east-1");
  EXPECT_EQ(m->package_patterns, (std::vector<std::string>{"!tests/**", "src/**"}));
  ASSERT_EQ(m->functions.size(), 3u);

  const FunctionDef& api = m->functions[0];
  EXPECT_EQ(api.key, "api");
  EXPECT_EQ(api.name, "shop-dev-api");
  EXPECT_EQ(api.handler, "src/api.handler");
  EXPECT_EQ(api.runtime, "nodejs20.x");
  EXPECT_EQ(api.memory_mb, 256);  // from provider
  EXPECT_EQ(api.timeout_s, 20);
  EXPECT_EQ(api.ephemeral_mb, 512);
  EXPECT_EQ(api.reserved_concurrency, -1);
  EXPECT_EQ(api.pos.ToString().substr(0, 15), "serverless.yml:");
  EXPECT_EQ(api.environment.at("TABLE"), json::value("shop-dev-users"));
  EXPECT_EQ(json::serialize(api.environment.at("TABLE_ARN")),
            R"({"Fn::GetAtt":["UsersTable","Arn"]})");
  EXPECT_EQ(api.environment.at("SHARED"), json::value("from-function"));
  EXPECT_EQ(api.environment.at("COUNT"), json::value("3"));
  EXPECT_EQ(api.environment.at("SECRET"), json::value("s3cret"));  // from .env
  EXPECT_EQ(api.tags.at("team"), "core");

  ASSERT_EQ(api.http_events.size(), 5u);
  EXPECT_FALSE(api.http_events[0].rest);
  EXPECT_EQ(api.http_events[0].method, "GET");
  EXPECT_EQ(api.http_events[0].path, "/users/{id}");
  EXPECT_TRUE(api.http_events[0].settings.empty());
  EXPECT_EQ(api.http_events[1].method, "ANY");
  EXPECT_EQ(api.http_events[1].path, "");
  EXPECT_EQ(api.http_events[2].method, "POST");
  EXPECT_EQ(json::serialize(api.http_events[2].settings.at("authorizer")),
            R"({"name":"jwtAuth","scopes":["users.write"]})");
  EXPECT_TRUE(api.http_events[3].rest);
  EXPECT_EQ(api.http_events[3].path, "/hello");
  EXPECT_EQ(api.http_events[4].method, "ANY");
  EXPECT_EQ(api.http_events[4].path, "/items/{proxy+}");
  EXPECT_EQ(json::serialize(api.http_events[4].settings.at("authorizer")), R"({"name":"auth"})");
  EXPECT_EQ(api.http_events[4].settings.at("private"), json::value(true));

  EXPECT_EQ(m->functions[1].name, "custom-auth-name");
  const FunctionDef& worker = m->functions[2];
  EXPECT_EQ(worker.runtime, "provided.al2023");
  EXPECT_EQ(worker.handler, "bootstrap");
  EXPECT_TRUE(worker.package_individually);
  EXPECT_EQ(m->PatternsFor(worker), (std::vector<std::string>{"!tests/**", "src/**", "bin/**"}));

  ASSERT_EQ(m->tables.size(), 1u);
  EXPECT_EQ(m->tables[0].logical_id, "UsersTable");
  EXPECT_EQ(m->tables[0].deletion_policy, "Retain");
  EXPECT_EQ(m->tables[0].properties.at("TableName"), json::value("shop-dev-users"));

  EXPECT_EQ(m->unsupported, (std::vector<std::string>{
                                "plugins[0] (serverless-offline)",
                                "provider.vpc", "functions.create-user_v2.events[0].schedule",
                                "functions.create-user_v2.events[1].sqs",
                                "resources.Resources.JobsQueue (AWS::SQS::Queue)"}));
  EXPECT_EQ(m->provider.at("name"), json::value("aws"));
  EXPECT_EQ(m->document.at("custom").at("tableName"), json::value("shop-dev-users"));
  EXPECT_NE(m->FindFunction("auth"), nullptr);
  EXPECT_EQ(m->FindFunction("nope"), nullptr);
}

TEST(ManifestTest, StageAndRegionFromOptionsWin) {
  LoadOptions options;
  options.stage = "prod";
  options.region = "eu-central-1";
  auto m = LoadFull(options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->stage, "prod");
  EXPECT_EQ(m->region, "eu-central-1");
  EXPECT_EQ(m->functions[0].name, "shop-prod-api");
  EXPECT_EQ(m->tables[0].properties.at("TableName"), json::value("shop-prod-users"));
}

TEST(ManifestTest, DefaultsWhenProviderSaysLittle) {
  auto m = LoadManifestFromText(
      "service: tiny\nprovider:\n  name: aws\n  runtime: python3.12\n  stage: qa\n"
      "  region: eu-west-1\nfunctions:\n  hello:\n    handler: app.main\n",
      "/srv/tiny", "serverless.yml", {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->stage, "qa");
  EXPECT_EQ(m->region, "eu-west-1");
  EXPECT_EQ(m->dir, "/srv/tiny");
  EXPECT_EQ(m->file, "/srv/tiny/serverless.yml");
  const FunctionDef& fn = m->functions.at(0);
  EXPECT_EQ(fn.name, "tiny-qa-hello");
  EXPECT_EQ(fn.memory_mb, 1024);
  EXPECT_EQ(fn.timeout_s, 6);
  EXPECT_EQ(fn.ephemeral_mb, 512);
  EXPECT_EQ(fn.architecture, "x86_64");
  EXPECT_TRUE(fn.environment.empty());
  EXPECT_TRUE(m->unsupported.empty());
}

TEST(ManifestTest, CapacityProviderSetsInvocationsPerInstance) {
  auto m = LoadManifestFromText(
      "service: mc\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n"
      "  one:\n    handler: a.h\n"
      "  named:\n    handler: a.h\n    capacityProvider: shared\n"
      "  sized:\n    handler: a.h\n    capacityProvider: {name: shared, maxConcurrency: 8, "
      "memoryPerVCpu: 4}\n",
      "/srv/mc", "serverless.yml", {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->functions.at(0).max_concurrency, 1);   // Lambda's usual model
  EXPECT_EQ(m->functions.at(1).max_concurrency, 64);  // Lambda's default for Node.js
  EXPECT_EQ(m->functions.at(2).max_concurrency, 8);
  EXPECT_EQ(m->unsupported,
            (std::vector<std::string>{"functions.sized.capacityProvider.memoryPerVCpu"}));
  auto bad = LoadManifestFromText(
      "service: mc\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n"
      "  f:\n    handler: a.h\n    capacityProvider: {maxConcurrency: 0}\n",
      "/srv/mc", "serverless.yml", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("serverless.yml:8"), std::string::npos)
      << bad.status().message();
}

TEST(ManifestTest, StageSpecificDotenvFile) {
  TempDir dir;
  dir.Write("serverless.yml",
            "service: s\nuseDotenv: true\nprovider: {name: aws, runtime: nodejs20.x}\n"
            "functions:\n  f:\n    handler: h.main\n    environment: {V: '${env:V}'}\n");
  dir.Write(".env", "V=plain\n");
  dir.Write(".env.prod", "V=prod-value\n");
  auto dev = LoadManifest(dir.Abs("serverless.yml"), {});
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ(dev->functions[0].environment.at("V"), json::value("plain"));
  LoadOptions prod;
  prod.stage = "prod";
  auto p = LoadManifest(dir.Abs("serverless.yml"), prod);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->functions[0].environment.at("V"), json::value("prod-value"));
  // The real environment beats the file.
  LoadOptions with_env;
  with_env.env = {{"V", "process"}};
  auto e = LoadManifest(dir.Abs("serverless.yml"), with_env);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->functions[0].environment.at("V"), json::value("process"));
}

TEST(ManifestTest, DotenvIsIgnoredWithoutUseDotenv) {
  TempDir dir;
  dir.Write("serverless.yml",
            "service: s\nprovider: {name: aws, runtime: nodejs20.x}\n"
            "custom: {v: '${env:V, \"unset\"}'}\n");
  dir.Write(".env", "V=plain\n");
  auto m = LoadManifest(dir.Abs("serverless.yml"), {});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->document.at("custom").at("v"), json::value("unset"));
}

TEST(ManifestTest, FunctionsAndResourcesMayBeListsOfFiles) {
  TempDir dir;
  dir.Write(
      "serverless.yml",
      "service: s\nprovider: {name: aws, runtime: nodejs20.x}\n"
      "functions:\n  - ${file(./fns.yml)}\n  - extra: {handler: e.main}\n"
      "resources:\n  - ${file(./tables.yml)}\n  - Resources: {Bucket: {Type: AWS::S3::Bucket}}\n");
  dir.Write("fns.yml", "one: {handler: one.main}\ntwo: {handler: two.main, memorySize: 2048}\n");
  dir.Write("tables.yml",
            "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
            "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
            "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n");
  auto m = LoadManifest(dir.Abs("serverless.yml"), {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->functions.size(), 3u);
  EXPECT_EQ(m->functions[0].key, "one");
  EXPECT_EQ(m->functions[1].memory_mb, 2048);
  EXPECT_EQ(m->functions[2].key, "extra");
  ASSERT_EQ(m->tables.size(), 1u);
  EXPECT_EQ(m->unsupported,
            std::vector<std::string>{"resources[1].Resources.Bucket (AWS::S3::Bucket)"});
}

TEST(ManifestTest, YamlErrorsNameTheFile) {
  TempDir dir;
  dir.Write("serverless.yml", "service: s\nprovider:\n  name: aws\n    runtime: x\n");
  auto bad = LoadManifest(dir.Abs("serverless.yml"), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("serverless.yml:4:", 0), 0u) << bad.status().message();

  dir.Write("serverless.yml",
            "service: s\nprovider: {name: aws, runtime: nodejs20.x}\ncustom: ${file(./c.yml)}\n");
  dir.Write("c.yml", "ok: 1\nbroken: [\n");
  auto included = LoadManifest(dir.Abs("serverless.yml"), {});
  ASSERT_FALSE(included.ok());
  EXPECT_EQ(included.status().message().rfind("c.yml:", 0), 0u) << included.status().message();
}

TEST(ManifestTest, MissingFileIsNotFound) {
  auto m = LoadManifest("/nonexistent/dir/serverless.yml", {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kNotFound);
}

TEST(NamingTest, LogicalIdsAndNames) {
  EXPECT_EQ(FunctionLogicalId("hello"), "HelloLambdaFunction");
  // v3's naming.js upper-cases only the first letter (the reference's
  // "CreateDashUser" example is not what v3 produces).
  EXPECT_EQ(FunctionLogicalId("create-user"), "CreateDashuserLambdaFunction");
  EXPECT_EQ(FunctionLogicalId("get_item-v2"), "GetUnderscoreitemDashv2LambdaFunction");
  EXPECT_EQ(LogGroupLogicalId("hello"), "HelloLogGroup");
  EXPECT_EQ(DefaultFunctionName("svc", "dev", "hello"), "svc-dev-hello");
  EXPECT_EQ(LogGroupName("svc-dev-hello"), "/aws/lambda/svc-dev-hello");
  EXPECT_EQ(StackName("svc", "dev"), "svc-dev");
  EXPECT_EQ(HttpApiName("svc", "dev"), "dev-svc");
  EXPECT_EQ(RestApiName("svc", "dev", false), "dev-svc");
  EXPECT_EQ(RestApiName("svc", "dev", true), "svc-dev");
  EXPECT_EQ(ExecutionRoleName("svc", "dev", "us-east-1"), "svc-dev-us-east-1-lambdaRole");
}

}  // namespace
}  // namespace nimbus::manifest
