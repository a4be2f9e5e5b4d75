// What the invoker needs from the layers above it, as interfaces the server
// wires to real services (log store, credential store) and tests to fakes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "net/http.h"
#include "net/http_server.h"

namespace nimbus::invoker {

// Receives every line a function instance writes, and the platform's
// START/END/REPORT lines, in order per stream. Called on I/O threads: must
// not block.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Append(const std::string& group, const std::string& stream, int64_t timestamp_ms,
                      std::string message) = 0;
};

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

// Who an instance's credentials act for: the function and its execution role.
struct InstanceIdentity {
  std::string function_arn;
  std::string function_name;
  std::string role_arn;
  std::string region;
};

// Issues the short-lived credentials an instance calls the platform with.
class CredentialIssuer {
 public:
  virtual ~CredentialIssuer() = default;
  virtual Credentials Issue(const InstanceIdentity& identity) = 0;
  virtual void Revoke(const std::string& access_key_id) = 0;
};

// The AWS endpoint an instance reaches: requests that arrive through it may
// use that instance's credentials (`access_key_id`), and no other
// instance's; `head_filter` judges a request before its body is read.
struct AwsListener {
  net::Handler handler;
  std::function<net::HeadVerdict(const net::HttpRequest&)> head_filter;
  std::function<net::HttpResponse(int status, const std::string& message)> protocol_error;
};
using AwsHandlerFactory = std::function<AwsListener(const std::string& access_key_id)>;

}  // namespace nimbus::invoker
