#include "iam/iam_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "iam/managed_policies.h"
#include "iam/role_codec.h"

namespace nimbus::iam {
namespace {

constexpr char kLambdaTrust[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
    R"("Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
constexpr char kTablePolicy[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem"],)"
    R"("Resource":"arn:aws:dynamodb:us-east-1:000000000000:table/Todos"}]})";
constexpr char kBasic[] = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
constexpr std::string_view kTable = "arn:aws:dynamodb:us-east-1:000000000000:table/Todos";

class IamServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    iam_ = std::make_unique<IamService>(*kv_, IamOptions{});
    ASSERT_TRUE(iam_->Open().ok());
  }
  Role Create(const std::string& name, const std::string& path = "/") {
    CreateRoleInput in;
    in.name = name;
    in.path = path;
    in.assume_role_policy = kLambdaTrust;
    auto r = iam_->CreateRole(in);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Role{};
  }
  Decision Check(const std::string& arn, std::string_view action, std::string_view resource) {
    auto policies = iam_->PoliciesForRole(arn);
    EXPECT_TRUE(policies.ok()) << policies.status().ToString();
    if (!policies.ok()) return Decision::kImplicitDeny;
    return Evaluate((*policies)->policies, AccessRequest{action, resource, nullptr});
  }

  std::unique_ptr<store::KvStore> kv_ = store::NewMemoryStore();
  std::unique_ptr<IamService> iam_;
};

void ExpectError(const Status& s, Code code, const std::string& reason,
                 const std::string& message = "") {
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_EQ(s.reason(), reason) << s.ToString();
  if (!message.empty()) {
    EXPECT_EQ(s.message(), message);
  }
}

TEST_F(IamServiceTest, CreateAndGet) {
  CreateRoleInput in;
  in.name = "svc-dev-us-east-1-lambdaRole";
  in.path = "/service-role/";
  in.assume_role_policy = kLambdaTrust;
  in.description = "execution role";
  in.max_session_duration = 7200;
  in.tags = {{"team", "blue"}};
  auto r = iam_->CreateRole(in);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->arn, "arn:aws:iam::000000000000:role/service-role/svc-dev-us-east-1-lambdaRole");
  EXPECT_EQ(r->role_id.size(), 21u);
  EXPECT_EQ(r->role_id.substr(0, 4), "AROA");
  for (char c : r->role_id) EXPECT_TRUE(std::isupper(c) || std::isdigit(c)) << r->role_id;
  EXPECT_GT(r->create_date_ms, 0);
  EXPECT_EQ(r->assume_role_policy, kLambdaTrust);

  auto got = iam_->GetRole("SVC-DEV-US-EAST-1-LAMBDAROLE");  // names ignore case
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "svc-dev-us-east-1-lambdaRole");
  EXPECT_EQ(got->role_id, r->role_id);
  EXPECT_EQ(got->max_session_duration, 7200);
  ASSERT_EQ(got->tags.size(), 1u);
  EXPECT_EQ(got->tags[0].value, "blue");
  EXPECT_EQ(iam_->GetRoleByArn(r->arn)->name, r->name);
  ExpectError(
      iam_->GetRoleByArn("arn:aws:iam::000000000000:role/svc-dev-us-east-1-lambdaRole").status(),
      Code::kNotFound, "NoSuchEntity");
  ExpectError(iam_->GetRole("nope").status(), Code::kNotFound, "NoSuchEntity",
              "The role with name nope cannot be found.");
  EXPECT_TRUE(iam_->TrustsService(r->arn, "lambda.amazonaws.com"));
  EXPECT_FALSE(iam_->TrustsService(r->arn, "scheduler.amazonaws.com"));
  EXPECT_FALSE(iam_->TrustsService("arn:aws:iam::000000000000:role/none", "lambda.amazonaws.com"));
}

TEST_F(IamServiceTest, NamesAreUniqueIgnoringCase) {
  Create("Worker");
  CreateRoleInput in;
  in.name = "worker";
  in.assume_role_policy = kLambdaTrust;
  ExpectError(iam_->CreateRole(in).status(), Code::kAlreadyExists, "EntityAlreadyExists",
              "Role with name worker already exists.");
}

