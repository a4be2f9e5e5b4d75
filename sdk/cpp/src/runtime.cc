// The invocation loop: Runtime API calls, handler invocation and error reporting.

#include <cxxabi.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>

#include "http_client.h"
#include "nimbus/lambda.h"

namespace nimbus::lambda {
namespace {

using internal::HeaderField;
using internal::HttpClient;
using internal::HttpResponse;

constexpr std::string_view kNextTarget = "/2018-06-01/runtime/invocation/next";
constexpr std::string_view kInvocationPrefix = "/2018-06-01/runtime/invocation/";
constexpr std::string_view kInitErrorTarget = "/2018-06-01/runtime/init/error";
constexpr std::string_view kErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";
constexpr const char* kTraceEnv = "_X_AMZN_TRACE_ID";

// Diagnostics go to stderr, which the platform captures into the function's log stream.
void log_error(std::string_view message) {
  std::string line = "nimbus-lambda: ";
  line.append(message).push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

// Header values must not break the request framing: control characters become spaces. Returns
// `value` itself (no copy) in the common case where nothing needs replacing.
std::string_view header_safe(std::string_view value, std::string& storage) {
  bool clean = true;
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      clean = false;
      break;
    }
  }
  if (clean) return value;
  storage.assign(value);
  for (char& c : storage) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = ' ';
  }
  return storage;
}

// Appends `segment` as one URL path segment, percent-encoding everything but unreserved
// characters (request ids are UUIDs, so this is normally a plain copy).
void append_path_segment(std::string& out, std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : segment) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
}

std::string demangle(const char* mangled) {
  int status = 0;
  char* readable = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  if (status != 0 || readable == nullptr) return mangled;
  std::string name = readable;
  std::free(readable);
  return name;
}

// Short excerpt of a Runtime API error body for the log.
std::string_view excerpt(std::string_view body) { return body.substr(0, 512); }

bool resolve_endpoint(const RuntimeOptions& options, std::string& host, std::string& port) {
  std::string_view endpoint = options.endpoint;
  if (endpoint.empty()) {
    const char* from_env = std::getenv("AWS_LAMBDA_RUNTIME_API");
    if (from_env == nullptr || *from_env == '\0') {
      log_error("AWS_LAMBDA_RUNTIME_API is not set");
      return false;
    }
    endpoint = from_env;
  }
  if (!internal::parse_endpoint(endpoint, host, port)) {
    log_error("malformed Runtime API endpoint (expected host:port): " + std::string(endpoint));
    return false;
  }
  return true;
}

// Calls the handler, turning anything it throws into a function error.
InvocationResponse call_handler(const Handler& handler, InvocationRequest& request) {
  std::string type;
  std::string message;
  try {
    return handler(request);
  } catch (const std::exception& e) {
    type = demangle(typeid(e).name());
    message = e.what();
  } catch (const std::string& e) {
    type = "std::string";
    message = e;
  } catch (const char* e) {
    type = "const char*";
    message = e != nullptr ? e : "";
  } catch (...) {
    const std::type_info* info = abi::__cxa_current_exception_type();
    type = info != nullptr ? demangle(info->name()) : "Unhandled";
    message = "exception of type " + type;
  }
  log_error("handler threw " + type + ": " + message);
  return InvocationResponse::failure(message, std::move(type));
}

// The Runtime API calls made by the loop, over one persistent connection.
class RuntimeClient {
 public:
  RuntimeClient(std::string host, std::string port) : http_(std::move(host), std::move(port)) {}

  // GET next. On success fills `request` and remembers its id for post_result.
  bool next(InvocationRequest& request) {
    if (!http_.request("GET", kNextTarget, {}, {}, false, next_response_, error_)) {
      log_error("GET next failed: " + error_);
      return false;
    }
    return take_next(request);
  }

  // POST the handler's answer for the invocation returned by the last next(). Returns false
  // only when the loop must stop (transport failure or a 5xx: the platform is gone or broken);
  // a 4xx (stale id, payload too large...) is logged and the loop continues.
  bool post_result(const InvocationResponse& result) {
    ResultHeaders headers;
    prepare_result(result, headers);
    if (!http_.request("POST", invocation_target_, headers.span(), result.payload(), true,
                       response_, error_)) {
      log_error("POST " + invocation_target_ + " failed: " + error_);
      return false;
    }
    return result_accepted();
  }

