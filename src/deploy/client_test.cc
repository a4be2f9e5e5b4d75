#include "deploy/client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "core/fs.h"
#include "core/ids.h"

namespace nimbus::deploy {
namespace {

// Clears the AWS_* variables ResolveClientOptions reads, restoring them after.
class ClientOptionsTest : public ::testing::Test {
 protected:
  static constexpr const char* kVars[] = {"AWS_ENDPOINT_URL",      "AWS_REGION",
                                          "AWS_DEFAULT_REGION",    "AWS_ACCESS_KEY_ID",
                                          "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};
  void SetUp() override {
    for (const char* v : kVars) {
      if (const char* value = std::getenv(v)) saved_[v] = value;
      ::unsetenv(v);
    }
    dir_ = (std::filesystem::temp_directory_path() / ("nimbus-client-" + RandomHex(6))).string();
    ASSERT_TRUE(MakeDirs(dir_).ok());
  }
  void TearDown() override {
    for (const char* v : kVars) ::unsetenv(v);
    for (const auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
    std::filesystem::remove_all(dir_);
  }
  ClientOptions InDir() const {
    ClientOptions o;
    o.data_dir = dir_;
    return o;
  }

  std::map<std::string, std::string> saved_;
  std::string dir_;
};

TEST_F(ClientOptionsTest, DefaultsWithKeysFromTheDataDir) {
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/credentials",
                              "[default]\naws_access_key_id = AKIA1\naws_secret_access_key = s1\n")
                  .ok());
  auto o = ResolveClientOptions(InDir());
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->endpoint, "http://127.0.0.1:4566");
  EXPECT_EQ(o->region, "us-east-1");
  EXPECT_EQ(o->access_key_id, "AKIA1");
  EXPECT_EQ(o->secret_access_key, "s1");
}

TEST_F(ClientOptionsTest, ServerJsonThenEnvironmentThenFlags) {
  ASSERT_TRUE(
      WriteFileAtomic(dir_ + "/server.json", R"({"endpoint": "http://127.0.0.1:5000"})").ok());
  ::setenv("AWS_ACCESS_KEY_ID", "env-key", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
  ::setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
  auto o = ResolveClientOptions(InDir());
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->endpoint, "http://127.0.0.1:5000");
  EXPECT_EQ(o->region, "eu-west-1");
  EXPECT_EQ(o->access_key_id, "env-key");

  ::setenv("AWS_ENDPOINT_URL", "http://10.0.0.1:4566", 1);
  ::setenv("AWS_REGION", "ap-south-1", 1);
  o = ResolveClientOptions(InDir());
  EXPECT_EQ(o->endpoint, "http://10.0.0.1:4566");
  EXPECT_EQ(o->region, "ap-south-1");

  ClientOptions flags = InDir();
  flags.endpoint = "http://localhost:1";
  flags.region = "us-west-2";
  flags.access_key_id = "flag-key";
  flags.secret_access_key = "flag-secret";
  o = ResolveClientOptions(flags);
  EXPECT_EQ(o->endpoint, "http://localhost:1");
  EXPECT_EQ(o->region, "us-west-2");
  EXPECT_EQ(o->access_key_id, "flag-key");
}

TEST_F(ClientOptionsTest, NoCredentialsSaysWhereToPutThem) {
  auto o = ResolveClientOptions(InDir());
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), Code::kUnauthenticated);
  EXPECT_NE(o.status().message().find(dir_ + "/credentials"), std::string::npos);
}

TEST(AwsErrorTest, DescribesTypeAndMessage) {
  AwsReply reply;
  reply.status = 404;
  reply.headers = {{"X-Amzn-ErrorType", "ResourceNotFoundException"}};
  reply.body = R"({"message": "Function not found: f"})";
  EXPECT_EQ(DescribeAwsError(reply), "ResourceNotFoundException: Function not found: f");
  ASSERT_NE(reply.Header("x-amzn-errortype"), nullptr);
  EXPECT_EQ(reply.Header("missing"), nullptr);

  reply.headers.clear();
  reply.body =
      R"({"__type": "com.amazonaws.dynamodb.v20120810#ValidationException", "Message": "bad"})";
  EXPECT_EQ(DescribeAwsError(reply), "com.amazonaws.dynamodb.v20120810#ValidationException: bad");
  reply.status = 502;
  reply.body = "upstream down";
  EXPECT_EQ(DescribeAwsError(reply), "HTTP 502: upstream down");
}

TEST(AwsErrorTest, NotFoundByCodeOrByType) {
  EXPECT_TRUE(IsNotFound(NotFound("gone")));
  EXPECT_TRUE(
      IsNotFound(FailedPrecondition("ResourceNotFoundException: Requested resource not found")));
  EXPECT_FALSE(IsNotFound(FailedPrecondition("ValidationException: bad")));
  EXPECT_FALSE(IsNotFound(Status::Ok()));
}

}  // namespace
}  // namespace nimbus::deploy
