#include "runtime/runtime_api.h"

#include <charconv>
#include <string_view>
#include <system_error>

namespace nimbus::runtime {
namespace {

constexpr std::string_view kPrefix = "/2018-06-01";

net::HttpResponse ErrorBody(int status, std::string_view type, std::string_view message) {
  std::string body = "{\"errorMessage\":\"";
  body += message;
  body += "\",\"errorType\":\"";
  body += type;
  body += "\"}";
  return net::HttpResponse::Json(status, std::move(body));
}

net::HttpResponse ForResult(PostResult r) {
  switch (r) {
    case PostResult::kAccepted:
      return net::HttpResponse::Json(202, "{\"status\":\"OK\"}");
    case PostResult::kInvalidRequestId:
      return ErrorBody(400, "InvalidRequestID", "Invalid request ID");
    case PostResult::kInvalidState:
      return ErrorBody(403, "InvalidStateTransition",
                       "State transition is not allowed: nothing to answer in this state");
  }
  return ErrorBody(500, "Runtime.Unknown", "unknown result");
}

net::HttpResponse TooLarge() {
  return ErrorBody(413, "RequestEntityTooLarge",
                   "Exceeded maximum allowed payload size (6291556 bytes).");
}

// A header value inside a batch: line breaks would end the block early.
void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  for (char c : value) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  out += "\r\n";
}

net::HttpResponse BatchResponse(std::vector<InvocationEvent>&& events) {
  size_t size = 0;
  for (const auto& ev : events) size += 256 + ev.invoked_arn.size() + ev.payload.size();
  std::string body;
  body.reserve(size);
  for (auto& ev : events) {
    AppendHeader(body, "Lambda-Runtime-Aws-Request-Id", ev.request_id);
    AppendHeader(body, "Lambda-Runtime-Deadline-Ms", std::to_string(ev.deadline_ms));
    AppendHeader(body, "Lambda-Runtime-Invoked-Function-Arn", ev.invoked_arn);
    if (!ev.trace_id.empty()) AppendHeader(body, "Lambda-Runtime-Trace-Id", ev.trace_id);
    if (!ev.client_context.empty()) {
      AppendHeader(body, "Lambda-Runtime-Client-Context", ev.client_context);
    }
    if (!ev.cognito_identity.empty()) {
      AppendHeader(body, "Lambda-Runtime-Cognito-Identity", ev.cognito_identity);
    }
    AppendHeader(body, "Content-Length", std::to_string(ev.payload.size()));
    body += "\r\n";
    body += ev.payload;
  }
  net::HttpResponse r;
  r.status = 200;
  r.headers.push_back({"Content-Type", std::string(kBatchContentType)});
  r.body = std::move(body);
  return r;
}

net::HttpResponse EventResponse(InvocationEvent&& ev) {
  net::HttpResponse r;
  r.status = 200;
  r.headers.reserve(7);
  r.headers.push_back({"Content-Type", "application/json"});
  r.headers.push_back({"Lambda-Runtime-Aws-Request-Id", ev.request_id});
  r.headers.push_back({"Lambda-Runtime-Deadline-Ms", std::to_string(ev.deadline_ms)});
  r.headers.push_back({"Lambda-Runtime-Invoked-Function-Arn", ev.invoked_arn});
  if (!ev.trace_id.empty()) r.headers.push_back({"Lambda-Runtime-Trace-Id", ev.trace_id});
  if (!ev.client_context.empty()) {
    r.headers.push_back({"Lambda-Runtime-Client-Context", ev.client_context});
  }
  if (!ev.cognito_identity.empty()) {
    r.headers.push_back({"Lambda-Runtime-Cognito-Identity", ev.cognito_identity});
  }
  r.body = std::move(ev.payload);
  return r;
}

}  // namespace

net::Handler MakeRuntimeApiHandler(std::weak_ptr<RuntimeApiDelegate> weak) {
  return [weak](net::HttpRequest&& req, net::Responder respond) {
    auto delegate = weak.lock();
    if (!delegate) {
      respond(ErrorBody(500, "Runtime.InstanceGone", "The function instance is shutting down"));
      return;
    }
    std::string_view path = req.path;
    if (!path.starts_with(kPrefix)) {
      respond(net::HttpResponse::Text(404, "404 page not found"));
      return;
    }
    path.remove_prefix(kPrefix.size());

    if (path == "/runtime/invocation/next" && req.method == "GET") {
      delegate->OnNext([respond](InvocationEvent&& ev) { respond(EventResponse(std::move(ev))); });
      return;
    }
    if (path == "/runtime/invocation/next-batch" && req.method == "GET") {
      size_t max = 0;
      std::string text = req.Query("max").value_or("");
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), max);
      if (ec != std::errc() || end != text.data() + text.size() || max < 1 ||
          max > kMaxBatchEvents) {
        respond(ErrorBody(400, "InvalidRequest",
                          "next-batch needs max, a number of events from 1 to " +
                              std::to_string(kMaxBatchEvents)));
        return;
      }
      delegate->OnNextBatch(max, [respond](std::vector<InvocationEvent>&& events) {
        respond(BatchResponse(std::move(events)));
      });
      return;
    }
    if (path == "/ping" && req.method == "GET") {
      respond(net::HttpResponse::Text(200, "pong"));
      return;
    }
    if (path == "/runtime/init/error" && req.method == "POST") {
      std::string type = req.HeaderOr("Lambda-Runtime-Function-Error-Type", "Runtime.Unknown");
      respond(ForResult(delegate->OnInitError(std::move(type), std::move(req.body))));
      return;
    }
    constexpr std::string_view kInvocation = "/runtime/invocation/";
    if (path.starts_with(kInvocation) && req.method == "POST") {
      std::string_view rest = path.substr(kInvocation.size());
      size_t slash = rest.find('/');
      if (slash != std::string_view::npos) {
        std::string id(rest.substr(0, slash));
        std::string_view action = rest.substr(slash + 1);
        if (action == "response") {
          if (req.body_too_large || req.body.size() > kMaxRuntimeResponseBytes) {
            delegate->OnResponseTooLarge(id);
            net::HttpResponse r = TooLarge();
            r.close = req.body_too_large;
            respond(std::move(r));
            return;
          }
          std::string type = req.HeaderOr("Content-Type", "application/json");
          respond(ForResult(
              delegate->OnResponse(id, std::move(req.body), std::move(type), req.received_at)));
          return;
        }
        if (action == "error") {
          if (req.body_too_large || req.body.size() > kMaxRuntimeResponseBytes) {
            delegate->OnResponseTooLarge(id);
            respond(TooLarge());
            return;
          }
          std::string type = req.HeaderOr("Lambda-Runtime-Function-Error-Type", "Unhandled");
          respond(ForResult(
              delegate->OnError(id, std::move(type), std::move(req.body), req.received_at)));
          return;
        }
      }
    }
    respond(net::HttpResponse::Text(404, "404 page not found"));
  };
}

}  // namespace nimbus::runtime
