// The short-lived credentials a function instance calls the platform with,
// and who issues them. The invoker asks a CredentialIssuer for one set per
// instance and revokes it when the instance ends; the AWS endpoint's
// credential store (aws::CredentialStore) implements it, and the server
// wires the two.
#pragma once

#include <string>

namespace nimbus {

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

// Issues and revokes instances' credentials. Called from any thread (the
// thread that starts an instance issues, the thread that tears it down
// revokes), outside the caller's locks: implementations lock internally and
// must not block on disk. Owned by the server; outlives every instance.
class CredentialIssuer {
 public:
  virtual ~CredentialIssuer() = default;
  // New credentials acting as `identity`, valid until Revoke.
  virtual Credentials Issue(const InstanceIdentity& identity) = 0;
  // Forgets credentials Issue returned; unknown keys are ignored.
  virtual void Revoke(const std::string& access_key_id) = 0;
};

}  // namespace nimbus
