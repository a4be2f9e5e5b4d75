// What the execution layer needs to know about one function version to run
// instances of it. Built by the functions service from its stored
// configuration; immutable once built (shared between invocations).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/platform.h"
#include "sandbox/spec.h"

namespace nimbus::runtime {

struct FunctionSpec {
  std::string name;           // "my-function"
  std::string version = "$LATEST";  // or "3"
  std::string arn;            // unqualified function ARN
  std::string revision;       // changes with every code or configuration change
  std::string runtime;        // "nodejs20.x", "python3.12", "provided.al2023"
  std::string handler;
  std::string role;           // the execution role's ARN: what its credentials may do
  std::string code_dir;       // host directory holding the extracted code
  std::string region{kDefaultRegion};
  uint32_t memory_mb = lambda_limits::kDefaultMemoryMb;
  uint32_t timeout_s = lambda_limits::kDefaultTimeoutSeconds;
  uint32_t ephemeral_mb = lambda_limits::kMinEphemeralMb;
  std::map<std::string, std::string> environment;  // the user's variables
  sandbox::NetworkMode network = sandbox::NetworkMode::kNone;
  int32_t reserved_concurrency = -1;  // -1: none
  // How many invocations one instance takes at once. 1 is Lambda's model; more
  // is Lambda Managed Instances' multi-concurrency (the runtime learns the
  // figure from AWS_LAMBDA_MAX_CONCURRENCY and asks for that many events).
  uint32_t max_concurrency = 1;

  // Identifies the instances that can serve this spec.
  std::string PoolKey() const { return name + ":" + version + ":" + revision; }
};

}  // namespace nimbus::runtime
