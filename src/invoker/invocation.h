// One invocation's request and result as the invoker sees them.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "runtime/function_spec.h"

namespace nimbus::invoker {

struct InvokeRequest {
  std::shared_ptr<const runtime::FunctionSpec> function;
  std::string payload;
  std::string invoked_arn;     // the ARN as the caller named it
  std::string client_context;  // decoded JSON
  std::string trace_id;
  std::string request_id;      // assigned by the invoker when empty
};

struct InvokeResult {
  // Not ok for platform failures (throttled, shutting down, sandbox failure);
  // a function's own failure is ok with `function_error` set.
  Status status;
  std::string request_id;
  std::string payload;        // the result, or the error document
  std::string content_type = "application/json";
  std::string function_error;  // "" or "Unhandled"
  std::string log_tail;        // the invocation's last 4 KB of log
  std::string executed_version;
};

using InvokeCallback = std::function<void(InvokeResult)>;

}  // namespace nimbus::invoker
