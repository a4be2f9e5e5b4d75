#include "aws/logs/logs_frontend.h"

#include <gtest/gtest.h>

#include "aws/frontend_test_util.h"

namespace nimbus::aws {
namespace {

class LogsFrontendTest : public ::testing::Test {
 protected:
  LogsFrontendTest()
      : kv_(store::NewMemoryStore()), logs_(*kv_), frontend_(logs_, Platform{"eu-west-1", "123456789012"}),
        h_(frontend_, "logs") {
    EXPECT_TRUE(logs_.Open().ok());
  }
  net::HttpResponse Call(const std::string& op, const std::string& body) {
    return h_.Json("Logs_20140328." + op, body);
  }

  std::unique_ptr<store::KvStore> kv_;
  observe::LogStore logs_;
  LogsFrontend frontend_;
  FrontendHarness h_;
};

TEST_F(LogsFrontendTest, CreatesGroupsAndStreamsAndReadsEventsBack) {
  EXPECT_EQ(Call("CreateLogGroup", R"({"logGroupName":"/app"})").status, 200);
  EXPECT_TRUE(logs_.Groups("/app").size() == 1);
  EXPECT_EQ(Call("CreateLogStream", R"({"logGroupName":"/app","logStreamName":"s"})").status, 200);
  auto put = Call("PutLogEvents", R"({"logGroupName":"/app","logStreamName":"s",
      "logEvents":[{"timestamp":1000,"message":"one"},{"timestamp":1001,"message":"two"}]})");
  ASSERT_EQ(put.status, 200) << put.body;
  logs_.Flush();
  auto got = Call("GetLogEvents", R"({"logGroupName":"/app","logStreamName":"s","startFromHead":true})");
  ASSERT_EQ(got.status, 200);
  auto events = JsonBody(got)["events"].as_array();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].as_object().at("message"), "one");
  auto groups = JsonBody(Call("DescribeLogGroups", "{}"))["logGroups"].as_array();
  ASSERT_EQ(groups.size(), 1u);
  // ARNs come from the server's platform, not the request.
  EXPECT_EQ(groups[0].as_object().at("arn"), "arn:aws:logs:eu-west-1:123456789012:log-group:/app:*");
}

TEST_F(LogsFrontendTest, ErrorsHaveLogsShapes) {
  EXPECT_EQ(Call("CreateLogGroup", R"({"logGroupName":"/dup"})").status, 200);
  auto dup = Call("CreateLogGroup", R"({"logGroupName":"/dup"})");
  EXPECT_EQ(dup.status, 400);
  EXPECT_EQ(JsonBody(dup)["__type"], "ResourceAlreadyExistsException");
  auto missing = Call("PutLogEvents", R"({"logGroupName":"/none","logStreamName":"s",
      "logEvents":[{"timestamp":1,"message":"m"}]})");
  EXPECT_EQ(JsonBody(missing)["__type"], "ResourceNotFoundException");
  EXPECT_EQ(JsonBody(missing)["message"], "The specified log group does not exist.");
  auto retention = Call("PutRetentionPolicy", R"({"logGroupName":"/dup","retentionInDays":2})");
  EXPECT_EQ(JsonBody(retention)["__type"], "InvalidParameterException");
  // A member of the wrong type is refused before anything is done.
  auto typed = Call("CreateLogGroup", R"({"logGroupName":5})");
  EXPECT_EQ(typed.status, 400);
  EXPECT_EQ(JsonBody(typed)["__type"], "SerializationException");
  auto unknown = Call("PutSubscriptionFilter", "{}");
  EXPECT_EQ(JsonBody(unknown)["__type"], "UnknownOperationException");
}

TEST_F(LogsFrontendTest, ABadEventInABatchWritesNothing) {
  Call("CreateLogGroup", R"({"logGroupName":"/b"})");
  Call("CreateLogStream", R"({"logGroupName":"/b","logStreamName":"s"})");
  auto bad = Call("PutLogEvents", R"({"logGroupName":"/b","logStreamName":"s",
      "logEvents":[{"timestamp":1,"message":"ok"},{"timestamp":2,"message":""}]})");
  EXPECT_EQ(bad.status, 400);
  logs_.Flush();
  auto got = Call("GetLogEvents", R"({"logGroupName":"/b","logStreamName":"s","startFromHead":true})");
  EXPECT_TRUE(JsonBody(got)["events"].as_array().empty());
}

TEST_F(LogsFrontendTest, AnInstanceWritesOnlyWhereItsRoleAllows) {
  Call("CreateLogGroup", R"({"logGroupName":"/mine"})");
  Call("CreateLogGroup", R"({"logGroupName":"/theirs"})");
  h_.ActAsInstance(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":["logs:CreateLogStream","logs:PutLogEvents"],
      "Resource":"arn:aws:logs:eu-west-1:123456789012:log-group:/mine:*"}]})");
  EXPECT_EQ(Call("CreateLogStream", R"({"logGroupName":"/mine","logStreamName":"s"})").status, 200);
  auto denied = Call("CreateLogStream", R"({"logGroupName":"/theirs","logStreamName":"s"})");
  EXPECT_EQ(denied.status, 400);
  EXPECT_EQ(JsonBody(denied)["__type"], "AccessDeniedException");
  EXPECT_EQ(Call("DeleteLogGroup", R"({"logGroupName":"/mine"})").status, 400);
  EXPECT_EQ(logs_.Groups("/").size(), 2u);
}

}  // namespace
}  // namespace nimbus::aws
