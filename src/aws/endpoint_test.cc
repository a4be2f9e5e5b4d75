#include "aws/endpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "core/ids.h"
#include "core/time.h"

namespace nimbus::aws {
namespace {

class EchoFrontend : public Frontend {
 public:
  Protocol protocol() const override { return Protocol::kRestJson; }
  void Handle(net::HttpRequest&&, const RequestContext& ctx, net::Responder respond) override {
    respond(net::HttpResponse::Text(200, "ok " + ctx.principal.access_key_id));
  }
};

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("nimbus-cred-" + RandomHex(8))).string();
    bool created = false;
    auto s = CredentialStore::Open(path_, true, &created);
    ASSERT_TRUE(s.ok());
    EXPECT_TRUE(created);
    creds_ = std::move(*s);
    endpoint_ = std::make_unique<Endpoint>(*creds_);
    endpoint_->Register("lambda", &frontend_);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  net::HttpResponse Send(net::HttpRequest req) {
    std::optional<net::HttpResponse> out;
    endpoint_->Handle(std::move(req), [&](net::HttpResponse r) { out = std::move(r); });
    return *out;
  }
  // As if it arrived on the listener of the instance holding `key`.
  net::HttpResponse SendFromInstance(net::HttpRequest req, const std::string& key) {
    std::optional<net::HttpResponse> out;
    endpoint_->InstanceHandler(key)(std::move(req),
                                    [&](net::HttpResponse r) { out = std::move(r); });
    return *out;
  }
  net::HttpRequest Signed(const std::string& akid, const std::string& secret,
                          const std::string& token = "", int64_t at = NowEpochMillis() / 1000) {
    net::HttpRequest r;
    r.method = "GET";
    r.target = "/2015-03-31/functions/";
    r.headers.push_back({"Host", "127.0.0.1:4566"});
    SignRequest(r, akid, secret, token, "us-east-1", "lambda", at);
    return r;
  }

  std::string path_;
  std::unique_ptr<CredentialStore> creds_;
  std::unique_ptr<Endpoint> endpoint_;
  EchoFrontend frontend_;
};

