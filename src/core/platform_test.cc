#include "core/platform.h"

#include <gtest/gtest.h>

namespace nimbus {
namespace {

TEST(PlatformTest, BuildsArnsFromTheAccountAndRegionItIsGiven) {
  Platform p{"eu-west-1", "123456789012"};
  EXPECT_EQ(p.FunctionArn("f"), "arn:aws:lambda:eu-west-1:123456789012:function:f");
  EXPECT_EQ(p.TableArn("t"), "arn:aws:dynamodb:eu-west-1:123456789012:table/t");
  EXPECT_EQ(p.LogGroupArn("/aws/lambda/f"),
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f");
  EXPECT_EQ(p.RoleArn("/", "r"), "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ(p.RoleArn("/svc/", "r"), "arn:aws:iam::123456789012:role/svc/r");
  EXPECT_EQ(p.RoleArn("", "r"), "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ(p.AssumedRoleArn("r", "f"), "arn:aws:sts::123456789012:assumed-role/r/f");
  EXPECT_EQ(p.Arn("sqs", "q"), "arn:aws:sqs:eu-west-1:123456789012:q");
}

TEST(PlatformTest, DefaultsToTheLocalAccount) {
  Platform p;
  EXPECT_EQ(p.region, "us-east-1");
  EXPECT_EQ(p.account_id, "000000000000");
}

}  // namespace
}  // namespace nimbus
