// Turns a function's configuration into the sandbox one instance runs in:
// Lambda's file system layout (/var/task, /var/runtime, /opt, /tmp), its
// environment variables (reserved and default ones, then the user's), the
// runtime's command, and the memory-derived limits.
#pragma once

#include <string>

#include "core/status.h"
#include "runtime/catalog.h"
#include "runtime/function_spec.h"
#include "sandbox/rootfs.h"
#include "sandbox/spec.h"

namespace nimbus::runtime {

// Per-instance values the invoker decides.
struct InstanceContext {
  std::string runtime_api;   // host:port of the instance's Runtime API
  std::string aws_endpoint;  // "http://127.0.0.1:<kSandboxAwsPort>" (core/platform.h)
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string log_stream;    // "2024/01/31/[$LATEST]<32 hex>"
  std::string initialization_type = "on-demand";
  int output_fd = -1;
};

Result<sandbox::SandboxSpec> BuildInstanceSpec(const FunctionSpec& function,
                                               const RuntimeInfo& runtime,
                                               const InstanceContext& instance,
                                               const sandbox::RootfsOptions& rootfs);

// Environment variable names the platform sets and users may not.
bool IsReservedEnvironmentKey(const std::string& key);

// The log group of a function: "/aws/lambda/NAME".
std::string LogGroupName(const std::string& function_name);

}  // namespace nimbus::runtime
