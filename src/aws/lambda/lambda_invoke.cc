// Invoke: the one Lambda operation whose body is the function's event, read
// raw, and whose answer comes later, from the invoker, when the function
// returns (RequestResponse); Event and DryRun answer at once.
#include <boost/json.hpp>

#include "aws/lambda/lambda_frontend.h"
#include "core/encoding.h"
#include "core/json.h"
#include "core/platform.h"

namespace nimbus::aws {
namespace {

// The size of X-Amz-Client-Context Lambda accepts, base64-encoded.
constexpr size_t kMaxClientContextBytes = 3583;

}  // namespace

void LambdaFrontend::Invoke(Call& call, Reply reply) {
  net::HttpRequest& req = call.http;
  std::string type = req.HeaderOr("X-Amz-Invocation-Type", "RequestResponse");
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return reply.Error(InvalidArgument(
        "1 validation error detected: Value '" + type +
        "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
        "[Event, RequestResponse, DryRun]"));
  }
  size_t limit =
      type == "Event" ? lambda_limits::kAsyncPayloadBytes : lambda_limits::kSyncPayloadBytes;
  if (req.body_too_large || req.body.size() > limit) {
    return reply.Error(TooLarge("Request must be smaller than " + std::to_string(limit) +
                                " bytes for the InvokeFunction operation"));
  }
  auto ref = RefOf(call);
  if (!ref.ok()) return reply.Error(ref.status());
  if (req.body.empty()) req.body = "{}";
  // Any JSON value is an event; anything else is refused before it runs.
  if (auto parsed = ParseJson(req.body); !parsed.ok()) {
    return reply.Error(Status(Code::kInvalidArgument,
                              "Could not parse payload into json: " + parsed.status().message(),
                              std::string(kSerializationReason)));
  }
  std::string client_context;
  if (const std::string* cc = req.FindHeader("X-Amz-Client-Context")) {
    auto decoded = Base64Decode(*cc);
    if (cc->size() > kMaxClientContextBytes || !decoded || !ParseJson(*decoded).ok()) {
      return reply.Error(
          InvalidArgument("Client context must be a valid Base64-encoded JSON object."));
    }
    client_context = std::move(*decoded);
  }
  if (type == "DryRun") {
    Status s = functions_.CheckInvocable(*ref);
    if (!s.ok()) return reply.Error(s);
    return reply.Empty(204);
  }
  functions::InvokeInput input;
  input.payload = std::move(req.body);
  input.client_context = std::move(client_context);
  input.trace_id = req.HeaderOr("X-Amzn-Trace-Id");
  if (type == "Event") {
    Status s = functions_.CheckInvocable(*ref);
    if (!s.ok()) return reply.Error(s);
    functions_.Invoke(*ref, std::move(input), [](invoker::InvokeResult) {});
    return reply.Empty(202);
  }
  bool tail = req.HeaderOr("X-Amz-Log-Type") == "Tail";
  functions_.Invoke(*ref, std::move(input),
                    [reply = std::move(reply), tail](invoker::InvokeResult result) mutable {
                      if (!result.status.ok()) return reply.Error(result.status);
                      // The invocation's own request id, which the function saw.
                      net::HttpResponse r;
                      r.status = 200;
                      r.headers.reserve(5);
                      r.headers.push_back({"Content-Type", result.content_type});
                      r.headers.push_back({"x-amzn-RequestId", result.request_id});
                      r.headers.push_back({"X-Amz-Executed-Version", result.executed_version});
                      if (!result.function_error.empty()) {
                        r.headers.push_back({"X-Amz-Function-Error", result.function_error});
                      }
                      if (tail) {
                        r.headers.push_back({"X-Amz-Log-Result", Base64Encode(result.log_tail)});
                      }
                      r.body = std::move(result.payload);
                      reply.Raw(std::move(r));
                    });
}

}  // namespace nimbus::aws