  // post_result, with GET next sent in the same write (see HttpClient::request_then_get): the
  // platform sees the result and the request for more together, and under load answers both
  // at once. Fills `request` as next() does.
  bool post_result_then_next(const InvocationResponse& result, InvocationRequest& request) {
    ResultHeaders headers;
    prepare_result(result, headers);
    bool posted = false;
    if (!http_.request_then_get("POST", invocation_target_, headers.span(), result.payload(),
                                kNextTarget, response_, next_response_, posted, error_)) {
      if (!posted) {
        log_error("POST " + invocation_target_ + " failed: " + error_);
      } else if (result_accepted()) {
        log_error("GET next failed: " + error_);
      }
      return false;
    }
    return result_accepted() && take_next(request);
  }

  bool post_init_error(std::string_view message, std::string_view type) {
    std::string body;
    body.append("{\"errorMessage\":");
    append_json_string(body, message);
    body.append(",\"errorType\":");
    append_json_string(body, type);
    body.append(",\"stackTrace\":[]}");
    std::string type_storage;
    HeaderField headers[] = {{"Content-Type", "application/json"},
                             {kErrorTypeHeader, header_safe(type, type_storage)}};
    if (!http_.request("POST", kInitErrorTarget, headers, body, true, response_, error_)) {
      log_error("POST init/error failed: " + error_);
      return false;
    }
    if (response_.status >= 200 && response_.status < 300) return true;
    log_error("POST init/error answered HTTP " + std::to_string(response_.status) + ": " +
              std::string(excerpt(response_.body)));
    return false;
  }

 private:
  // The headers of a posted result, with the storage their values point into.
  struct ResultHeaders {
    HeaderField fields[2];
    std::size_t count = 0;
    std::string content_type;
    std::string error_type;
    std::span<const HeaderField> span() const { return {fields, count}; }
  };

  // Sets invocation_target_ and `headers` for posting `result`.
  void prepare_result(const InvocationResponse& result, ResultHeaders& headers) {
    invocation_target_.resize(invocation_prefix_size_);
    if (result.is_success()) {
      invocation_target_.append("/response");
      headers.fields[headers.count++] = {"Content-Type",
                                         header_safe(result.content_type(), headers.content_type)};
    } else {
      invocation_target_.append("/error");
      headers.fields[headers.count++] = {"Content-Type", "application/json"};
      headers.fields[headers.count++] = {kErrorTypeHeader,
                                         header_safe(result.error_type(), headers.error_type)};
    }
  }

  // Whether the loop may go on after the platform's answer (in response_) to a posted result.
  bool result_accepted() {
    if (response_.status >= 200 && response_.status < 300) return true;
    log_error("POST " + invocation_target_ + " answered HTTP " +
              std::to_string(response_.status) + ": " + std::string(excerpt(response_.body)));
    return response_.status < 500;
  }

  // Fills `request` from next_response_, the answer to GET next.
  bool take_next(InvocationRequest& request) {
    HttpResponse& r = next_response_;
    if (r.status != 200) {
      log_error("GET next answered HTTP " + std::to_string(r.status) + ": " +
                std::string(excerpt(r.body)));
      return false;
    }
    std::optional<std::string_view> id = r.header("Lambda-Runtime-Aws-Request-Id");
    if (!id || id->empty()) {
      log_error("GET next answered without Lambda-Runtime-Aws-Request-Id");
      return false;
    }
    request.request_id.assign(*id);
    request.payload = std::move(r.body);
    if (auto value = r.header("Lambda-Runtime-Invoked-Function-Arn")) {
      request.function_arn.assign(*value);
    }
    if (auto value = r.header("Lambda-Runtime-Trace-Id")) request.trace_id.assign(*value);
    if (auto value = r.header("Lambda-Runtime-Client-Context")) {
      request.client_context.assign(*value);
    }
    if (auto value = r.header("Lambda-Runtime-Cognito-Identity")) {
      request.cognito_identity.assign(*value);
    }
    if (auto value = r.header("Lambda-Runtime-Aws-Tenant-Id")) {
      request.tenant_id.assign(*value);
    }
    if (auto value = r.header("Content-Type"); value && !value->empty()) {
      request.content_type.assign(*value);
    } else {
      request.content_type = "application/json";
    }
    request.deadline = std::chrono::system_clock::time_point();
    if (auto value = r.header("Lambda-Runtime-Deadline-Ms")) {
      std::uint64_t epoch_ms = 0;
      auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), epoch_ms);
      // Far beyond any real deadline, and small enough not to overflow the clock's duration.
      constexpr std::uint64_t kMaxEpochMs = 1ULL << 52;
      if (ec == std::errc() && end == value->data() + value->size() && epoch_ms < kMaxEpochMs) {
        request.deadline += std::chrono::milliseconds(epoch_ms);
      }
    }
    // The handler may move the request's fields away; keep what post_result needs.
    invocation_target_.assign(kInvocationPrefix);
    append_path_segment(invocation_target_, request.request_id);
    invocation_prefix_size_ = invocation_target_.size();
    return true;
  }

  HttpClient http_;
  HttpResponse response_;
  HttpResponse next_response_;
  std::string error_;
  // "/2018-06-01/runtime/invocation/<id>" followed by "/response" or "/error".
  std::string invocation_target_;
  std::size_t invocation_prefix_size_ = 0;
};

