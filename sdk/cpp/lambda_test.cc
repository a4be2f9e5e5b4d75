// Tests for the Nimbus C++ function SDK against an in-process fake Runtime API.

#include "nimbus/lambda.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "http_client.h"

namespace test_errors {
// A user-defined exception type, to check that the reported errorType is its readable name.
class ValidationError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};
}  // namespace test_errors

namespace nimbus::lambda {
namespace {

using namespace std::string_literals;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

std::int64_t now_epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Fake Runtime API

// One scripted answer to `GET next`.
struct FakeInvocation {
  std::string request_id;
  std::string payload;
  std::string function_arn = "arn:aws:lambda:us-east-1:000000000000:function:sdk-test";
  std::string trace_id;
  std::string client_context;
  std::string cognito_identity;
  std::string tenant_id;
  std::string content_type = "application/json";
  std::optional<std::int64_t> deadline_ms;
  bool omit_request_id = false;
  // When set, written verbatim instead of a generated response.
  std::string raw_response;
  // Write the raw response one byte per send() call.
  bool dribble = false;
  // Close the connection after writing the raw response.
  bool close_after_raw = false;
};

struct RecordedRequest {
  int connection = -1;  // Index of the connection, in accept order.
  int read = -1;        // Index of the server's read that completed it.
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == lower(name)) return value;
    }
    return std::nullopt;
  }
};

struct FakeBehaviour {
  // Send `next` bodies with chunked transfer coding, in chunks of this size (0: Content-Length).
  std::size_t chunk_size = 0;
  // Send response header names in lower case.
  bool lowercase_headers = false;
  // After answering a POST, close the connection without announcing it.
  bool close_silently_after_post = false;
  // Answer POSTs with `Connection: close` and close the connection.
  bool connection_close_after_post = false;
  // Status for POST .../response and .../error.
  int post_status = 202;
  // Status for POST /runtime/init/error.
  int init_error_status = 202;
  // What `next` does once the script is exhausted: answer this status, or (0) close the
  // connection without answering.
  int exhausted_next_status = 500;
};

