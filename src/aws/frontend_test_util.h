// For frontend unit tests: a frontend served directly (no HTTP, no SigV4),
// as the account's root key or as a function instance whose execution role
// holds the policy a test gives it. Each request is answered synchronously.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "aws/access.h"
#include "aws/endpoint.h"
#include "iam/iam_service.h"
#include "store/kv_store.h"

namespace nimbus::aws {

class FrontendHarness {
 public:
  explicit FrontendHarness(Frontend& frontend, std::string service)
      : frontend_(frontend), service_(std::move(service)), kv_(store::NewMemoryStore()),
        iam_(*kv_, iam::IamOptions{}), access_(iam_, "000000000000") {
    EXPECT_TRUE(iam_.Open().ok());
  }

  // Requests from now on are made by an instance of function "fn" whose role
  // has `policy` (an IAM policy document) as its only policy.
  void ActAsInstance(const std::string& policy) {
    iam::CreateRoleInput in;
    in.name = "role-" + std::to_string(++roles_);
    in.assume_role_policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
    auto role = iam_.CreateRole(in);
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    ASSERT_TRUE(iam_.PutRolePolicy(in.name, "p", policy).ok());
    principal_ = Principal{};
    principal_.kind = Principal::Kind::kInstance;
    principal_.access_key_id = "ASIAINSTANCE";
    principal_.function_name = "fn";
    principal_.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:fn";
    principal_.role_arn = role->arn;
    principal_.region = "us-east-1";
  }
  void ActAsRoot() { principal_ = Principal{}; }

  net::HttpResponse Send(net::HttpRequest req) {
    req.SplitTarget();
    RequestContext ctx{principal_, "us-east-1", "req-1", "127.0.0.1:4566", service_, &access_};
    std::optional<net::HttpResponse> out;
    frontend_.Handle(std::move(req), ctx, [&](net::HttpResponse r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "the frontend did not answer synchronously";
    return out.value_or(net::HttpResponse{});
  }

  // A JSON 1.0/1.1 request: X-Amz-Target "<target>" with `body`.
  net::HttpResponse Json(const std::string& target, const std::string& body) {
    net::HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.headers.push_back({"X-Amz-Target", target});
    req.headers.push_back({"Content-Type", "application/x-amz-json-1.1"});
    req.body = body;
    return Send(std::move(req));
  }
  // A rest request.
  net::HttpResponse Rest(const std::string& method, const std::string& target,
                         const std::string& body = "", std::vector<net::Header> headers = {}) {
    net::HttpRequest req;
    req.method = method;
    req.target = target;
    req.headers = std::move(headers);
    req.body = body;
    return Send(std::move(req));
  }
  // A query-protocol request: the form `body` ("Action=...&Version=...").
  net::HttpResponse Query(const std::string& body) {
    net::HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
    req.body = body;
    return Send(std::move(req));
  }

  iam::IamService& iam() { return iam_; }

 private:
  Frontend& frontend_;
  std::string service_;
  std::unique_ptr<store::KvStore> kv_;
  iam::IamService iam_;
  AccessControl access_;
  Principal principal_;
  int roles_ = 0;
};

// The body of a JSON answer.
inline boost::json::object JsonBody(const net::HttpResponse& r) {
  boost::json::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  EXPECT_FALSE(ec) << r.body;
  return !ec && v.is_object() ? v.get_object() : boost::json::object{};
}

inline std::string HeaderOf(const net::HttpResponse& r, const std::string& name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

}  // namespace nimbus::aws
