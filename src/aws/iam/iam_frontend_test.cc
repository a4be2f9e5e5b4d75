#include "aws/iam/iam_frontend.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "aws/frontend_test_util.h"
#include "core/encoding.h"

namespace nimbus::aws {
namespace {

constexpr const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
    R"("Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",)"
    R"("Resource":"*"}]})";
constexpr const char* kBasic =
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

using Fields = std::vector<std::pair<std::string, std::string>>;

std::string Form(const Fields& fields) {
  std::string out = "Version=2010-05-08";
  for (const auto& [k, v] : fields) out += "&" + UriEncode(k, false) + "=" + UriEncode(v, false);
  return out;
}

// The text of the first element `xpath` selects in an XML answer.
std::string XmlText(const net::HttpResponse& r, const char* xpath) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(r.body.c_str())) << r.body;
  return doc.select_node(xpath).node().text().get();
}

size_t XmlCount(const net::HttpResponse& r, const char* xpath) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(r.body.c_str())) << r.body;
  return doc.select_nodes(xpath).size();
}

class IamFrontendTest : public ::testing::Test {
 protected:
  IamFrontendTest() : kv_(store::NewMemoryStore()), iam_(*kv_, iam::IamOptions{}), frontend_(iam_),
                      h_(frontend_, "iam") {
    EXPECT_TRUE(iam_.Open().ok());
  }
  net::HttpResponse Call(const std::string& action, Fields fields = {}) {
    fields.insert(fields.begin(), {"Action", action});
    return h_.Query(Form(fields));
  }
  net::HttpResponse CreateRole(const std::string& name, const std::string& trust = kTrust) {
    return Call("CreateRole", {{"RoleName", name}, {"AssumeRolePolicyDocument", trust}});
  }

  std::unique_ptr<store::KvStore> kv_;
  iam::IamService iam_;
  IamFrontend frontend_;
  FrontendHarness h_;
};

TEST_F(IamFrontendTest, CreatesAndReadsRolesWithUrlEncodedDocuments) {
  auto created = Call("CreateRole", {{"RoleName", "app"},
                                     {"Path", "/svc/"},
                                     {"AssumeRolePolicyDocument", kTrust},
                                     {"Description", "a <role> & more"},
                                     {"MaxSessionDuration", "7200"},
                                     {"Tags.member.1.Key", "team"},
                                     {"Tags.member.1.Value", "core"},
                                     {"Tags.member.2.Key", "env"}});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(HeaderOf(created, "Content-Type"), "text/xml");
  EXPECT_EQ(HeaderOf(created, "x-amzn-RequestId"), "req-1");
  EXPECT_EQ(XmlText(created, "/CreateRoleResponse/CreateRoleResult/Role/Arn"),
            "arn:aws:iam::000000000000:role/svc/app");
  EXPECT_EQ(XmlText(created, "//Role/AssumeRolePolicyDocument"), UriEncode(kTrust, false));
  EXPECT_EQ(XmlText(created, "//Role/Description"), "a <role> & more");
  EXPECT_EQ(XmlText(created, "//Role/MaxSessionDuration"), "7200");
  EXPECT_EQ(XmlCount(created, "//Role/Tags/member"), 2u);
  EXPECT_EQ(XmlText(created, "//Role/Tags/member[2]/Key"), "env");
  EXPECT_EQ(XmlText(created, "//Role/Tags/member[2]/Value"), "");
  EXPECT_EQ(XmlText(created, "/CreateRoleResponse/ResponseMetadata/RequestId"), "req-1");

  auto got = Call("GetRole", {{"RoleName", "APP"}});  // names are case-insensitive
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(XmlText(got, "//GetRoleResult/Role/RoleName"), "app");
  // The members in IAM's order, as botocore's parser reads them.
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(got.body.c_str()));
  std::vector<std::string> order;
  for (auto n : doc.select_node("//Role").node().children()) order.push_back(n.name());
  EXPECT_EQ(order, (std::vector<std::string>{"Path", "RoleName", "RoleId", "Arn", "CreateDate",
                                             "AssumeRolePolicyDocument", "Description",
                                             "MaxSessionDuration", "Tags"}));
}

