// Fuzzes IAM policy parsing and evaluation: the input is parsed as an
// identity, a trust and a resource policy; whatever parses is evaluated
// against fixed requests, and checked against what a parsed policy must
// satisfy (the rules ParsePolicy enforces for its kind).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "iam/evaluator.h"
#include "iam/glob.h"
#include "iam/policy.h"

namespace nimbus::iam {
namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckShape(const Policy& p, PolicyKind kind) {
  Check(p.version == "2012-10-17" || p.version == "2008-10-17");
  Check(!p.statements.empty());
  for (const Statement& s : p.statements) {
    Check(!s.actions.empty());
    Check(!(s.has_principal && s.not_principal));
    switch (kind) {
      case PolicyKind::kIdentity:
        Check(!s.resources.empty() && !s.has_principal && !s.not_principal);
        break;
      case PolicyKind::kTrust:
        Check(s.resources.empty() && !s.not_resource && (s.has_principal || s.not_principal));
        break;
      case PolicyKind::kResource:
        Check(s.has_principal || s.not_principal);
        break;
    }
    for (const Condition& c : s.conditions) {
      Check(!c.values.empty());
      for (char ch : c.key) Check(!(ch >= 'A' && ch <= 'Z'));
      Condition decoded;
      Check(DecodeConditionOperator(c.op, &decoded));
    }
  }
}

void EvaluateAll(const std::shared_ptr<const Policy>& p) {
  static const ConditionContext kContext = {
      {"aws:sourcearn", {"arn:aws:sns:us-east-1:000000000000:topic"}},
      {"aws:sourceaccount", {"000000000000"}},
      {"aws:principalarn", {"arn:aws:iam::000000000000:role/fn-role"}},
      {"aws:securetransport", {"true"}},
      {"aws:sourceip", {"10.1.2.3"}},
      {"aws:currenttime", {"2024-01-31T12:34:56Z"}},
      {"aws:tagkeys", {"env", "team"}},
      {"aws:principaltag/team", {"blue*?"}},
      {"s3:max-keys", {"10"}},
  };
  const AccessRequest requests[] = {
      {"dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:000000000000:table/Todos", &kContext},
      {"s3:GetObject", "arn:aws:s3:::bucket/blue*?/key", &kContext},
      {"sts:AssumeRole", "arn:aws:iam::000000000000:role/fn-role", nullptr},
  };
  for (const AccessRequest& r : requests) {
    Decision d = Evaluate({p}, r);
    // The decision depends on the policies, not on how often one is listed.
    Decision twice = Evaluate({p, p}, r);
    Check(d == twice);
    (void)EvaluateResourcePolicy(*p, "Service", "lambda.amazonaws.com", r);
    (void)EvaluateResourcePolicy(*p, "AWS", "arn:aws:iam::000000000000:role/fn-role", r);
  }
}

}  // namespace
}  // namespace nimbus::iam

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nimbus::iam;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (PolicyKind kind : {PolicyKind::kIdentity, PolicyKind::kTrust, PolicyKind::kResource}) {
    auto parsed = ParsePolicy(text, kind);
    if (!parsed.ok()) {
      Check(parsed.status().code() == nimbus::Code::kInvalidArgument);
      Check(!parsed.status().message().empty());
      continue;
    }
    CheckShape(**parsed, kind);
    EvaluateAll(*parsed);
  }
  // The matcher on raw halves of the input: it must terminate quickly.
  size_t half = size / 2;
  (void)GlobMatch(text.substr(0, half), text.substr(half));
  (void)GlobMatchIgnoreCase(text.substr(0, half), text.substr(half));
  return 0;
}