TEST_F(IamServiceTest, CreateValidation) {
  CreateRoleInput in;
  in.assume_role_policy = kLambdaTrust;
  for (std::string bad : {std::string(""), std::string(65, 'a'), std::string("a b"),
                          std::string("a/b"), std::string("caf\xc3\xa9")}) {
    in.name = bad;
    ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  }
  in.name = std::string(64, 'a');
  in.path = "service-role";
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.path = "/a b/";
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.path = "//";
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.path = "/";
  in.max_session_duration = 3599;
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.max_session_duration = 43201;
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.max_session_duration = 43200;
  in.description = std::string(1001, 'd');
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.description.clear();
  in.tags = {{"Team", "a"}, {"team", "b"}};
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "InvalidInput");
  in.tags = {{"", "a"}};
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.tags = {{"k", "a;b"}};
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.tags.clear();
  for (int i = 0; i < 51; ++i) in.tags.push_back({"k" + std::to_string(i), "v"});
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.tags.clear();

  in.assume_role_policy = R"({"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}})";
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "MalformedPolicyDocument",
              "Missing required field Principal");
  in.assume_role_policy = "";
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.assume_role_policy = "{\"x\":\"\xe2\x82\xac\"}";  // U+20AC is outside \u0020-\u00FF
  ExpectError(iam_->CreateRole(in).status(), Code::kInvalidArgument, "ValidationError");
  in.assume_role_policy = std::string(R"({"Statement":[)");
  for (int i = 0; i < 30; ++i) {
    if (i > 0) in.assume_role_policy += ",";
    in.assume_role_policy += R"({"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},)"
                             R"("Action":"sts:AssumeRole"})";
  }
  in.assume_role_policy += "]}";
  ExpectError(iam_->CreateRole(in).status(), Code::kResourceExhausted, "LimitExceeded",
              "Cannot exceed quota for ACLSizePerRole: 2048");

  std::string next;
  EXPECT_TRUE(iam_->ListRoles("", "", 100, &next).empty());  // nothing half-created
}

TEST_F(IamServiceTest, ListPagination) {
  for (const char* n : {"delta", "Alpha", "charlie", "bravo", "echo"}) Create(n);
  Create("svc", "/service-role/");
  std::string next;
  auto page = iam_->ListRoles("", "", 2, &next);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].name, "Alpha");
  EXPECT_EQ(page[1].name, "bravo");
  EXPECT_EQ(next, "bravo");
  page = iam_->ListRoles("", next, 2, &next);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].name, "charlie");
  EXPECT_EQ(page[1].name, "delta");
  page = iam_->ListRoles("", next, 2, &next);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].name, "echo");
  EXPECT_EQ(page[1].name, "svc");
  EXPECT_EQ(next, "");
  page = iam_->ListRoles("/service-role/", "", 100, &next);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].name, "svc");
  EXPECT_EQ(next, "");
  // Exactly a page's worth: no next page.
  page = iam_->ListRoles("", "", 6, &next);
  EXPECT_EQ(page.size(), 6u);
  EXPECT_EQ(next, "");
  page = iam_->ListRoles("", "", 0, &next);  // clamped to 1
  EXPECT_EQ(page.size(), 1u);
}

TEST_F(IamServiceTest, InlinePolicies) {
  Role r = Create("fn");
  EXPECT_EQ(Check(r.arn, "dynamodb:GetItem", kTable), Decision::kImplicitDeny);
  ASSERT_TRUE(iam_->PutRolePolicy("FN", "table", kTablePolicy).ok());
  EXPECT_EQ(*iam_->GetRolePolicy("fn", "table"), kTablePolicy);
  EXPECT_EQ(Check(r.arn, "dynamodb:GetItem", kTable), Decision::kAllow);  // cache refreshed

  // Replacing the document takes effect at once.
  ASSERT_TRUE(iam_->PutRolePolicy("fn", "table",
                                  R"({"Version":"2012-10-17","Statement":{"Effect":"Deny",
                                  "Action":"dynamodb:*","Resource":"*"}})")
                  .ok());
  EXPECT_EQ(Check(r.arn, "dynamodb:GetItem", kTable), Decision::kExplicitDeny);

  ExpectError(iam_->GetRolePolicy("fn", "other").status(), Code::kNotFound, "NoSuchEntity",
              "The role policy with name other cannot be found.");
  ExpectError(iam_->PutRolePolicy("fn", "bad name", kTablePolicy), Code::kInvalidArgument,
              "ValidationError");
  ExpectError(iam_->PutRolePolicy("fn", "p", kLambdaTrust), Code::kInvalidArgument,
              "MalformedPolicyDocument", "Policy document should not specify a principal.");
  ExpectError(iam_->PutRolePolicy("nope", "p", kTablePolicy), Code::kNotFound, "NoSuchEntity");

  ASSERT_TRUE(iam_->DeleteRolePolicy("fn", "table").ok());
  EXPECT_EQ(Check(r.arn, "dynamodb:GetItem", kTable), Decision::kImplicitDeny);
  ExpectError(iam_->DeleteRolePolicy("fn", "table"), Code::kNotFound, "NoSuchEntity");
}