class FakeRuntimeApi {
 public:
  explicit FakeRuntimeApi(std::vector<FakeInvocation> script, FakeBehaviour behaviour = {})
      : script_(std::move(script)), behaviour_(behaviour) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(listen_fd_, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
    socklen_t length = sizeof(address);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    EXPECT_EQ(::pipe2(wake_pipe_, O_CLOEXEC), 0);
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeRuntimeApi() {
    char byte = 0;
    EXPECT_EQ(::write(wake_pipe_[1], &byte, 1), 1);
    thread_.join();
    for (Connection& connection : connections_) ::close(connection.fd);
    ::close(listen_fd_);
    ::close(wake_pipe_[0]);
    ::close(wake_pipe_[1]);
  }

  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  int connections_accepted() const { return accepted_.load(); }

 private:
  struct Connection {
    int fd;
    int id;
    std::string input;
    int last_read = -1;
  };

  void serve() {
    for (;;) {
      std::vector<pollfd> fds;
      fds.push_back({wake_pipe_[0], POLLIN, 0});
      fds.push_back({listen_fd_, POLLIN, 0});
      for (const Connection& connection : connections_) {
        fds.push_back({connection.fd, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[0].revents != 0) return;
      if (fds[1].revents & POLLIN) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
          int one = 1;
          ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          connections_.push_back({fd, accepted_.fetch_add(1), {}, -1});
        }
      }
      // Connections that were polled are the first fds.size() - 2 entries of connections_.
      std::vector<int> to_close;
      for (std::size_t i = 2; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        Connection& connection = connections_[i - 2];
        char buffer[256 * 1024];
        ssize_t n = ::recv(connection.fd, buffer, sizeof(buffer), 0);
        if (n <= 0) {
          to_close.push_back(connection.fd);
          continue;
        }
        connection.input.append(buffer, static_cast<std::size_t>(n));
        connection.last_read = reads_++;
        if (!handle_buffered_requests(connection)) to_close.push_back(connection.fd);
      }
      for (int fd : to_close) {
        ::close(fd);
        std::erase_if(connections_, [fd](const Connection& c) { return c.fd == fd; });
      }
    }
  }

  // Handles every complete request in the connection's input. Returns false when the
  // connection must be closed.
  bool handle_buffered_requests(Connection& connection) {
    for (;;) {
      std::size_t head_end = connection.input.find("\r\n\r\n");
      if (head_end == std::string::npos) return true;
      RecordedRequest request;
      request.connection = connection.id;
      request.read = connection.last_read;
      std::string_view head(connection.input.data(), head_end);
      std::size_t line_end = head.find("\r\n");
      std::string_view request_line = head.substr(0, line_end);
      std::size_t first_space = request_line.find(' ');
      std::size_t second_space = request_line.find(' ', first_space + 1);
      request.method = std::string(request_line.substr(0, first_space));
      request.target =
          std::string(request_line.substr(first_space + 1, second_space - first_space - 1));
      EXPECT_EQ(request_line.substr(second_space + 1), "HTTP/1.1");
      std::size_t content_length = 0;
      std::string_view rest =
          line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
      while (!rest.empty()) {
        std::size_t end = rest.find("\r\n");
        std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
        std::size_t colon = line.find(':');
        std::string name = lower(line.substr(0, colon));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (name == "content-length") content_length = std::stoul(std::string(value));
        request.headers.emplace_back(name, std::string(value));
      }
      std::size_t total = head_end + 4 + content_length;
      if (connection.input.size() < total) return true;
      request.body = connection.input.substr(head_end + 4, content_length);
      connection.input.erase(0, total);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      if (!answer(connection.fd, request)) return false;
    }
  }

  std::string header_line(std::string_view name, std::string_view value) const {
    std::string line = behaviour_.lowercase_headers ? lower(name) : std::string(name);
    line.append(": ").append(value).append("\r\n");
    return line;
  }

  static std::string simple_response(int status, std::string_view body,
                                     std::string_view extra_headers = "") {
    std::string response = "HTTP/1.1 " + std::to_string(status) + " Status\r\n";
    response += "Content-Type: application/json\r\n";
    response += extra_headers;
    response += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    response += body;
    return response;
  }

  // Writes the answer to `request`. Returns false when the connection must be closed.
  bool answer(int fd, const RecordedRequest& request) {
    constexpr std::string_view kInvocationPrefix = "/2018-06-01/runtime/invocation/";
    if (request.method == "GET" && request.target == "/2018-06-01/runtime/invocation/next") {
      if (next_index_ >= script_.size()) {
        if (behaviour_.exhausted_next_status == 0) return false;
        return send_all(fd, simple_response(behaviour_.exhausted_next_status,
                                            R"({"errorMessage":"no more","errorType":"Test"})"));
      }
      const FakeInvocation& invocation = script_[next_index_++];
      if (!invocation.raw_response.empty()) {
        if (invocation.dribble) {
          for (char c : invocation.raw_response) {
            if (!send_all(fd, std::string_view(&c, 1))) return false;
          }
        } else if (!send_all(fd, invocation.raw_response)) {
          return false;
        }
        return !invocation.close_after_raw;
      }
      return send_all(fd, next_response(invocation));
    }
    if (request.method == "POST" && request.target.starts_with(kInvocationPrefix)) {
      bool close = behaviour_.close_silently_after_post || behaviour_.connection_close_after_post;
      std::string extra = behaviour_.connection_close_after_post ? "Connection: close\r\n" : "";
      std::string body = behaviour_.post_status == 202
                             ? R"({"status":"OK"})"
                             : R"({"errorMessage":"rejected","errorType":"Test.Rejected"})";
      if (!send_all(fd, simple_response(behaviour_.post_status, body, extra))) return false;
      return !close;
    }
    if (request.method == "POST" && request.target == "/2018-06-01/runtime/init/error") {
      return send_all(fd, simple_response(behaviour_.init_error_status, R"({"status":"OK"})"));
    }
    return send_all(fd, simple_response(404, R"({"errorMessage":"not found"})"));
  }

  std::string next_response(const FakeInvocation& invocation) const {
    std::string response = "HTTP/1.1 200 OK\r\n";
    if (!invocation.omit_request_id) {
      response += header_line("Lambda-Runtime-Aws-Request-Id", invocation.request_id);
    }
    if (invocation.deadline_ms) {
      response +=
          header_line("Lambda-Runtime-Deadline-Ms", std::to_string(*invocation.deadline_ms));
    }
    auto optional_header = [&](std::string_view name, const std::string& value) {
      if (!value.empty()) response += header_line(name, value);
    };
    optional_header("Lambda-Runtime-Invoked-Function-Arn", invocation.function_arn);
    optional_header("Lambda-Runtime-Trace-Id", invocation.trace_id);
    optional_header("Lambda-Runtime-Client-Context", invocation.client_context);
    optional_header("Lambda-Runtime-Cognito-Identity", invocation.cognito_identity);
    optional_header("Lambda-Runtime-Aws-Tenant-Id", invocation.tenant_id);
    optional_header("Content-Type", invocation.content_type);
    if (behaviour_.chunk_size == 0) {
      response += header_line("Content-Length", std::to_string(invocation.payload.size()));
      response += "\r\n";
      response += invocation.payload;
      return response;
    }
    response += header_line("Transfer-Encoding", "chunked");
    response += "\r\n";
    std::string_view rest = invocation.payload;
    bool first = true;
    while (!rest.empty()) {
      std::size_t size = std::min(rest.size(), behaviour_.chunk_size);
      char hex[32];
      std::snprintf(hex, sizeof(hex), "%zx", size);
      response += hex;
      if (first) response += ";note=first";  // A chunk extension, which clients must skip.
      first = false;
      response += "\r\n";
      response.append(rest.substr(0, size));
      response += "\r\n";
      rest.remove_prefix(size);
    }
    response += "0\r\nX-Checksum: none\r\n\r\n";  // With a trailer field.
    return response;
  }

  std::vector<FakeInvocation> script_;
  FakeBehaviour behaviour_;
  std::size_t next_index_ = 0;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::thread thread_;
  std::vector<Connection> connections_;
  int reads_ = 0;
  std::atomic<int> accepted_{0};
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
};

FakeInvocation make_invocation(std::string id, std::string payload) {
  FakeInvocation invocation;
  invocation.request_id = std::move(id);
  invocation.payload = std::move(payload);
  invocation.deadline_ms = now_epoch_ms() + 60'000;
  return invocation;
}

RuntimeOptions options_for(const FakeRuntimeApi& api, std::uint64_t max_invocations = 0) {
  RuntimeOptions options;
  options.endpoint = api.endpoint();
  options.max_invocations = max_invocations;
  return options;
}

InvocationResponse echo(InvocationRequest& request) {
  return InvocationResponse::success(std::move(request.payload), "application/octet-stream");
}

std::string all_byte_values() {
  std::string bytes;
  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  }
  return bytes;
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(generator() & 0xFF);
  return bytes;
}