TEST_F(IamFrontendTest, ListsRolesAPageAtATime) {
  for (const char* name : {"a", "b", "c"}) ASSERT_EQ(CreateRole(name).status, 200);
  auto first = Call("ListRoles", {{"MaxItems", "2"}});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(XmlCount(first, "//ListRolesResult/Roles/member"), 2u);
  EXPECT_EQ(XmlCount(first, "//Roles/member/Tags"), 0u);
  EXPECT_EQ(XmlText(first, "//ListRolesResult/IsTruncated"), "true");
  std::string marker = XmlText(first, "//ListRolesResult/Marker");
  ASSERT_FALSE(marker.empty());
  auto rest = Call("ListRoles", {{"MaxItems", "2"}, {"Marker", marker}});
  EXPECT_EQ(XmlCount(rest, "//Roles/member"), 1u);
  EXPECT_EQ(XmlText(rest, "//Roles/member/RoleName"), "c");
  EXPECT_EQ(XmlText(rest, "//IsTruncated"), "false");
  EXPECT_EQ(XmlCount(rest, "//Marker"), 0u);
}

TEST_F(IamFrontendTest, ManagesInlineAndAttachedPolicies) {
  ASSERT_EQ(CreateRole("app").status, 200);
  auto put = Call("PutRolePolicy",
                  {{"RoleName", "app"}, {"PolicyName", "read"}, {"PolicyDocument", kPolicy}});
  ASSERT_EQ(put.status, 200) << put.body;
  // An answer without a result has no Result element.
  EXPECT_EQ(put.body,
            "<PutRolePolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
            "</PutRolePolicyResponse>");
  auto got = Call("GetRolePolicy", {{"RoleName", "app"}, {"PolicyName", "read"}});
  EXPECT_EQ(got.body,
            "<GetRolePolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<GetRolePolicyResult><RoleName>app</RoleName><PolicyName>read</PolicyName>"
            "<PolicyDocument>" + UriEncode(kPolicy, false) + "</PolicyDocument>"
            "</GetRolePolicyResult>"
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
            "</GetRolePolicyResponse>");
  auto names = Call("ListRolePolicies", {{"RoleName", "app"}});
  EXPECT_EQ(XmlText(names, "//ListRolePoliciesResult/PolicyNames/member"), "read");
  EXPECT_EQ(XmlText(names, "//ListRolePoliciesResult/IsTruncated"), "false");

  EXPECT_EQ(Call("AttachRolePolicy", {{"RoleName", "app"}, {"PolicyArn", kBasic}}).status, 200);
  auto attached = Call("ListAttachedRolePolicies", {{"RoleName", "app"}});
  EXPECT_EQ(XmlText(attached, "//AttachedPolicies/member/PolicyName"),
            "AWSLambdaBasicExecutionRole");
  EXPECT_EQ(XmlText(attached, "//AttachedPolicies/member/PolicyArn"), kBasic);
  auto policy = Call("GetPolicy", {{"PolicyArn", kBasic}});
  EXPECT_EQ(XmlText(policy, "//GetPolicyResult/Policy/Path"), "/service-role/");
  std::string version = XmlText(policy, "//Policy/DefaultVersionId");
  auto doc = Call("GetPolicyVersion", {{"PolicyArn", kBasic}, {"VersionId", version}});
  ASSERT_EQ(doc.status, 200) << doc.body;
  EXPECT_NE(PercentDecode(XmlText(doc, "//PolicyVersion/Document")).find("logs:PutLogEvents"),
            std::string::npos);
  EXPECT_EQ(XmlText(doc, "//PolicyVersion/IsDefaultVersion"), "true");

  EXPECT_EQ(Call("DetachRolePolicy", {{"RoleName", "app"}, {"PolicyArn", kBasic}}).status, 200);
  EXPECT_EQ(Call("DeleteRolePolicy", {{"RoleName", "app"}, {"PolicyName", "read"}}).status, 200);
  EXPECT_EQ(Call("DeleteRole", {{"RoleName", "app"}}).status, 200);
  EXPECT_FALSE(iam_.GetRole("app").ok());
}

