// Nimbus C++ function SDK.
//
// A `provided` / `provided.al2` / `provided.al2023` function is an executable named `bootstrap`
// that talks to the Nimbus Runtime API (the AWS Lambda Runtime API, version 2018-06-01) found at
// the address in the environment variable AWS_LAMBDA_RUNTIME_API. This library implements that
// loop; a bootstrap only supplies a handler:
//
//   #include <nimbus/lambda.h>
//
//   int main() {
//     return nimbus::lambda::run_handler([](const nimbus::lambda::InvocationRequest& request) {
//       return nimbus::lambda::InvocationResponse::success(request.payload);
//     });
//   }
//
// The SDK has no dependencies beyond the C++ standard library and POSIX sockets. None of its
// functions throw; exceptions thrown by the handler are caught and reported as function errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace nimbus::lambda {

// One invocation, as delivered by `GET /2018-06-01/runtime/invocation/next`.
struct InvocationRequest {
  // The event bytes exactly as the invoker sent them (usually JSON, but any bytes are possible,
  // including NUL bytes).
  std::string payload;
  // Lambda-Runtime-Aws-Request-Id.
  std::string request_id;
  // Lambda-Runtime-Invoked-Function-Arn: the ARN as invoked (unqualified, version or alias).
  std::string function_arn;
  // Lambda-Runtime-Trace-Id (X-Ray header); also exported as _X_AMZN_TRACE_ID while the handler
  // runs. Empty when the platform sent none.
  std::string trace_id;
  // Lambda-Runtime-Client-Context: JSON text, empty unless the caller supplied a client context.
  std::string client_context;
  // Lambda-Runtime-Cognito-Identity: JSON text, empty unless the caller had a Cognito identity.
  std::string cognito_identity;
  // Lambda-Runtime-Aws-Tenant-Id: empty unless the function runs in tenant-isolation mode.
  std::string tenant_id;
  // Content-Type of the event ("application/json" when the platform sent none).
  std::string content_type;
  // Lambda-Runtime-Deadline-Ms: when the invocation times out. The Unix epoch if the platform
  // sent no deadline.
  std::chrono::system_clock::time_point deadline;

  // Time left until `deadline`, never negative.
  std::chrono::milliseconds remaining_time() const;
};

// What a handler returns: either a result (posted to `/response`) or a function error (posted to
// `/error`).
class InvocationResponse {
 public:
  // A successful result. `payload` is returned to the caller byte for byte, and `content_type` is
  // passed through to it.
  static InvocationResponse success(std::string payload,
                                    std::string content_type = "application/json");

  // A function error. The caller receives
  // `{"errorMessage":<error_message>,"errorType":<error_type>,"stackTrace":[]}` and the
  // platform receives `error_type` in the Lambda-Runtime-Function-Error-Type header.
  static InvocationResponse failure(std::string_view error_message, std::string error_type);

  bool is_success() const { return success_; }
  // The response body: the result for a success, the error document for a failure.
  const std::string& payload() const { return payload_; }
  std::string& mutable_payload() { return payload_; }
  const std::string& content_type() const { return content_type_; }
  // Empty for a success.
  const std::string& error_type() const { return error_type_; }

 private:
  InvocationResponse() = default;

  bool success_ = true;
  std::string payload_;
  std::string content_type_;
  std::string error_type_;
};

// The handler is called once per invocation, on the thread that called run_handler. It may take
// the request as `const InvocationRequest&` or as `InvocationRequest&`; in the latter case it may
// move the payload out (the SDK discards the request after the handler returns), which lets an
// echo-like handler answer without copying the event.
using Handler = std::function<InvocationResponse(InvocationRequest&)>;

struct RuntimeOptions {
  // `host:port` of the Runtime API. Empty: read AWS_LAMBDA_RUNTIME_API.
  std::string endpoint;
  // Stop after this many invocations and return 0. Zero: run until the Runtime API fails (which
  // is how a bootstrap normally ends: the platform kills or abandons the instance).
  std::uint64_t max_invocations = 0;
};

// Exit codes of run_handler.
inline constexpr int kExitOk = 0;
// The Runtime API is unreachable, answered `next` with an error status (e.g. 500), sent a
// malformed response, or the endpoint is missing or malformed. The process should exit with
// this code so that the platform sees the instance die.
inline constexpr int kExitRuntimeApiError = 1;

// Runs the invocation loop: GET next, call `handler`, POST its result to `/response` or `/error`,
// repeat. Uses one keep-alive HTTP connection (re-established if the platform closes it).
// Returns only when the Runtime API fails (kExitRuntimeApiError) or after
// `options.max_invocations` invocations (kExitOk). Intended use: `return run_handler(h);` from
// main().
int run_handler(Handler handler, const RuntimeOptions& options = {});

// Reports a failure that happened before the first invocation (configuration missing, a
// dependency failed to load...) with `POST /2018-06-01/runtime/init/error`. The platform fails
// the pending invocation with this error and discards the instance; the caller should exit
// afterwards. Returns true when the platform accepted the report (HTTP 202).
bool report_init_error(std::string_view error_message, std::string_view error_type,
                       const RuntimeOptions& options = {});

// Appends `text` to `out` as a JSON string literal (with the surrounding quotes). Quotes,
// backslashes and control characters are escaped; bytes that are not valid UTF-8 are replaced
// by U+FFFD so that the result is always valid JSON.
void append_json_string(std::string& out, std::string_view text);

// `append_json_string` into a new string.
std::string json_string(std::string_view text);

}  // namespace nimbus::lambda