// Requests grouped by kind, for readable assertions.
std::vector<RecordedRequest> with_target_suffix(const std::vector<RecordedRequest>& requests,
                                                std::string_view suffix) {
  std::vector<RecordedRequest> out;
  for (const RecordedRequest& request : requests) {
    if (request.target.ends_with(suffix)) out.push_back(request);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON escaping and responses

TEST(JsonString, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_string("plain"), R"("plain")");
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_EQ(json_string("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(json_string("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_string("\x01\x1f\x7f"s), "\"\\u0001\\u001f\x7f\"");
  EXPECT_EQ(json_string("nul\0byte"s), R"("nul\u0000byte")");
}

TEST(JsonString, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(json_string("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  EXPECT_EQ(json_string("\xFF"), R"("\ufffd")");
  EXPECT_EQ(json_string("\x80x"), R"("\ufffdx")");               // Lone continuation byte.
  EXPECT_EQ(json_string("\xC0\xAF"), R"("\ufffd\ufffd")");       // Overlong '/'.
  EXPECT_EQ(json_string("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");  // UTF-16 surrogate.
  EXPECT_EQ(json_string("\xE2\x82"), R"("\ufffd\ufffd")");       // Truncated sequence.
  EXPECT_EQ(json_string("\xF4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF.
}

TEST(InvocationResponse, SuccessKeepsPayloadAndContentType) {
  InvocationResponse json = InvocationResponse::success(R"({"ok":true})");
  EXPECT_TRUE(json.is_success());
  EXPECT_EQ(json.payload(), R"({"ok":true})");
  EXPECT_EQ(json.content_type(), "application/json");
  EXPECT_EQ(json.error_type(), "");
  InvocationResponse text = InvocationResponse::success("hi", "text/plain");
  EXPECT_EQ(text.content_type(), "text/plain");
}

TEST(InvocationResponse, FailureBuildsLambdaErrorDocument) {
  InvocationResponse failure =
      InvocationResponse::failure("bad \"input\"\n\x01", "Custom.ValidationError");
  EXPECT_FALSE(failure.is_success());
  EXPECT_EQ(failure.error_type(), "Custom.ValidationError");
  EXPECT_EQ(failure.content_type(), "application/json");
  EXPECT_EQ(failure.payload(),
            R"({"errorMessage":"bad \"input\"\n\u0001","errorType":"Custom.ValidationError",)"
            R"("stackTrace":[]})");
}

TEST(InvocationRequest, RemainingTimeIsNeverNegative) {
  InvocationRequest request;
  EXPECT_EQ(request.remaining_time().count(), 0);
  request.deadline = std::chrono::system_clock::now() + std::chrono::seconds(5);
  EXPECT_GT(request.remaining_time().count(), 4000);
  EXPECT_LE(request.remaining_time().count(), 5000);
}

TEST(ParseEndpoint, AcceptsHostPortForms) {
  std::string host;
  std::string port;
  ASSERT_TRUE(internal::parse_endpoint("127.0.0.1:9001", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, "9001");
  ASSERT_TRUE(internal::parse_endpoint("http://localhost:9001/", host, port));
  EXPECT_EQ(host, "localhost");
  ASSERT_TRUE(internal::parse_endpoint("[::1]:9001", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, "9001");
  for (std::string_view bad : {"localhost", "localhost:", ":9001", "host:99999", "host:12x",
                               "::1:9001", "[::1]9001", ""}) {
    EXPECT_FALSE(internal::parse_endpoint(bad, host, port)) << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// The invocation loop

TEST(RunHandler, RoundTripKeepsBinaryPayloadIntact) {
  std::string binary = all_byte_values();
  FakeRuntimeApi api({make_invocation("id-binary", binary)});
  ASSERT_EQ(run_handler(echo, options_for(api, 1)), kExitOk);

  std::vector<RecordedRequest> requests = api.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].target, "/2018-06-01/runtime/invocation/id-binary/response");
  EXPECT_EQ(requests[1].body, binary);
  EXPECT_EQ(requests[1].header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(requests[1].header("Content-Length"), std::to_string(binary.size()));
  EXPECT_EQ(requests[1].header("Host"), api.endpoint());
  EXPECT_FALSE(requests[1].header("Expect").has_value());
  EXPECT_FALSE(requests[1].header("Transfer-Encoding").has_value());
}

TEST(RunHandler, RoundTripsFiveMegabytes) {
  std::string big = random_bytes(5 * 1024 * 1024, 7);
  FakeRuntimeApi api({make_invocation("id-big", big)});
  ASSERT_EQ(run_handler(echo, options_for(api, 1)), kExitOk);
  std::vector<RecordedRequest> posts = with_target_suffix(api.requests(), "/response");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_TRUE(posts[0].body == big);
}

TEST(RunHandler, ReadsChunkedEvents) {
  std::string big = random_bytes(5 * 1024 * 1024 + 17, 11);
  FakeBehaviour behaviour;
  behaviour.chunk_size = 100'000;
  FakeRuntimeApi api({make_invocation("c1", "{\"small\":true}"), make_invocation("c2", big),
                      make_invocation("c3", "")},
                     behaviour);
  std::vector<std::size_t> sizes;
  auto handler = [&](InvocationRequest& request) {
    sizes.push_back(request.payload.size());
    return echo(request);
  };
  ASSERT_EQ(run_handler(handler, options_for(api, 3)), kExitOk);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{14, big.size(), 0}));
  std::vector<RecordedRequest> posts = with_target_suffix(api.requests(), "/response");
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].body, "{\"small\":true}");
  EXPECT_TRUE(posts[1].body == big);
  EXPECT_EQ(posts[2].body, "");
  EXPECT_EQ(posts[2].header("Content-Length"), "0");
  EXPECT_EQ(api.connections_accepted(), 1);
}

// glibc's setenv() keeps every distinct value it is given until the process
// ends; with a unique trace id per invocation that is a leak per invocation.
TEST(RunHandler, TraceIdsDoNotAccumulateInTheEnvironment) {
  constexpr int kInvocations = 2000;
  auto heap_growth = [](bool distinct) {
    std::vector<FakeInvocation> invocations;
    for (int i = 0; i < kInvocations; ++i) {
      FakeInvocation invocation = make_invocation("req-" + std::to_string(10000 + i), "{}");
      std::string n = std::to_string(distinct ? 100000 + i : 100000);
      invocation.trace_id = "Root=1-5bef4de7-ad49b0e87f6ef6c87f" + n + ";Parent=9a9197af755a6419";
      invocations.push_back(std::move(invocation));
    }
    FakeRuntimeApi api(std::move(invocations));
    auto handler = [](const InvocationRequest&) { return InvocationResponse::success("{}"); };
    long long before = static_cast<long long>(mallinfo2().uordblks);
    EXPECT_EQ(run_handler(handler, options_for(api, kInvocations)), kExitOk);
    return static_cast<long long>(mallinfo2().uordblks) - before;
  };
  heap_growth(false);  // the first run's growth differs for reasons of its own
  long long same = heap_growth(false);
  long long distinct = heap_growth(true);
  // setenv() held about 130 bytes per distinct value here (260 KB in all).
  EXPECT_LT(distinct - same, 64 * 1024)
      << "same trace id: " << same << " bytes, distinct: " << distinct;
}

TEST(RunHandler, ParsesInvocationHeaders) {
  FakeInvocation first = make_invocation("req-1", R"({"n":1})");
  first.deadline_ms = now_epoch_ms() + 10'000;
  first.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:sdk-test:live";
  first.trace_id = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";
  first.client_context = R"({"client":{"app_title":"t"},"custom":{},"env":{}})";
  first.cognito_identity = R"({"cognitoIdentityId":"i","cognitoIdentityPoolId":"p"})";
  first.tenant_id = "tenant-7";
  first.content_type = "text/plain";
  FakeInvocation second = make_invocation("req-2", "2");
  second.deadline_ms.reset();
  second.function_arn.clear();
  second.content_type.clear();

  ::setenv("_X_AMZN_TRACE_ID", "stale-value-from-before", 1);
  std::vector<InvocationRequest> seen;
  std::vector<std::optional<std::string>> trace_env;
  auto handler = [&](const InvocationRequest& request) {
    seen.push_back(request);
    const char* env = std::getenv("_X_AMZN_TRACE_ID");
    trace_env.push_back(env ? std::optional<std::string>(env) : std::nullopt);
    return InvocationResponse::success("{}");
  };
  FakeBehaviour behaviour;
  behaviour.lowercase_headers = true;  // Header names are case-insensitive.
  FakeRuntimeApi api({first, second}, behaviour);
  ASSERT_EQ(run_handler(handler, options_for(api, 2)), kExitOk);

  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].request_id, "req-1");
  EXPECT_EQ(seen[0].payload, R"({"n":1})");
  EXPECT_EQ(seen[0].function_arn, first.function_arn);
  EXPECT_EQ(seen[0].trace_id, first.trace_id);
  EXPECT_EQ(seen[0].client_context, first.client_context);
  EXPECT_EQ(seen[0].cognito_identity, first.cognito_identity);
  EXPECT_EQ(seen[0].tenant_id, "tenant-7");
  EXPECT_EQ(seen[0].content_type, "text/plain");
  auto deadline_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         seen[0].deadline.time_since_epoch())
                         .count();
  EXPECT_EQ(deadline_ms, *first.deadline_ms);
  EXPECT_GT(seen[0].remaining_time().count(), 8'000);
  EXPECT_LE(seen[0].remaining_time().count(), 10'000);
  EXPECT_EQ(trace_env[0], first.trace_id);

  EXPECT_EQ(seen[1].request_id, "req-2");
  EXPECT_EQ(seen[1].function_arn, "");
  EXPECT_EQ(seen[1].trace_id, "");
  EXPECT_EQ(seen[1].client_context, "");
  EXPECT_EQ(seen[1].content_type, "application/json");
  EXPECT_EQ(seen[1].deadline, std::chrono::system_clock::time_point());
  EXPECT_EQ(seen[1].remaining_time().count(), 0);
  EXPECT_EQ(trace_env[1], std::nullopt);  // Unset when the invocation has no trace id.
}

TEST(RunHandler, ReadsEndpointFromEnvironment) {
  FakeRuntimeApi api({make_invocation("env-1", "x")});
  ::setenv("AWS_LAMBDA_RUNTIME_API", api.endpoint().c_str(), 1);
  RuntimeOptions options;
  options.max_invocations = 1;
  EXPECT_EQ(run_handler(echo, options), kExitOk);
  ::unsetenv("AWS_LAMBDA_RUNTIME_API");
  EXPECT_EQ(with_target_suffix(api.requests(), "/env-1/response").size(), 1u);
}

TEST(RunHandler, AcceptsConstReferenceHandlers) {
  FakeRuntimeApi api({make_invocation("const-1", "abc")});
  std::function<InvocationResponse(const InvocationRequest&)> handler =
      [](const InvocationRequest& request) {
        return InvocationResponse::success(request.payload + request.payload, "text/plain");
      };
  ASSERT_EQ(run_handler(handler, options_for(api, 1)), kExitOk);
  std::vector<RecordedRequest> posts = with_target_suffix(api.requests(), "/response");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].body, "abcabc");
  EXPECT_EQ(posts[0].header("Content-Type"), "text/plain");
}

TEST(RunHandler, PostsFailureToErrorEndpoint) {
  FakeRuntimeApi api({make_invocation("fail-1", "{}")});
  auto handler = [](const InvocationRequest&) {
    return InvocationResponse::failure("quota \"exceeded\"", "Custom.QuotaError");
  };
  ASSERT_EQ(run_handler(handler, options_for(api, 1)), kExitOk);
  std::vector<RecordedRequest> requests = api.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].target, "/2018-06-01/runtime/invocation/fail-1/error");
  EXPECT_EQ(requests[1].header("Lambda-Runtime-Function-Error-Type"), "Custom.QuotaError");
  EXPECT_EQ(requests[1].header("Content-Type"), "application/json");
  EXPECT_EQ(requests[1].body,
            R"({"errorMessage":"quota \"exceeded\"","errorType":"Custom.QuotaError",)"
            R"("stackTrace":[]})");
}

