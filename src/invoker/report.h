// Lambda's platform log lines and error documents, word for word.
#pragma once

#include <cstdint>
#include <string>

namespace nimbus::invoker {

struct ReportFields {
  std::string request_id;
  double duration_ms = 0;
  uint32_t memory_mb = 0;
  uint64_t max_memory_used_mb = 0;
  double init_duration_ms = -1;  // < 0: warm start, no Init Duration
  std::string status;            // "", "timeout", "error"
  std::string error_type;        // with status "error"
};

std::string StartLine(const std::string& request_id, const std::string& version);
std::string EndLine(const std::string& request_id);
std::string ReportLine(const ReportFields& f);
// "INIT_REPORT Init Duration: 12.34 ms\tPhase: init\tStatus: error\tError Type: X"
std::string InitReportLine(double init_ms, const std::string& error_type);
// Lambda bills whole milliseconds, rounding up.
uint64_t BilledMillis(double duration_ms);

// {"errorType": type, "errorMessage": message}, JSON-escaped.
std::string ErrorDocument(const std::string& type, const std::string& message);
// "RequestId: <id> Error: Task timed out after 3.00 seconds"
std::string TimeoutMessage(const std::string& request_id, uint32_t timeout_s);

}  // namespace nimbus::invoker