TEST_F(EndpointTest, AcceptsTheRootAndDevKeys) {
  auto root = creds_->root();
  EXPECT_EQ(root.access_key_id.size(), 20u);
  EXPECT_EQ(Send(Signed(root.access_key_id, root.secret_access_key)).status, 200);
  EXPECT_EQ(Send(Signed("test", "test")).body, "ok test");
  bool created = true;
  auto reopened = CredentialStore::Open(path_, false, &created);
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ((*reopened)->root().secret_access_key, root.secret_access_key);
  EXPECT_FALSE((*reopened)->Find("test").has_value());
  EXPECT_EQ(std::filesystem::status(path_).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(EndpointTest, RejectsWithAwsErrorShapes) {
  auto root = creds_->root();
  auto bad = Send(Signed(root.access_key_id, "wrong-secret"));
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(*bad.FindHeader("x-amzn-ErrorType"), "InvalidSignatureException");
  auto unknown = Send(Signed("AKIAUNKNOWN", "x"));
  EXPECT_EQ(*unknown.FindHeader("x-amzn-ErrorType"), "UnrecognizedClientException");
  EXPECT_NE(unknown.body.find("The security token included in the request is invalid."),
            std::string::npos);
  auto old = Send(Signed(root.access_key_id, root.secret_access_key, "",
                         NowEpochMillis() / 1000 - 3600));
  EXPECT_EQ(*old.FindHeader("x-amzn-ErrorType"), "InvalidSignatureException");
  EXPECT_NE(old.body.find("Signature expired"), std::string::npos) << old.body;
  auto future = Send(Signed(root.access_key_id, root.secret_access_key, "",
                            NowEpochMillis() / 1000 + 3600));
  EXPECT_NE(future.body.find("Signature not yet current"), std::string::npos) << future.body;
  net::HttpRequest anon;
  anon.method = "GET";
  anon.target = "/2015-03-31/functions/";
  anon.SplitTarget();
  auto missing = Send(anon);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(*missing.FindHeader("x-amzn-ErrorType"), "MissingAuthenticationTokenException");
}

InstanceIdentity Identity(const std::string& name) {
  return {"arn:aws:lambda:us-east-1:000000000000:function:" + name, name,
          "arn:aws:iam::000000000000:role/r", "us-east-1"};
}

TEST_F(EndpointTest, InstanceKeysNeedTheirSessionToken) {
  auto c = creds_->Issue(Identity("f"));
  auto from = [&](const std::string& token) {
    return SendFromInstance(Signed(c.access_key_id, c.secret_access_key, token), c.access_key_id);
  };
  EXPECT_EQ(from(c.session_token).status, 200);
  EXPECT_EQ(from("forged").status, 403);
  creds_->Revoke(c.access_key_id);
  EXPECT_EQ(from(c.session_token).status, 403);
}

TEST_F(EndpointTest, InstanceKeysWorkOnlyOnTheirOwnListener) {
  auto a = creds_->Issue(Identity("a"));
  auto b = creds_->Issue(Identity("b"));
  auto signed_a = [&] { return Signed(a.access_key_id, a.secret_access_key, a.session_token); };
  EXPECT_EQ(SendFromInstance(signed_a(), a.access_key_id).status, 200);
  // Copied out of the sandbox: refused on the public listener and on
  // another instance's.
  auto pub = Send(signed_a());
  EXPECT_EQ(pub.status, 403);
  EXPECT_EQ(*pub.FindHeader("x-amzn-ErrorType"), "UnrecognizedClientException");
  EXPECT_EQ(SendFromInstance(signed_a(), b.access_key_id).status, 403);
  // The account's keys still work from an instance's listener.
  auto root = creds_->root();
  EXPECT_EQ(SendFromInstance(Signed(root.access_key_id, root.secret_access_key), a.access_key_id)
                .status,
            200);
}

TEST_F(EndpointTest, InternalPathsAreNotServedToInstances) {
  bool served = false;
  endpoint_->RegisterInternal("/_nimbus/health", [&](net::HttpRequest&&, net::Responder w) {
    served = true;
    w(net::HttpResponse::Text(200, "ok"));
  });
  net::HttpRequest r;
  r.method = "GET";
  r.target = "/_nimbus/health";
  r.SplitTarget();
  EXPECT_EQ(SendFromInstance(r, "ASIAANY").status, 404);
  EXPECT_FALSE(served);
  EXPECT_EQ(Send(r).status, 200);
  EXPECT_TRUE(served);
}

TEST_F(EndpointTest, InstanceCredentialsWithoutAccessControlAreDenied) {
  auto c = creds_->Issue(Identity("f"));
  RequestContext ctx;
  ctx.principal = *creds_->Find(c.access_key_id);
  ctx.service = "lambda";
  auto denied = ctx.Authorize("lambda:ListFunctions", "*");
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->status, 403);
  RequestContext root_ctx;
  root_ctx.principal = creds_->root();
  EXPECT_FALSE(root_ctx.Authorize("lambda:ListFunctions", "*").has_value());
}

TEST_F(EndpointTest, UnknownServicesAreNamed) {
  net::HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers.push_back({"Host", "127.0.0.1:4566"});
  auto root = creds_->root();
  SignRequest(r, root.access_key_id, root.secret_access_key, "", "us-east-1", "kafka",
              NowEpochMillis() / 1000);
  auto resp = Send(r);
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(resp.body.find("kafka"), std::string::npos);
}

// A client of a service Nimbus does not serve still gets an error it can
// parse: XML for S3 and the query services, JSON for the JSON ones.
TEST_F(EndpointTest, UnknownServicesAnswerInTheClientsProtocol) {
  auto root = creds_->root();
  auto send = [&](const std::string& service, const std::string& method,
                  std::vector<net::Header> headers, const std::string& body) {
    net::HttpRequest r;
    r.method = method;
    r.target = "/";
    r.headers.push_back({"Host", "127.0.0.1:4566"});
    for (auto& h : headers) r.headers.push_back(h);
    r.body = body;
    SignRequest(r, root.access_key_id, root.secret_access_key, "", "us-east-1", service,
                NowEpochMillis() / 1000);
    return Send(r);
  };
  auto s3 = send("s3", "GET", {}, "");
  EXPECT_TRUE(s3.body.starts_with("<?xml")) << s3.body;
  EXPECT_NE(s3.body.find("<Code>UnknownServiceException</Code>"), std::string::npos);
  auto sqs = send("sqs", "POST", {{"Content-Type", "application/x-www-form-urlencoded"}},
                  "Action=ListQueues&Version=2012-11-05");
  EXPECT_NE(sqs.body.find("<ErrorResponse"), std::string::npos) << sqs.body;
  EXPECT_NE(sqs.body.find("<Code>UnknownServiceException</Code>"), std::string::npos);
  auto sns = send("sns", "GET", {}, "");
  EXPECT_NE(sns.body.find("<ErrorResponse"), std::string::npos) << sns.body;
  auto kinesis = send("kinesis", "POST", {{"X-Amz-Target", "Kinesis_20131202.ListStreams"}}, "{}");
  EXPECT_NE(kinesis.body.find("\"__type\":\"UnknownServiceException\""), std::string::npos)
      << kinesis.body;
}

}  // namespace
}  // namespace nimbus::aws