TEST(RunHandler, ReportsThrownExceptionsAndContinues) {
  FakeRuntimeApi api({make_invocation("t1", "1"), make_invocation("t2", "2"),
                      make_invocation("t3", "3"), make_invocation("t4", "4")});
  auto handler = [](const InvocationRequest& request) -> InvocationResponse {
    if (request.payload == "1") throw std::runtime_error("boom\n\"quoted\"");
    if (request.payload == "2") throw test_errors::ValidationError("field x is required");
    if (request.payload == "3") throw 42;
    return InvocationResponse::success("fine");
  };
  ASSERT_EQ(run_handler(handler, options_for(api, 4)), kExitOk);

  std::vector<RecordedRequest> errors = with_target_suffix(api.requests(), "/error");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].target, "/2018-06-01/runtime/invocation/t1/error");
  EXPECT_EQ(errors[0].header("Lambda-Runtime-Function-Error-Type"), "std::runtime_error");
  EXPECT_EQ(errors[0].body,
            R"({"errorMessage":"boom\n\"quoted\"","errorType":"std::runtime_error",)"
            R"("stackTrace":[]})");
  EXPECT_EQ(errors[1].header("Lambda-Runtime-Function-Error-Type"),
            "test_errors::ValidationError");
  EXPECT_EQ(errors[1].body,
            R"({"errorMessage":"field x is required","errorType":"test_errors::ValidationError",)"
            R"("stackTrace":[]})");
  EXPECT_EQ(errors[2].header("Lambda-Runtime-Function-Error-Type"), "int");
  std::vector<RecordedRequest> responses = with_target_suffix(api.requests(), "/response");
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].target, "/2018-06-01/runtime/invocation/t4/response");
  EXPECT_EQ(responses[0].body, "fine");
}

