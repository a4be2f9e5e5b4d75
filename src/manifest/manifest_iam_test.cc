// Execution roles read from serverless.yml (manifest_iam.cc): the role v3
// generates, existing roles, AWS::IAM::Role resources, the
// serverless-iam-roles-per-function plugin, and the errors with positions.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "manifest/manifest.h"

namespace nimbus::manifest {
namespace {

namespace json = boost::json;

const std::string kHead = "service: shop\nprovider:\n  name: aws\n  runtime: nodejs20.x\n";

Result<Manifest> Load(const std::string& yaml, const LoadOptions& options = {}) {
  return LoadManifestFromText(yaml, "/srv/shop", "serverless.yml", options);
}

std::string ErrorOf(const std::string& yaml) {
  auto m = Load(yaml);
  return m.ok() ? "loaded" : m.status().message();
}

std::string Json(const json::value& v) {
  return json::serialize(v);
}

const json::array& Statements(const RoleDef& role, size_t policy = 0) {
  return role.policies.at(policy).document.at("Statement").get_array();
}

constexpr const char* kLambdaTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
    R"({"Service":["lambda.amazonaws.com"]},"Action":["sts:AssumeRole"]}]})";

TEST(ManifestIamTest, GeneratesTheSharedRoleAsV3Does) {
  auto m = Load(kHead +
                "  iam:\n"
                "    role:\n"
                "      statements:\n"
                "        - Effect: Allow\n"
                "          Action: [dynamodb:PutItem, dynamodb:GetItem]\n"
                "          Resource: !GetAtt Table.Arn\n"
                "        - Effect: Allow\n"
                "          Action: s3:GetObject\n"
                "          Resource:\n"
                "            - Fn::Join: ['', ['arn:aws:s3:::', !Ref Bucket, '/*']]\n"
                "      managedPolicies:\n"
                "        - arn:aws:iam::aws:policy/service-role/AWSLambdaRole\n"
                "functions:\n"
                "  api:\n    handler: h.api\n"
                "  worker:\n    handler: h.worker\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->unsupported.empty()) << m->unsupported.front();
  ASSERT_EQ(m->roles.size(), 1u);
  const RoleDef& role = m->roles[0];
  EXPECT_EQ(role.logical_id, "IamRoleLambdaExecution");
  EXPECT_EQ(role.name, json::value("shop-dev-us-east-1-lambdaRole"));
  EXPECT_EQ(role.path, "/");
  EXPECT_EQ(Json(role.trust_policy), kLambdaTrust);
  ASSERT_EQ(role.policies.size(), 1u);
  EXPECT_EQ(role.policies[0].name, json::value("shop-dev-lambda"));
  EXPECT_EQ(role.policies[0].document.at("Version"), json::value("2012-10-17"));
  const json::array& s = Statements(role);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(Json(s[0]),
            R"({"Effect":"Allow","Action":["logs:CreateLogStream","logs:CreateLogGroup",)"
            R"("logs:TagResource"],"Resource":[{"Fn::Sub":"arn:${AWS::Partition}:logs:)"
            R"(${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/shop-dev*:*"}]})");
  EXPECT_EQ(Json(s[1]),
            R"({"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":[{"Fn::Sub":)"
            R"("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:)"
            R"(/aws/lambda/shop-dev*:*:*"}]})");
  EXPECT_EQ(Json(s[2]), R"({"Effect":"Allow","Action":["dynamodb:PutItem","dynamodb:GetItem"],)"
                        R"("Resource":{"Fn::GetAtt":["Table","Arn"]}})");
  EXPECT_EQ(Json(s[3].at("Resource")),
            R"([{"Fn::Join":["",["arn:aws:s3:::",{"Ref":"Bucket"},"/*"]]}])");
  ASSERT_EQ(role.managed_policy_arns.size(), 1u);
  EXPECT_EQ(role.managed_policy_arns[0],
            json::value("arn:aws:iam::aws:policy/service-role/AWSLambdaRole"));
  for (const FunctionDef& fn : m->functions) {
    EXPECT_EQ(fn.role, "IamRoleLambdaExecution");
    EXPECT_TRUE(fn.role_arn.is_null());
  }
}

TEST(ManifestIamTest, RoleNamePathTagsAndTheSettingsNotEnforced) {
  auto m = Load(kHead +
                "  region: eu-west-1\n"
                "  iam:\n"
                "    deploymentRole: arn:aws:iam::123456789012:role/cfn\n"
                "    role:\n"
                "      name: shop-runtime\n"
                "      path: /services/\n"
                "      permissionsBoundary: arn:aws:iam::123456789012:policy/boundary\n"
                "      tags: {team: core, cost: 7}\n"
                "  rolePermissionsBoundary: arn:aws:iam::123456789012:policy/boundary\n"
                "functions:\n  api:\n    handler: h.api\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->roles.size(), 1u);
  EXPECT_EQ(m->roles[0].name, json::value("shop-runtime"));
  EXPECT_EQ(m->roles[0].path, "/services/");
  EXPECT_EQ(m->roles[0].tags,
            (std::map<std::string, std::string>{{"cost", "7"}, {"team", "core"}}));
  EXPECT_EQ(Statements(m->roles[0]).size(), 2u);  // only the log statements
  EXPECT_EQ(m->unsupported,
            (std::vector<std::string>{"provider.iam.deploymentRole",
                                      "provider.iam.role.permissionsBoundary (not enforced)",
                                      "provider.rolePermissionsBoundary (not enforced)"}));
}

TEST(ManifestIamTest, DeprecatedSpellingsAndTheNewOnesWinning) {
  auto old = Load(kHead +
                  "  iamRoleStatements:\n"
                  "    - {Effect: Allow, Action: sqs:SendMessage, Resource: '*'}\n"
                  "  iamManagedPolicies: [arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess]\n"
                  "functions:\n  api:\n    handler: h.api\n");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_TRUE(old->unsupported.empty());
  ASSERT_EQ(Statements(old->roles[0]).size(), 3u);
  EXPECT_EQ(Statements(old->roles[0])[2].at("Action"), json::value("sqs:SendMessage"));
  EXPECT_EQ(old->roles[0].managed_policy_arns.at(0),
            json::value("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"));

  auto both = Load(kHead +
                   "  iam:\n    role:\n      statements:\n"
                   "        - {Effect: Deny, Action: 'sqs:*', Resource: '*'}\n"
                   "      managedPolicies: []\n"
                   "  iamRoleStatements:\n"
                   "    - {Effect: Allow, Action: sqs:SendMessage, Resource: '*'}\n"
                   "  iamManagedPolicies: [arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess]\n"
                   "functions:\n  api:\n    handler: h.api\n");
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  ASSERT_EQ(Statements(both->roles[0]).size(), 3u);
  EXPECT_EQ(Statements(both->roles[0])[2].at("Effect"), json::value("Deny"));
  EXPECT_TRUE(both->roles[0].managed_policy_arns.empty());
}

TEST(ManifestIamTest, CustomFunctionNamesDisabledLogsAndVpc) {
  auto m = Load(kHead +
                "functions:\n"
                "  api:\n    handler: h.api\n"
                "  quiet:\n    handler: h.quiet\n    disableLogs: true\n"
                "  other:\n    handler: h.other\n    name: billing-report\n    vpc: {}\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const json::array& s = Statements(m->roles.at(0));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(Json(s[0].at("Resource")),
            R"([{"Fn::Sub":"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:)"
            R"(log-group:/aws/lambda/billing-report:*"},{"Fn::Sub":"arn:${AWS::Partition}:)"
            R"(logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/shop-dev*:*"}])");
  EXPECT_EQ(Json(s[1].at("Resource")),
            R"([{"Fn::Sub":"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:)"
            R"(log-group:/aws/lambda/billing-report:*:*"},{"Fn::Sub":"arn:${AWS::Partition}:)"
            R"(logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/shop-dev*:*:*"}])");
  EXPECT_EQ(Json(s[2]), R"({"Effect":"Deny","Action":"logs:PutLogEvents","Resource":[{"Fn::Sub":)"
                        R"("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:)"
                        R"(/aws/lambda/shop-dev-quiet:*"}]})");
  ASSERT_EQ(m->roles[0].managed_policy_arns.size(), 1u);
  EXPECT_EQ(Json(m->roles[0].managed_policy_arns[0]),
            R"({"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},)"
            R"(":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]]})");
}

TEST(ManifestIamTest, AnExistingRoleForTheWholeService) {
  for (const std::string& setting :
       {std::string("  iam:\n    role: arn:aws:iam::123456789012:role/shared\n"),
        std::string("  role: arn:aws:iam::123456789012:role/shared\n")}) {
    auto m = Load(kHead + setting + "functions:\n  api:\n    handler: h.api\n");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_TRUE(m->roles.empty());
    EXPECT_EQ(m->functions[0].role, "");
    EXPECT_EQ(m->functions[0].role_arn, json::value("arn:aws:iam::123456789012:role/shared"));
    EXPECT_TRUE(m->unsupported.empty());
  }
  auto sub = Load(kHead + "  iam:\n    role: !Sub 'arn:aws:iam::${AWS::AccountId}:role/x'\n" +
                  "functions:\n  api:\n    handler: h.api\n");
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  EXPECT_TRUE(sub->roles.empty());
  EXPECT_EQ(Json(sub->functions[0].role_arn),
            R"({"Fn::Sub":"arn:aws:iam::${AWS::AccountId}:role/x"})");
}

const std::string kRoleResource =
    "resources:\n"
    "  Resources:\n"
    "    WorkerRole:\n"
    "      Type: AWS::IAM::Role\n"
    "      Properties:\n"
    "        Path: /workers/\n"
    "        AssumeRolePolicyDocument:\n"
    "          Version: '2012-10-17'\n"
    "          Statement:\n"
    "            - Effect: Allow\n"
    "              Principal: {Service: [lambda.amazonaws.com]}\n"
    "              Action: sts:AssumeRole\n"
    "        Policies:\n"
    "          - PolicyName: queue\n"
    "            PolicyDocument:\n"
    "              Version: '2012-10-17'\n"
    "              Statement:\n"
    "                Effect: Allow\n"
    "                Action: [sqs:SendMessage]\n"
    "                Resource: !Sub 'arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:jobs'\n"
    "        ManagedPolicyArns:\n"
    "          - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n"
    "        Tags: [{Key: team, Value: ops}]\n"
    "        MaxSessionDuration: 7200\n"
    "    NamedRole:\n"
    "      Type: AWS::IAM::Role\n"
    "      Properties:\n"
    "        RoleName: !Sub '${AWS::StackName}-named'\n"
    "        AssumeRolePolicyDocument:\n"
    "          Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, "
    "Action: sts:AssumeRole}]\n";

TEST(ManifestIamTest, FunctionRolesByArnLogicalIdAndGetAtt) {
  auto m = Load(kHead +
                "functions:\n"
                "  byArn:\n    handler: h.a\n    role: arn:aws:iam::123456789012:role/x\n"
                "  byId:\n    handler: h.b\n    role: WorkerRole\n"
                "  byGetAtt:\n    handler: h.c\n    role: !GetAtt NamedRole.Arn\n" +
                kRoleResource);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  // Every function names its role: v3 generates none.
  ASSERT_EQ(m->roles.size(), 2u);
  EXPECT_EQ(m->functions[0].role_arn, json::value("arn:aws:iam::123456789012:role/x"));
  EXPECT_EQ(m->functions[0].role, "");
  EXPECT_EQ(m->functions[1].role, "WorkerRole");
  EXPECT_EQ(m->functions[2].role, "NamedRole");

  const RoleDef* worker = m->FindRole("WorkerRole");
  ASSERT_NE(worker, nullptr);
  // No RoleName: "<stack>-<LogicalId>-<12 hex digits>", the same on every load.
  ASSERT_TRUE(worker->name.is_string());
  std::string name(worker->name.get_string());
  EXPECT_EQ(name.substr(0, 20), "shop-dev-WorkerRole-");
  EXPECT_EQ(name.size(), 32u);
  EXPECT_EQ(
      Load(kHead + "functions:\n  f:\n    handler: h.f\n    role: WorkerRole\n" + kRoleResource)
          ->FindRole("WorkerRole")
          ->name,
      worker->name);
  EXPECT_EQ(worker->path, "/workers/");
  EXPECT_EQ(worker->trust_policy.at("Statement").at(0).at("Action"), json::value("sts:AssumeRole"));
  ASSERT_EQ(worker->policies.size(), 1u);
  EXPECT_EQ(worker->policies[0].name, json::value("queue"));
  EXPECT_EQ(Json(worker->policies[0].document.at("Statement").at("Resource")),
            R"({"Fn::Sub":"arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:jobs"})");
  EXPECT_EQ(worker->managed_policy_arns.size(), 1u);
  EXPECT_EQ(worker->tags.at("team"), "ops");
  EXPECT_EQ(Json(m->FindRole("NamedRole")->name), R"({"Fn::Sub":"${AWS::StackName}-named"})");
  EXPECT_EQ(
      m->unsupported,
      (std::vector<std::string>{"resources.Resources.WorkerRole.Properties.MaxSessionDuration"}));
}

TEST(ManifestIamTest, SharedRoleStillMadeWhenSomeFunctionsHaveNoRole) {
  auto m = Load(kHead + "functions:\n  a:\n    handler: h.a\n    role: WorkerRole\n" +
                "  b:\n    handler: h.b\n" + kRoleResource);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->roles.size(), 3u);
  EXPECT_EQ(m->roles[0].logical_id, "IamRoleLambdaExecution");
  EXPECT_EQ(m->roles[1].logical_id, "WorkerRole");
  EXPECT_EQ(m->functions[1].role, "IamRoleLambdaExecution");
}

const std::string kPluginHead =
    "service: shop\nplugins:\n  - serverless-iam-roles-per-function\n"
    "provider:\n  name: aws\n  runtime: nodejs20.x\n"
    "  iam:\n    role:\n      statements:\n"
    "        - {Effect: Allow, Action: 'sns:Publish', Resource: '*'}\n";

TEST(ManifestIamTest, PluginRolesPerFunction) {
  auto m = Load(kPluginHead +
                "functions:\n"
                "  writer:\n    handler: h.w\n    iamRoleStatements:\n"
                "      - {Effect: Allow, Action: dynamodb:PutItem, Resource: !GetAtt Table.Arn}\n"
                "  inheritor:\n    handler: h.i\n    iamRoleStatementsInherit: true\n"
                "    iamRoleStatementsName: my-own-role\n    iamRoleStatements: []\n"
                "  plain:\n    handler: h.p\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->unsupported.empty()) << m->unsupported.front();
  ASSERT_EQ(m->roles.size(), 3u);
  EXPECT_EQ(m->functions[0].role, "WriterIamRoleLambdaExecution");
  EXPECT_EQ(m->functions[1].role, "InheritorIamRoleLambdaExecution");
  EXPECT_EQ(m->functions[2].role, "IamRoleLambdaExecution");

  const RoleDef& writer = *m->FindRole("WriterIamRoleLambdaExecution");
  EXPECT_EQ(writer.name, json::value("shop-dev-writer-us-east-1-lambdaRole"));
  EXPECT_EQ(Json(writer.trust_policy), kLambdaTrust);
  EXPECT_EQ(writer.policies.at(0).name, json::value("shop-dev-lambda"));
  const json::array& s = Statements(writer);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(Json(s[0]),
            R"({"Effect":"Allow","Action":["logs:CreateLogStream","logs:CreateLogGroup",)"
            R"("logs:PutLogEvents"],"Resource":[{"Fn::Sub":"arn:${AWS::Partition}:logs:)"
            R"(${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/shop-dev-writer:*:*"}]})");
  EXPECT_EQ(s[1].at("Action"), json::value("dynamodb:PutItem"));
  EXPECT_TRUE(writer.managed_policy_arns.empty());

  const RoleDef& inheritor = *m->FindRole("InheritorIamRoleLambdaExecution");
  EXPECT_EQ(inheritor.name, json::value("my-own-role"));
  ASSERT_EQ(Statements(inheritor).size(), 2u);
  EXPECT_EQ(Statements(inheritor)[1].at("Action"), json::value("sns:Publish"));
}

TEST(ManifestIamTest, PluginDefaultInheritAndLongNames) {
  auto m = Load(kPluginHead +
                "custom:\n  serverless-iam-roles-per-function:\n    defaultInherit: true\n"
                "functions:\n"
                "  a-rather-long-function-key-for-this:\n    handler: h.a\n"
                "    iamRoleStatements: []\n"
                "  b:\n    handler: h.b\n    iamRoleStatementsInherit: false\n"
                "    iamRoleStatements: []\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const RoleDef& a = *m->FindRole(
      "ADashratherDashlongDashfunctionDashkeyDashforDashthis"
      "IamRoleLambdaExecution");
  // Over 64 characters with "-lambdaRole": the plugin drops the suffix.
  EXPECT_EQ(a.name, json::value("shop-dev-a-rather-long-function-key-for-this-us-east-1"));
  EXPECT_EQ(Statements(a).size(), 2u);  // inherited
  EXPECT_EQ(Statements(*m->FindRole("BIamRoleLambdaExecution")).size(), 1u);

  EXPECT_EQ(ErrorOf(kPluginHead + "functions:\n"
                                  "  a-function-key-so-long-that-no-role-name-can-hold-it-at-all:\n"
                                  "    handler: h.a\n    name: short\n    iamRoleStatements: []\n"),
            "serverless.yml:15:24: the role name generated for function "
            "\"a-function-key-so-long-that-no-role-name-can-hold-it-at-all\" "
            "(\"shop-dev-a-function-key-so-long-that-no-role-name-can-hold-it-at-all-us-east-1\")"
            " is longer than IAM's 64 characters: set iamRoleStatementsName");
}

TEST(ManifestIamTest, WithoutThePluginFunctionStatementsAreReported) {
  auto m = Load(kHead + "functions:\n  a:\n    handler: h.a\n    iamRoleStatements: []\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->unsupported,
            (std::vector<std::string>{"functions.a.iamRoleStatements (needs plugins: "
                                      "[serverless-iam-roles-per-function])"}));
  ASSERT_EQ(m->roles.size(), 1u);
  EXPECT_EQ(m->functions[0].role, "IamRoleLambdaExecution");
}

TEST(ManifestIamTest, NoFunctionsNoGeneratedRole) {
  auto m = Load(kHead);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->roles.empty());
}

TEST(ManifestIamTest, StatementErrorsCarryPositions) {
  const std::string statements = kHead + "  iam:\n    role:\n      statements:\n";
  EXPECT_EQ(ErrorOf(statements + "        - {Effect: Permit, Action: 's3:*', Resource: '*'}\n"),
            "serverless.yml:8:20: Effect must be Allow or Deny, got \"Permit\"");
  EXPECT_EQ(ErrorOf(statements + "        - {Effect: Allow, Action: 's3:*'}\n"),
            "serverless.yml:8:11: the statement at provider.iam.role.statements[0] needs "
            "Resource (or NotResource)");
  EXPECT_EQ(ErrorOf(statements + "        - {Effect: Allow, Resource: '*'}\n"),
            "serverless.yml:8:11: the statement at provider.iam.role.statements[0] needs "
            "Action (or NotAction)");
  EXPECT_EQ(
      ErrorOf(statements +
              "        - {Effect: Allow, Action: 's3:*', NotAction: 'sqs:*', Resource: '*'}\n"),
      "serverless.yml:8:54: a statement has Action or NotAction, not both");
  EXPECT_EQ(ErrorOf(statements +
                    "        - {Effect: Allow, Action: 's3:*', Resource: '*', Actions: x}\n"),
            "serverless.yml:8:67: unknown key \"Actions\" in an IAM statement (allowed: Sid, "
            "Effect, Action, NotAction, Resource, NotResource, Principal, NotPrincipal, "
            "Condition)");
  EXPECT_EQ(ErrorOf(statements + "        - {Effect: Allow, Action: [GetItem], Resource: '*'}\n"),
            "serverless.yml:8:36: action \"GetItem\" must be written service:Action, e.g. "
            "dynamodb:GetItem");
  EXPECT_EQ(ErrorOf(statements + "        - {Effect: Allow, Action: 's3:*', Resource: [1]}\n"),
            "serverless.yml:8:54: provider.iam.role.statements[0].Resource[0] must be a string "
            "or an intrinsic function, not a number");
  EXPECT_EQ(ErrorOf(statements + "        Effect: Allow\n"),
            "serverless.yml:8:9: provider.iam.role.statements must be a list of IAM "
            "statements, not a mapping");
  EXPECT_EQ(ErrorOf(kHead + "  iamRoleStatements:\n    - Allow everything\n"),
            "serverless.yml:6:7: provider.iamRoleStatements[0] must be a mapping with Effect, "
            "Action and Resource, not a string");
}

TEST(ManifestIamTest, RoleErrorsCarryPositions) {
  EXPECT_EQ(ErrorOf(kHead + "  iam:\n    role: 3\n"),
            "serverless.yml:6:11: provider.iam.role must be an existing role's ARN or a mapping "
            "(name, path, statements, managedPolicies, tags), not a number");
  EXPECT_EQ(ErrorOf(kHead + "  iam:\n    role:\n      name: 'has space'\n"),
            "serverless.yml:7:13: role name \"has space\" may contain only letters, digits and "
            "_+=,.@-");
  EXPECT_EQ(ErrorOf(kHead + "  iam:\n    role:\n      path: services\n"),
            "serverless.yml:7:13: role path \"services\" must be / or start and end with /, "
            "e.g. /service/");
  EXPECT_EQ(ErrorOf(kHead + "  iam:\n    role:\n      managedPolicies: [AmazonS3ReadOnly]\n"),
            "serverless.yml:7:25: provider.iam.role.managedPolicies[0] must be a policy ARN "
            "such as arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
  EXPECT_EQ(ErrorOf("service: a-service-name-that-is-rather-long-indeed\n"
                    "provider:\n  name: aws\n  runtime: nodejs20.x\n  region: ap-southeast-2\n"
                    "functions:\n  f:\n    handler: h.f\n"),
            "serverless.yml:1:10: role name "
            "\"a-service-name-that-is-rather-long-indeed-dev-ap-southeast-2-lambdaRole\" is "
            "longer than IAM's 64 characters: set provider.iam.role.name");
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  f:\n    handler: h.f\n    role: MissingRole\n"),
            "serverless.yml:8:11: role \"MissingRole\" is not an AWS::IAM::Role under "
            "resources.Resources (a role must be a role ARN (arn:aws:iam::ACCOUNT:role/NAME), "
            "the logical id of an AWS::IAM::Role under resources.Resources, or "
            "Fn::GetAtt/Fn::Sub/Fn::Join)");
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  f:\n    handler: h.f\n"
                            "    role: arn:aws:s3:::bucket\n"),
            "serverless.yml:8:11: \"arn:aws:s3:::bucket\" is not a role ARN "
            "(arn:aws:iam::ACCOUNT:role/NAME)");
  EXPECT_EQ(ErrorOf(kHead + "functions:\n  f:\n    handler: h.f\n"
                            "    role: !ImportValue shared-role-arn\n"),
            "serverless.yml:8:11: Fn::ImportValue is not supported by Nimbus (there are no "
            "other stacks to import from): give the role's ARN");
  EXPECT_EQ(ErrorOf("service: shop\nplugins: [serverless-iam-roles-per-function]\n"
                    "provider: {name: aws, runtime: nodejs20.x}\n"
                    "functions:\n  f:\n    handler: h.f\n    role: arn:aws:iam::1:role/r\n"
                    "    iamRoleStatements: []\n"),
            "serverless.yml:7:11: function \"f\" has both role and iamRoleStatements: give its "
            "statements to that role, or drop role");
}

TEST(ManifestIamTest, RoleResourceErrorsCarryPositions) {
  const std::string head = kHead + "resources:\n  Resources:\n    R:\n      Type: AWS::IAM::Role\n";
  EXPECT_EQ(ErrorOf(head),
            "serverless.yml:8:7: role R needs Properties with AssumeRolePolicyDocument");
  EXPECT_EQ(ErrorOf(head + "      Properties: {RoleName: r}\n"),
            "serverless.yml:9:19: role R needs AssumeRolePolicyDocument (who may assume it, "
            "e.g. Principal: {Service: lambda.amazonaws.com})");
  EXPECT_EQ(ErrorOf(head + "      Properties:\n        AssumeRolePolicyDocument:\n"
                           "          Statement: [{Effect: Allow, Action: sts:AssumeRole}]\n"),
            "serverless.yml:11:23: the statement at "
            "resources.Resources.R.Properties.AssumeRolePolicyDocument.Statement[0] needs "
            "Principal (or NotPrincipal)");
  EXPECT_EQ(ErrorOf(head + "      Properties:\n        AssumeRolePolicyDocument:\n"
                           "          Statement: {Effect: Allow, Principal: '*', "
                           "Action: sts:AssumeRole}\n"
                           "        Policies:\n          - PolicyName: p\n"),
            "serverless.yml:13:13: the policy at resources.Resources.R.Properties.Policies[0] "
            "needs PolicyDocument");
  EXPECT_EQ(ErrorOf(head + "      Properties:\n        AssumeRolePolicyDocument:\n"
                           "          Statement: {Effect: Allow, Principal: '*', "
                           "Action: sts:AssumeRole}\n"
                           "        Policies:\n          - PolicyName: p\n"
                           "            PolicyDocument: {Version: '2012-10-17', Statements: []}\n"),
            "serverless.yml:14:65: unknown key \"Statements\" in a policy document (allowed: "
            "Version, Id, Statement)");
}

}  // namespace
}  // namespace nimbus::manifest