// Puts the invocation's trace header in _X_AMZN_TRACE_ID. Not with setenv():
// glibc keeps a copy of every distinct value given to setenv for the life of
// the process (another thread may still hold one from getenv), and trace ids
// are unique, so a busy instance would grow by hundreds of megabytes an hour.
// putenv() keeps our own "NAME=value" string instead. Two buffers take turns,
// so that a value read by another thread stays valid for one more invocation.
void export_trace_id(const std::string& trace_id) {
  // Never destroyed: the environment may still point into one at exit.
  static auto* buffers = new std::string[2];
  static int current = 0;
  if (trace_id.empty()) {
    ::unsetenv(kTraceEnv);
    return;
  }
  current ^= 1;
  std::string& entry = buffers[current];
  entry.assign(kTraceEnv).append("=").append(trace_id);
  ::putenv(entry.data());
}

}  // namespace

std::chrono::milliseconds InvocationRequest::remaining_time() const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::system_clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

InvocationResponse InvocationResponse::success(std::string payload, std::string content_type) {
  InvocationResponse response;
  response.success_ = true;
  response.payload_ = std::move(payload);
  response.content_type_ = std::move(content_type);
  return response;
}

InvocationResponse InvocationResponse::failure(std::string_view error_message,
                                               std::string error_type) {
  InvocationResponse response;
  response.success_ = false;
  std::string& body = response.payload_;
  body.reserve(error_message.size() + error_type.size() + 64);
  body.append("{\"errorMessage\":");
  append_json_string(body, error_message);
  body.append(",\"errorType\":");
  append_json_string(body, error_type);
  body.append(",\"stackTrace\":[]}");
  response.content_type_ = "application/json";
  response.error_type_ = std::move(error_type);
  return response;
}

int run_handler(Handler handler, const RuntimeOptions& options) {
  try {
    if (!handler) {
      log_error("run_handler called without a handler");
      return kExitRuntimeApiError;
    }
    std::string host;
    std::string port;
    if (!resolve_endpoint(options, host, port)) return kExitRuntimeApiError;
    RuntimeClient client(std::move(host), std::move(port));
    InvocationRequest request;
    if (!client.next(request)) return kExitRuntimeApiError;
    for (std::uint64_t done = 1;; ++done) {
      export_trace_id(request.trace_id);
      InvocationResponse result = call_handler(handler, request);
      if (options.max_invocations != 0 && done >= options.max_invocations) {
        return client.post_result(result) ? kExitOk : kExitRuntimeApiError;
      }
      // The result and the request for the next event leave together.
      request = InvocationRequest();
      if (!client.post_result_then_next(result, request)) return kExitRuntimeApiError;
    }
  } catch (const std::exception& e) {
    // Only resource exhaustion (std::bad_alloc) can get here.
    log_error(std::string("runtime loop failed: ") + e.what());
  } catch (...) {
    log_error("runtime loop failed");
  }
  return kExitRuntimeApiError;
}

bool report_init_error(std::string_view error_message, std::string_view error_type,
                       const RuntimeOptions& options) {
  try {
    std::string host;
    std::string port;
    if (!resolve_endpoint(options, host, port)) return false;
    RuntimeClient client(std::move(host), std::move(port));
    return client.post_init_error(error_message, error_type);
  } catch (...) {
    log_error("init error report failed");
    return false;
  }
}

}  // namespace nimbus::lambda