TEST(RunHandler, ReusesOneConnectionAndSendsEachResultWithTheNextRequest) {
  FakeRuntimeApi api(
      {make_invocation("p1", "a"), make_invocation("p2", "b"), make_invocation("p3", "c")});
  ASSERT_EQ(run_handler(echo, options_for(api, 3)), kExitOk);
  std::vector<RecordedRequest> requests = api.requests();
  ASSERT_EQ(requests.size(), 6u);
  for (const RecordedRequest& request : requests) EXPECT_EQ(request.connection, 0);
  EXPECT_EQ(api.connections_accepted(), 1);
  // next, then (result, next) twice in one write each, then the last result alone.
  for (std::size_t i : {1u, 3u}) {
    EXPECT_EQ(requests[i].method, "POST");
    EXPECT_EQ(requests[i + 1].target, "/2018-06-01/runtime/invocation/next");
    EXPECT_EQ(requests[i].read, requests[i + 1].read)
        << "the next request arrived after the result's answer was awaited";
  }
  EXPECT_EQ(requests[5].target, "/2018-06-01/runtime/invocation/p3/response");
  EXPECT_EQ(requests[5].body, "c");
}

TEST(RunHandler, ReconnectsWhenServerClosesIdleConnection) {
  FakeBehaviour behaviour;
  behaviour.close_silently_after_post = true;
  FakeRuntimeApi api(
      {make_invocation("k1", "a"), make_invocation("k2", "b"), make_invocation("k3", "c")},
      behaviour);
  ASSERT_EQ(run_handler(echo, options_for(api, 3)), kExitOk);
  std::vector<RecordedRequest> posts = with_target_suffix(api.requests(), "/response");
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].body, "a");
  EXPECT_EQ(posts[1].body, "b");
  EXPECT_EQ(posts[2].body, "c");
  EXPECT_EQ(posts[2].target, "/2018-06-01/runtime/invocation/k3/response");
  EXPECT_EQ(api.connections_accepted(), 3);
}