TEST_F(IamFrontendTest, ErrorsHaveIamShapes) {
  auto missing = Call("GetRole", {{"RoleName", "none"}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body,
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
            "<Type>Sender</Type><Code>NoSuchEntity</Code>"
            "<Message>The role with name none cannot be found.</Message></Error>"
            "<RequestId>req-1</RequestId></ErrorResponse>");

  ASSERT_EQ(CreateRole("app").status, 200);
  auto dup = CreateRole("app");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(XmlText(dup, "//Error/Code"), "EntityAlreadyExists");

  ASSERT_EQ(Call("AttachRolePolicy", {{"RoleName", "app"}, {"PolicyArn", kBasic}}).status, 200);
  auto conflict = Call("DeleteRole", {{"RoleName", "app"}});
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(XmlText(conflict, "//Error/Code"), "DeleteConflict");

  std::string big = R"({"Version":"2012-10-17","Statement":[)";
  for (int i = 0; i < 40; ++i) {
    big += std::string(i ? "," : "") +
           R"({"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},)"
           R"("Action":"sts:AssumeRole"})";
  }
  auto limit = CreateRole("big", big + "]}");
  EXPECT_EQ(limit.status, 409);
  EXPECT_EQ(XmlText(limit, "//Error/Code"), "LimitExceeded");

  // The IAM service names a bad input's error type.
  auto malformed = Call("PutRolePolicy",
                        {{"RoleName", "app"}, {"PolicyName", "p"}, {"PolicyDocument", "{nope"}});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(XmlText(malformed, "//Error/Code"), "MalformedPolicyDocument");
  auto required = Call("PutRolePolicy", {{"RoleName", "app"}, {"PolicyName", "p"}});
  EXPECT_EQ(required.status, 400);
  EXPECT_EQ(XmlText(required, "//Error/Code"), "ValidationError");
  EXPECT_EQ(XmlText(required, "//Error/Message"),
            "1 validation error detected: Value null at 'policyDocument' failed to satisfy "
            "constraint: Member must not be null");
  auto version = Call("GetPolicyVersion", {{"PolicyArn", kBasic}, {"VersionId", "v99"}});
  EXPECT_EQ(version.status, 404);
  EXPECT_EQ(XmlText(version, "//Error/Code"), "NoSuchEntity");
}

TEST_F(IamFrontendTest, TheErrorTableMapsEveryStatus) {
  const ErrorTable& table = IamSpec().errors;
  struct Row {
    Status status;
    int http;
    std::string type;
  };
  std::vector<Row> rows = {
      {NotFound("x"), 404, "NoSuchEntity"},
      {Status(Code::kAlreadyExists, "x"), 409, "EntityAlreadyExists"},
      {Status(Code::kConflict, "x"), 409, "DeleteConflict"},
      {Status(Code::kResourceExhausted, "x"), 409, "LimitExceeded"},
      {InvalidArgument("x"), 400, "ValidationError"},
      {Status(Code::kInvalidArgument, "x", "InvalidInput"), 400, "InvalidInput"},
      {Status(Code::kPermissionDenied, "x"), 403, "AccessDenied"},
      {Status(Code::kInternal, "x"), 500, "ServiceFailure"},
      {Status(Code::kUnavailable, "x"), 500, "ServiceFailure"},
  };
  for (const Row& row : rows) {
    AwsError e = table.Map(row.status);
    EXPECT_EQ(e.status, row.http) << row.status.ToString();
    EXPECT_EQ(e.type, row.type) << row.status.ToString();
    EXPECT_EQ(e.message, "x");
  }
}

