// The Lambda Runtime API (2018-06-01) as one instance's runtime sees it:
// paths, headers, status codes and limits exactly as Lambda's. This file only
// speaks the protocol; what an event or a result means for the invocation is
// the delegate's business (the invoker's Instance).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.h"

namespace nimbus::runtime {

// Largest response or error body a runtime may post (Lambda's 6 MB plus the
// slack its emulator allows).
constexpr size_t kMaxRuntimeResponseBytes = 6291556;

struct InvocationEvent {
  std::string request_id;
  std::string payload;
  int64_t deadline_ms = 0;  // Unix epoch milliseconds
  std::string invoked_arn;
  std::string trace_id;          // X-Ray header value, may be empty
  std::string client_context;    // decoded JSON, may be empty
  std::string cognito_identity;  // JSON, may be empty
};

enum class PostResult {
  kAccepted,          // 202
  kInvalidRequestId,  // 400: not the invocation in progress
  kInvalidState,      // 403: nothing to answer, or answered already
};

class RuntimeApiDelegate {
 public:
  virtual ~RuntimeApiDelegate() = default;
  // The runtime is ready for work. `deliver` must be called once, now or
  // later, unless the instance is torn down first.
  virtual void OnNext(std::function<void(InvocationEvent&&)> deliver) = 0;
  // The runtime takes up to `max` events in one answer (Nimbus's batch
  // `next`, see MakeRuntimeApiHandler). `deliver` must be called once, with
  // at least one event, unless the instance is torn down first.
  virtual void OnNextBatch(size_t max,
                           std::function<void(std::vector<InvocationEvent>&&)> deliver) = 0;
  // `received_at` is when the result had been read (see net::HttpRequest).
  virtual PostResult OnResponse(const std::string& request_id, std::string body,
                                std::string content_type,
                                std::chrono::steady_clock::time_point received_at) = 0;
  // The runtime posted a result larger than kMaxRuntimeResponseBytes.
  virtual PostResult OnResponseTooLarge(const std::string& request_id) = 0;
  virtual PostResult OnError(const std::string& request_id, std::string error_type,
                             std::string body,
                             std::chrono::steady_clock::time_point received_at) = 0;
  virtual PostResult OnInitError(std::string error_type, std::string body) = 0;
};

// Nimbus's batch `next`, for runtimes that run many invocations at once:
// GET /2018-06-01/runtime/invocation/next-batch?max=N waits like `next` and
// answers with 1 to N events at once. The body (kBatchContentType) is the
// events one after another, each as a block of the headers `next` would
// answer with (request id, deadline, function ARN, trace id, client context,
// Cognito identity) ending in its Content-Length, an empty line, and the
// event's payload. Results are posted per invocation as usual. A server
// without it answers 404, and the runtime falls back to one `next` per event.
inline constexpr std::string_view kBatchContentType = "application/vnd.nimbus.invocation-batch";
inline constexpr size_t kMaxBatchEvents = 1024;

// An HTTP handler serving the Runtime API for one instance. It holds the
// delegate weakly: once the instance is gone, requests get 500 (Lambda's
// "container error", telling the runtime to exit).
net::Handler MakeRuntimeApiHandler(std::weak_ptr<RuntimeApiDelegate> delegate);

}  // namespace nimbus::runtime