TEST(RunHandler, HonoursConnectionClose) {
  FakeBehaviour behaviour;
  behaviour.connection_close_after_post = true;
  FakeRuntimeApi api({make_invocation("h1", "a"), make_invocation("h2", "b")}, behaviour);
  ASSERT_EQ(run_handler(echo, options_for(api, 2)), kExitOk);
  std::vector<RecordedRequest> requests = api.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[2].connection, 1);
  EXPECT_EQ(requests[3].body, "b");
}

TEST(RunHandler, RetriesOnlyOnceWhenConnectionKeepsDropping) {
  FakeBehaviour behaviour;
  behaviour.exhausted_next_status = 0;  // Close the connection instead of answering.
  FakeRuntimeApi api({make_invocation("d1", "a")}, behaviour);
  EXPECT_EQ(run_handler(echo, options_for(api)), kExitRuntimeApiError);
  std::vector<RecordedRequest> nexts = with_target_suffix(api.requests(), "/next");
  EXPECT_EQ(nexts.size(), 3u);  // The first, then the dropped one and its single retry.
}

TEST(RunHandler, ParsesUnusualButValidResponses) {
  FakeInvocation interim_and_chunked;
  interim_and_chunked.raw_response =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200\r\n"
      "lambda-runtime-aws-request-id:raw-1\r\n"
      "LAMBDA-RUNTIME-DEADLINE-MS: \t 1700000000000 \r\n"
      "transfer-encoding: Chunked\r\n"
      "\r\n"
      "5;ext=\"x\"\r\nhello\r\n"
      "A\r\n, chunked!\r\n"
      "0\r\n"
      "X-Trailer: ignored\r\n"
      "\r\n";
  interim_and_chunked.dribble = true;
  FakeInvocation close_delimited;
  close_delimited.raw_response =
      "HTTP/1.0 200 OK\r\n"
      "Lambda-Runtime-Aws-Request-Id: raw-2\r\n"
      "\r\n"
      "until the end";
  close_delimited.close_after_raw = true;
  FakeRuntimeApi api({interim_and_chunked, close_delimited});
  std::vector<InvocationRequest> seen;
  auto handler = [&](const InvocationRequest& request) {
    seen.push_back(request);
    return InvocationResponse::success("ok");
  };
  ASSERT_EQ(run_handler(handler, options_for(api, 2)), kExitOk);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].request_id, "raw-1");
  EXPECT_EQ(seen[0].payload, "hello, chunked!");
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(
                seen[0].deadline.time_since_epoch())
                .count(),
            1700000000000);
  EXPECT_EQ(seen[1].request_id, "raw-2");
  EXPECT_EQ(seen[1].payload, "until the end");
  std::vector<RecordedRequest> posts = with_target_suffix(api.requests(), "/response");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].target, "/2018-06-01/runtime/invocation/raw-2/response");
  EXPECT_EQ(posts[1].connection, 1);  // The HTTP/1.0 answer ended the first connection.
}

