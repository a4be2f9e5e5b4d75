// What a policy check costs a request signed with a function's credentials,
// against the SigV4 verification every request already pays, measured in
// the same run: the role is the one `nimbus deploy` generates for a service
// with a table (log statements, five DynamoDB actions on the table and its
// indexes, an explicit Deny), the request a PutItem of a signed body.
//   build/policy-bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <memory>

#include "aws/access.h"
#include "aws/sigv4.h"
#include "core/time.h"
#include "store/kv_store.h"

namespace nimbus::aws {
namespace {

constexpr const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
    R"("Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";

constexpr const char* kRolePolicy = R"({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["logs:CreateLogStream","logs:CreateLogGroup","logs:TagResource"],
   "Resource":["arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/todo-dev*:*"]},
  {"Effect":"Allow","Action":["logs:PutLogEvents"],
   "Resource":["arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/todo-dev*:*:*"]},
  {"Effect":"Allow","Action":["dynamodb:Query","dynamodb:Scan","dynamodb:GetItem",
                              "dynamodb:PutItem","dynamodb:UpdateItem"],
   "Resource":["arn:aws:dynamodb:us-east-1:000000000000:table/todos",
               "arn:aws:dynamodb:us-east-1:000000000000:table/todos/index/*"]},
  {"Effect":"Deny","Action":"dynamodb:DeleteTable","Resource":"*"}]})";

struct Fixture {
  Fixture() {
    kv = store::NewMemoryStore();
    iam = std::make_unique<iam::IamService>(*kv, iam::IamOptions{});
    (void)iam->Open();
    iam::CreateRoleInput in;
    in.name = "todo-dev-us-east-1-lambdaRole";
    in.assume_role_policy = kTrust;
    (void)iam->CreateRole(in);
    (void)iam->PutRolePolicy(in.name, "todo-dev-lambda", kRolePolicy);
    access = std::make_unique<AccessControl>(*iam, "000000000000");
    principal.kind = Principal::Kind::kInstance;
    principal.function_name = "todo-dev-create";
    principal.role_arn = "arn:aws:iam::000000000000:role/todo-dev-us-east-1-lambdaRole";
    principal.region = "us-east-1";
  }
  std::unique_ptr<store::KvStore> kv;
  std::unique_ptr<iam::IamService> iam;
  std::unique_ptr<AccessControl> access;
  Principal principal;
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

void BM_PolicyCheckAllowed(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    auto denied = f.access->Check(f.principal, "dynamodb", "dynamodb:PutItem",
                                  "arn:aws:dynamodb:us-east-1:000000000000:table/todos");
    benchmark::DoNotOptimize(denied);
  }
}
BENCHMARK(BM_PolicyCheckAllowed);

void BM_PolicyCheckDenied(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    auto denied = f.access->Check(f.principal, "dynamodb", "dynamodb:DeleteItem",
                                  "arn:aws:dynamodb:us-east-1:000000000000:table/other");
    benchmark::DoNotOptimize(denied);
  }
}
BENCHMARK(BM_PolicyCheckDenied);

// The peer: verifying the signature of a typical PutItem request.
void BM_SigV4Verify(benchmark::State& state) {
  net::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers.push_back({"Host", "127.0.0.1:4566"});
  req.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
  req.headers.push_back({"X-Amz-Target", "DynamoDB_20120810.PutItem"});
  req.body = R"({"TableName":"todos","Item":{"id":{"S":"a1b2c3"},"title":{"S":"write the )"
             R"(benchmark"},"done":{"BOOL":false},"created":{"N":"1733600000"}}})";
  SignRequest(req, "ASIAEXAMPLEEXAMPLE00", "secretsecretsecretsecretsecretsecret0000", "token",
              "us-east-1", "dynamodb", NowEpochMillis() / 1000);
  req.SplitTarget();
  for (auto _ : state) {
    auto parsed = ParseSigV4(req);
    std::string sig = ComputeSignature(req, *parsed, "secretsecretsecretsecretsecretsecret0000",
                                       false);
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK(BM_SigV4Verify);

}  // namespace
}  // namespace nimbus::aws

BENCHMARK_MAIN();
