// The platform's facts, in one place: the version, the default account and
// region, the ports an instance sees inside its sandbox, Lambda's limits, and
// the ARN builders every service names its resources with.
//
// The account and region a server speaks for come from its options
// (server::ServerOptions); they travel to each service as a `Platform` value,
// never as string literals of its own. The constants here are the defaults
// those options start from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nimbus {

inline constexpr std::string_view kVersion = "0.1.0";
inline constexpr std::string_view kDefaultRegion = "us-east-1";
inline constexpr std::string_view kDefaultAccountId = "000000000000";

// Where an instance finds the platform inside its network namespace: the
// Lambda Runtime API and the AWS endpoint, both on the sandbox's loopback.
inline constexpr int kSandboxRuntimeApiPort = 9001;
inline constexpr int kSandboxAwsPort = 4566;
// The server's own listeners, unless told otherwise.
inline constexpr int kDefaultApiPort = 4566;
inline constexpr int kDefaultGatewayPort = 3000;

// Lambda's documented limits, as Nimbus enforces them.
namespace lambda_limits {
inline constexpr size_t kSyncPayloadBytes = 6291456;   // 6 MB, request and response
inline constexpr size_t kAsyncPayloadBytes = 1048576;  // 1 MB, an Event invocation
inline constexpr size_t kRequestBytes = 69905067;      // a control-plane request (base64 zip)
inline constexpr uint64_t kCodeSizeZipped = 52428800;
inline constexpr uint64_t kCodeSizeUnzipped = 262144000;
inline constexpr uint64_t kTotalCodeSize = 80530636800ull;
inline constexpr int kMinMemoryMb = 128;
inline constexpr int kMaxMemoryMb = 10240;
inline constexpr int kDefaultMemoryMb = 128;
inline constexpr int kMaxTimeoutSeconds = 900;
inline constexpr int kDefaultTimeoutSeconds = 3;
inline constexpr int kMinEphemeralMb = 512;
inline constexpr int kMaxEphemeralMb = 10240;
inline constexpr int kDefaultAccountConcurrency = 1000;
// Invocations one execution environment may run at once
// (PerExecutionEnvironmentMaxConcurrency): Lambda's default and ceiling.
inline constexpr int kDefaultPerInstanceConcurrency = 64;
inline constexpr int kMaxPerInstanceConcurrency = 64;
}  // namespace lambda_limits

// The account and region a server speaks for, and the ARNs of its resources.
struct Platform {
  std::string region{kDefaultRegion};
  std::string account_id{kDefaultAccountId};

  // arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE
  std::string Arn(std::string_view service, std::string_view resource) const;
  // IAM's ARNs name no region: arn:aws:iam::ACCOUNT:RESOURCE
  std::string GlobalArn(std::string_view service, std::string_view resource) const;

  std::string FunctionArn(std::string_view name) const;   // arn:aws:lambda:…:function:NAME
  std::string TableArn(std::string_view name) const;      // arn:aws:dynamodb:…:table/NAME
  std::string LogGroupArn(std::string_view group) const;  // arn:aws:logs:…:log-group:GROUP
  // arn:aws:iam::ACCOUNT:role/PATH…NAME; `path` is "/" or "/a/b/".
  std::string RoleArn(std::string_view path, std::string_view name) const;
  // The principal an instance's calls are made as:
  // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
  std::string AssumedRoleArn(std::string_view role_name, std::string_view session) const;
};

}  // namespace nimbus