TEST(RunHandler, ExitsWhenNextFails) {
  FakeRuntimeApi api({make_invocation("e1", "a")});  // Then `next` answers 500.
  int calls = 0;
  auto handler = [&](InvocationRequest& request) {
    ++calls;
    return echo(request);
  };
  EXPECT_EQ(run_handler(handler, options_for(api)), kExitRuntimeApiError);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(with_target_suffix(api.requests(), "/response").size(), 1u);
}

TEST(RunHandler, ExitsWhenRequestIdIsMissing) {
  FakeInvocation invocation = make_invocation("", "a");
  invocation.omit_request_id = true;
  FakeRuntimeApi api({invocation, make_invocation("later", "b")});
  int calls = 0;
  auto handler = [&](InvocationRequest& request) {
    ++calls;
    return echo(request);
  };
  EXPECT_EQ(run_handler(handler, options_for(api)), kExitRuntimeApiError);
  EXPECT_EQ(calls, 0);
}

TEST(RunHandler, ContinuesAfterRejectedResultButExitsOnServerError) {
  {
    FakeBehaviour behaviour;
    behaviour.post_status = 400;  // E.g. InvalidRequestID: logged, loop goes on.
    FakeRuntimeApi api({make_invocation("s1", "a"), make_invocation("s2", "b")}, behaviour);
    EXPECT_EQ(run_handler(echo, options_for(api, 2)), kExitOk);
    EXPECT_EQ(with_target_suffix(api.requests(), "/response").size(), 2u);
  }
  {
    FakeBehaviour behaviour;
    behaviour.post_status = 500;  // Container error: exit.
    FakeRuntimeApi api({make_invocation("s1", "a"), make_invocation("s2", "b")}, behaviour);
    EXPECT_EQ(run_handler(echo, options_for(api, 2)), kExitRuntimeApiError);
    // The second GET next went out with the result, but no second event is handled.
    EXPECT_EQ(with_target_suffix(api.requests(), "/response").size(), 1u);
  }
}