TEST_F(IamFrontendTest, MalformedNumbersAreValidationErrors) {
  auto max = Call("ListRoles", {{"MaxItems", "many"}});
  EXPECT_EQ(max.status, 400);
  EXPECT_EQ(XmlText(max, "//Error/Code"), "ValidationError");
  EXPECT_EQ(XmlText(max, "//Error/Message"),
            "1 validation error detected: Value 'many' at 'maxItems' failed to satisfy "
            "constraint: Member must have value between 1 and 1000");
  EXPECT_EQ(Call("ListRoles", {{"MaxItems", "0"}}).status, 400);
  auto duration = Call("CreateRole", {{"RoleName", "d"},
                                      {"AssumeRolePolicyDocument", kTrust},
                                      {"MaxSessionDuration", "1h"}});
  EXPECT_EQ(duration.status, 400);
  EXPECT_EQ(XmlText(duration, "//Error/Message"), "MaxSessionDuration must be a number of seconds");
  EXPECT_FALSE(iam_.GetRole("d").ok());
}

TEST_F(IamFrontendTest, UnknownAndMissingActionsAreAnsweredInIamShape) {
  auto unknown = Call("CreateUser", {{"UserName", "bob"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(XmlText(unknown, "/ErrorResponse/Error/Code"), "InvalidAction");
  EXPECT_EQ(XmlText(unknown, "//Error/Message"),
            "Nimbus does not implement the IAM action CreateUser (yet)");
  auto none = h_.Query("Version=2010-05-08");
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(XmlText(none, "//Error/Code"), "MissingAction");
  EXPECT_EQ(XmlText(none, "//Error/Message"), "The request must contain the parameter Action.");
}

TEST_F(IamFrontendTest, AnInstanceActsOnlyWhereItsRoleAllows) {
  ASSERT_EQ(Call("CreateRole", {{"RoleName", "mine"},
                                {"Path", "/fn/"},
                                {"AssumeRolePolicyDocument", kTrust}})
                .status,
            200);
  ASSERT_EQ(CreateRole("theirs").status, 200);
  h_.ActAsInstance(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":["iam:GetRole","iam:PutRolePolicy"],
       "Resource":"arn:aws:iam::000000000000:role/fn/*"},
      {"Effect":"Allow","Action":"iam:CreateRole","Resource":"arn:aws:iam::000000000000:role/fn/*"},
      {"Effect":"Allow","Action":"iam:GetPolicy","Resource":")" +
                   std::string(kBasic) + R"("}]})");
  // The role's own ARN (with its path) is what the check sees, though the
  // request names only the role.
  EXPECT_EQ(Call("GetRole", {{"RoleName", "mine"}}).status, 200);
  EXPECT_EQ(Call("PutRolePolicy",
                 {{"RoleName", "mine"}, {"PolicyName", "p"}, {"PolicyDocument", kPolicy}})
                .status,
            200);
  auto denied = Call("GetRole", {{"RoleName", "theirs"}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(XmlText(denied, "//Error/Code"), "AccessDenied");
  EXPECT_NE(XmlText(denied, "//Error/Message")
                .find("is not authorized to perform: iam:GetRole on resource: "
                      "arn:aws:iam::000000000000:role/theirs"),
            std::string::npos);
  // CreateRole is checked on the ARN the new role would have.
  EXPECT_EQ(Call("CreateRole", {{"RoleName", "new"},
                                {"Path", "/fn/"},
                                {"AssumeRolePolicyDocument", kTrust}})
                .status,
            200);
  EXPECT_EQ(CreateRole("outside").status, 403);
  EXPECT_FALSE(iam_.GetRole("outside").ok());
  EXPECT_EQ(Call("ListRoles").status, 403);  // checked on "*"
  EXPECT_EQ(Call("DeleteRole", {{"RoleName", "theirs"}}).status, 403);
  EXPECT_TRUE(iam_.GetRole("theirs").ok());
  EXPECT_EQ(Call("GetPolicy", {{"PolicyArn", kBasic}}).status, 200);
  EXPECT_EQ(Call("GetPolicyVersion", {{"PolicyArn", kBasic}, {"VersionId", "v1"}}).status, 403);
}

}  // namespace
}  // namespace nimbus::aws
