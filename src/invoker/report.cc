#include "invoker/report.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include <cmath>

namespace nimbus::invoker {

std::string StartLine(const std::string& request_id, const std::string& version) {
  return fmt::format("START RequestId: {} Version: {}", request_id, version);
}

std::string EndLine(const std::string& request_id) {
  return fmt::format("END RequestId: {}", request_id);
}

uint64_t BilledMillis(double duration_ms) {
  return static_cast<uint64_t>(std::max(1.0, std::ceil(duration_ms)));
}

std::string ReportLine(const ReportFields& f) {
  std::string line = fmt::format(
      "REPORT RequestId: {}\tDuration: {:.2f} ms\tBilled Duration: {} ms\tMemory Size: {} MB\t"
      "Max Memory Used: {} MB\t",
      f.request_id, f.duration_ms, BilledMillis(f.duration_ms), f.memory_mb,
      f.max_memory_used_mb);
  if (f.init_duration_ms >= 0) line += fmt::format("Init Duration: {:.2f} ms\t", f.init_duration_ms);
  if (!f.status.empty()) line += "Status: " + f.status + "\t";
  if (!f.error_type.empty()) line += "Error Type: " + f.error_type + "\t";
  return line;
}

std::string InitReportLine(double init_ms, const std::string& error_type) {
  return fmt::format("INIT_REPORT Init Duration: {:.2f} ms\tPhase: init\tStatus: error\tError Type: {}",
                     init_ms, error_type);
}

std::string ErrorDocument(const std::string& type, const std::string& message) {
  boost::json::object o;
  o["errorType"] = type;
  o["errorMessage"] = message;
  return boost::json::serialize(o);
}

std::string TimeoutMessage(const std::string& request_id, uint32_t timeout_s) {
  return fmt::format("RequestId: {} Error: Task timed out after {:.2f} seconds", request_id,
                     static_cast<double>(timeout_s));
}

}  // namespace nimbus::invoker
