// The access keys the AWS endpoint accepts: the root key created at first
// start (kept 0600 in the data directory, in the AWS CLI's credentials-file
// format), the conventional local key test/test when enabled, and short-lived
// keys issued to function instances.
//
// Ownership: the server opens one and owns it; the AWS endpoint and the
// invoker borrow it and are destroyed first. Instance keys live in memory
// only: a restart forgets them, as it ends their instances.
//
// Threads: Open runs once, on the starting thread. Everything else may be
// called from any thread — Find on every signed request (the endpoint's I/O
// threads), Issue and Revoke as instances start and end (the invoker's) —
// and is internally locked; the root key and the dev-key switch never change
// after Open, so root() and accepts_dev_key() take no lock. Nothing blocks
// on disk after Open.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/instance_credentials.h"

namespace nimbus::aws {

struct Principal {
  enum class Kind { kRoot, kDev, kInstance };
  Kind kind = Kind::kRoot;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // instances only
  std::string function_arn;   // instances only
  std::string function_name;  // instances only: the session name in its ARN
  std::string role_arn;       // instances only: the execution role it acts with
  std::string region;         // instances only
};

class CredentialStore : public CredentialIssuer {
 public:
  // Loads `path`, creating a root key there when it does not exist;
  // `created` tells whether it did.
  static Result<std::unique_ptr<CredentialStore>> Open(const std::string& path, bool accept_dev_key,
                                                       bool* created);

  std::optional<Principal> Find(const std::string& access_key_id) const;
  const Principal& root() const { return root_; }
  bool accepts_dev_key() const { return accept_dev_key_; }

  // CredentialIssuer
  Credentials Issue(const InstanceIdentity& identity) override;
  void Revoke(const std::string& access_key_id) override;

  // Parses the credentials-file format ([section] key = value).
  static std::map<std::string, std::string> ParseIni(const std::string& text,
                                                     const std::string& section);

 private:
  Principal root_;
  bool accept_dev_key_ = false;
  mutable std::mutex mu_;
  std::map<std::string, Principal> instances_;
};

}  // namespace nimbus::aws