TEST_F(IamServiceTest, InlineSizeQuota) {
  Create("fn");
  // About 6000 significant characters each: the second pushes the total past 10240.
  std::string doc = R"({"Version":"2012-10-17","Statement":[)";
  for (int i = 0; i < 80; ++i) {
    if (i > 0) doc += ",";
    doc += R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b)" +
           std::to_string(i) + R"(/*"})";
  }
  doc += "]}";
  ASSERT_TRUE(iam_->PutRolePolicy("fn", "one", doc).ok());
  ExpectError(iam_->PutRolePolicy("fn", "two", doc), Code::kResourceExhausted, "LimitExceeded",
              "Maximum policy size of 10240 bytes exceeded for role fn");
  EXPECT_FALSE(iam_->GetRolePolicy("fn", "two").ok());
  // Replacing a policy counts its new size, not both.
  EXPECT_TRUE(iam_->PutRolePolicy("fn", "one", doc).ok());
}

TEST_F(IamServiceTest, AttachAndDetach) {
  Role r = Create("fn");
  ExpectError(iam_->AttachRolePolicy("fn", "arn:aws:iam::aws:policy/service-role/Nope"),
              Code::kNotFound, "NoSuchEntity",
              "Policy arn:aws:iam::aws:policy/service-role/Nope does not exist or is not "
              "attachable.");
  ExpectError(iam_->AttachRolePolicy("fn", "not-an-arn-but-long-enough"), Code::kInvalidArgument,
              "InvalidInput");
  ExpectError(iam_->AttachRolePolicy("fn", "short"), Code::kInvalidArgument, "ValidationError");
  ExpectError(iam_->AttachRolePolicy("nope", kBasic), Code::kNotFound, "NoSuchEntity");
  ASSERT_TRUE(iam_->AttachRolePolicy("fn", kBasic).ok());
  ASSERT_TRUE(iam_->AttachRolePolicy("fn", kBasic).ok());  // again: no change
  EXPECT_EQ(iam_->GetRole("fn")->attached_policy_arns, std::vector<std::string>{kBasic});
  EXPECT_EQ(Check(r.arn, "logs:PutLogEvents", "arn:aws:logs:r:0:log-group:g:log-stream:s"),
            Decision::kAllow);
  ExpectError(iam_->DetachRolePolicy("fn", "arn:aws:iam::aws:policy/AdministratorAccess"),
              Code::kNotFound, "NoSuchEntity");
  ASSERT_TRUE(iam_->DetachRolePolicy("fn", kBasic).ok());
  EXPECT_EQ(Check(r.arn, "logs:PutLogEvents", "arn:aws:logs:r:0:log-group:g:log-stream:s"),
            Decision::kImplicitDeny);
}

TEST_F(IamServiceTest, AttachedPolicyQuota) {
  // Nimbus knows fewer than ten managed policies, so the stored role is
  // given ten attachments directly.
  Create("fn");
  auto stored = kv_->Get("iam/v1/role/fn");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  Role role = *DecodeRole(**stored);
  role.attached_policy_arns.assign(kMaxAttachedPolicies, kBasic);
  ASSERT_TRUE(kv_->Put("iam/v1/role/fn", EncodeRole(role)).ok());
  Reopen();
  ExpectError(iam_->AttachRolePolicy("fn", "arn:aws:iam::aws:policy/AdministratorAccess"),
              Code::kResourceExhausted, "LimitExceeded",
              "Cannot exceed quota for PoliciesPerRole: 10");
  EXPECT_EQ(iam_->GetRole("fn")->attached_policy_arns.size(), kMaxAttachedPolicies);
}

TEST_F(IamServiceTest, DeleteConflicts) {
  Create("fn");
  ASSERT_TRUE(iam_->PutRolePolicy("fn", "p", kTablePolicy).ok());
  ASSERT_TRUE(iam_->AttachRolePolicy("fn", kBasic).ok());
  ExpectError(iam_->DeleteRole("fn"), Code::kConflict, "DeleteConflict",
              "Cannot delete entity, must detach all policies first.");
  ASSERT_TRUE(iam_->DetachRolePolicy("fn", kBasic).ok());
  ExpectError(iam_->DeleteRole("fn"), Code::kConflict, "DeleteConflict",
              "Cannot delete entity, must delete policies first.");
  ASSERT_TRUE(iam_->DeleteRolePolicy("fn", "p").ok());
  std::string arn = iam_->GetRole("fn")->arn;
  ASSERT_TRUE(iam_->DeleteRole("FN").ok());
  ExpectError(iam_->GetRole("fn").status(), Code::kNotFound, "NoSuchEntity");
  ExpectError(iam_->PoliciesForRole(arn).status(), Code::kNotFound, "NoSuchEntity");
  ExpectError(iam_->DeleteRole("fn"), Code::kNotFound, "NoSuchEntity");
  Create("fn");  // the name is free again
}

