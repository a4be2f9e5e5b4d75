#include "invoker/report.h"

#include <gtest/gtest.h>

namespace nimbus::invoker {
namespace {

TEST(ReportTest, LinesMatchLambda) {
  EXPECT_EQ(StartLine("id1", "$LATEST"), "START RequestId: id1 Version: $LATEST");
  EXPECT_EQ(EndLine("id1"), "END RequestId: id1");
  ReportFields f;
  f.request_id = "id1";
  f.duration_ms = 12.344;
  f.memory_mb = 128;
  f.max_memory_used_mb = 70;
  EXPECT_EQ(ReportLine(f),
            "REPORT RequestId: id1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 "
            "MB\tMax Memory Used: 70 MB\t");
  f.init_duration_ms = 150.123;
  f.status = "timeout";
  EXPECT_EQ(ReportLine(f),
            "REPORT RequestId: id1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 "
            "MB\tMax Memory Used: 70 MB\tInit Duration: 150.12 ms\tStatus: timeout\t");
}

TEST(ReportTest, BillingRoundsUp) {
  EXPECT_EQ(BilledMillis(0.2), 1u);
  EXPECT_EQ(BilledMillis(1.0), 1u);
  EXPECT_EQ(BilledMillis(1.01), 2u);
}

TEST(ReportTest, ErrorDocuments) {
  EXPECT_EQ(ErrorDocument("Sandbox.Timedout", TimeoutMessage("abc", 3)),
            "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"RequestId: abc Error: Task "
            "timed out after 3.00 seconds\"}");
  EXPECT_EQ(ErrorDocument("X", "a\"b"), "{\"errorType\":\"X\",\"errorMessage\":\"a\\\"b\"}");
}

}  // namespace
}  // namespace nimbus::invoker