TEST(RunHandler, ExitsWhenEndpointIsUnreachable) {
  // Find a port with no listener: bind an ephemeral port, then release it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  RuntimeOptions options;
  options.endpoint = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  EXPECT_EQ(run_handler(echo, options), kExitRuntimeApiError);
}

TEST(RunHandler, ExitsWithoutUsableEndpoint) {
  ::unsetenv("AWS_LAMBDA_RUNTIME_API");
  EXPECT_EQ(run_handler(echo), kExitRuntimeApiError);
  RuntimeOptions options;
  options.endpoint = "no-port-here";
  EXPECT_EQ(run_handler(echo, options), kExitRuntimeApiError);
  EXPECT_EQ(run_handler(nullptr, options), kExitRuntimeApiError);
}

// ---------------------------------------------------------------------------------------------
// Init errors

TEST(ReportInitError, PostsErrorDocument) {
  FakeRuntimeApi api({});
  ::setenv("AWS_LAMBDA_RUNTIME_API", api.endpoint().c_str(), 1);
  EXPECT_TRUE(report_init_error("missing setting \"TABLE\"", "Runtime.ConfigError"));
  ::unsetenv("AWS_LAMBDA_RUNTIME_API");
  std::vector<RecordedRequest> requests = api.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(requests[0].header("Lambda-Runtime-Function-Error-Type"), "Runtime.ConfigError");
  EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
  EXPECT_EQ(requests[0].body,
            R"({"errorMessage":"missing setting \"TABLE\"","errorType":"Runtime.ConfigError",)"
            R"("stackTrace":[]})");
}

TEST(ReportInitError, ReturnsFalseWhenRejectedOrUnreachable) {
  FakeBehaviour behaviour;
  behaviour.init_error_status = 403;
  FakeRuntimeApi api({}, behaviour);
  RuntimeOptions options;
  options.endpoint = api.endpoint();
  EXPECT_FALSE(report_init_error("late", "Runtime.Late", options));
  ::unsetenv("AWS_LAMBDA_RUNTIME_API");
  EXPECT_FALSE(report_init_error("nowhere", "Runtime.Nowhere"));
}

}  // namespace
}  // namespace nimbus::lambda