TEST_F(IamServiceTest, SurvivesReopen) {
  CreateRoleInput in;
  in.name = "Keeper";
  in.path = "/app/";
  in.assume_role_policy = kLambdaTrust;
  in.description = "kept";
  in.tags = {{"a", "1"}, {"b", ""}};
  Role r = *iam_->CreateRole(in);
  Create("gone");
  ASSERT_TRUE(iam_->PutRolePolicy("keeper", "table", kTablePolicy).ok());
  ASSERT_TRUE(iam_->AttachRolePolicy("keeper", kBasic).ok());
  ASSERT_TRUE(iam_->DeleteRole("gone").ok());

  Reopen();
  auto got = iam_->GetRole("KEEPER");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->name, "Keeper");
  EXPECT_EQ(got->path, "/app/");
  EXPECT_EQ(got->arn, r.arn);
  EXPECT_EQ(got->role_id, r.role_id);
  EXPECT_EQ(got->create_date_ms, r.create_date_ms);
  EXPECT_EQ(got->description, "kept");
  EXPECT_EQ(got->assume_role_policy, kLambdaTrust);
  ASSERT_EQ(got->tags.size(), 2u);
  EXPECT_EQ(got->tags[1].key, "b");
  EXPECT_EQ(got->inline_policies.at("table"), kTablePolicy);
  EXPECT_EQ(got->attached_policy_arns, std::vector<std::string>{kBasic});
  EXPECT_FALSE(iam_->GetRole("gone").ok());
  EXPECT_TRUE(iam_->TrustsService(r.arn, "lambda.amazonaws.com"));
  EXPECT_EQ(Check(r.arn, "dynamodb:GetItem", kTable), Decision::kAllow);
  EXPECT_EQ(Check(r.arn, "logs:CreateLogGroup", "arn:aws:logs:r:0:log-group:g"), Decision::kAllow);
  EXPECT_EQ(Check(r.arn, "dynamodb:PutItem", kTable), Decision::kImplicitDeny);
}

TEST_F(IamServiceTest, UnreadableStoredPolicyDeniesEverything) {
  Role r = Create("fn");
  ASSERT_TRUE(iam_->PutRolePolicy("fn", "all", R"({"Statement":{"Effect":"Allow","Action":"*",
      "Resource":"*"}})")
                  .ok());
  // A stored document that no longer parses (written by another version).
  auto stored = kv_->Get("iam/v1/role/fn");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  std::string value = **stored;
  size_t at = value.rfind("Allow");  // the inline policy, stored after the trust policy
  ASSERT_NE(at, std::string::npos);
  value.replace(at, 5, "Allov");
  ASSERT_TRUE(kv_->Put("iam/v1/role/fn", value).ok());
  Reopen();
  EXPECT_EQ(Check(r.arn, "s3:GetObject", "arn:aws:s3:::b/k"), Decision::kExplicitDeny);
}

TEST_F(IamServiceTest, PoliciesForRoleIsSharedUntilTheRoleChanges) {
  Role r = Create("fn");
  ASSERT_TRUE(iam_->PutRolePolicy("fn", "table", kTablePolicy).ok());
  auto first = *iam_->PoliciesForRole(r.arn);
  auto again = *iam_->PoliciesForRole(r.arn);
  EXPECT_EQ(first.get(), again.get());
  EXPECT_EQ(first->role_arn, r.arn);
  EXPECT_EQ(first->role_name, "fn");
  ASSERT_EQ(first->policies.size(), 1u);
  ASSERT_TRUE(iam_->AttachRolePolicy("fn", kBasic).ok());
  auto after = *iam_->PoliciesForRole(r.arn);
  EXPECT_NE(after.get(), first.get());
  EXPECT_EQ(after->policies.size(), 2u);
  EXPECT_EQ(first->policies.size(), 1u);  // a holder's snapshot stays intact
}

TEST_F(IamServiceTest, ReadersSeeWholeRolesWhileTheRoleChanges) {
  Role r = Create("fn");
  ASSERT_TRUE(iam_->PutRolePolicy("fn", "p", kTablePolicy).ok());
  const std::string deny =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}})";
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto policies = iam_->PoliciesForRole(r.arn);
        if (!policies.ok() || (*policies)->policies.size() != 1) {
          ++bad;
          continue;
        }
        Decision d =
            Evaluate((*policies)->policies, AccessRequest{"dynamodb:GetItem", kTable, nullptr});
        if (d == Decision::kImplicitDeny) ++bad;
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(iam_->PutRolePolicy("fn", "p", i % 2 ? kTablePolicy : deny).ok());
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace nimbus::iam
