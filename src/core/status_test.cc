#include "core/status.h"

#include <gtest/gtest.h>

namespace nimbus {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, PropagatesThroughMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Quarter(6).status().ToString(), "InvalidArgument: odd");
  EXPECT_TRUE(Status::Ok().ok());
}

}  // namespace
}  // namespace nimbus
