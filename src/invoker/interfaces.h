// What the invoker needs from the layers above it, as interfaces the server
// wires to real services (log store, credential store) and tests to fakes.
#pragma once

#include <cstdint>
#include <string>

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

// Issues the short-lived credentials an instance calls the platform with.
class CredentialIssuer {
 public:
  virtual ~CredentialIssuer() = default;
  virtual Credentials Issue(const std::string& function_arn) = 0;
  virtual void Revoke(const std::string& access_key_id) = 0;
};

}  // namespace nimbus::invoker
