// A function as the functions service stores it: Lambda's configuration
// model, independent of any wire format. Serialised to the store with
// ToStored()/FromStored().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/status.h"

namespace nimbus::functions {

struct FunctionConfig {
  std::string name;
  std::string runtime;
  std::string role;
  std::string handler;
  std::string description;
  uint32_t timeout_s = 3;
  uint32_t memory_mb = 128;
  uint32_t ephemeral_mb = 512;
  std::map<std::string, std::string> environment;
  std::map<std::string, std::string> tags;
  std::string architecture = "x86_64";
  std::string tracing_mode = "PassThrough";
  std::string dead_letter_target;
  std::string code_sha256_hex;
  std::string code_sha256_base64;
  uint64_t code_size = 0;
  int64_t last_modified_ms = 0;
  std::string revision_id;
  std::string network;  // "" (the server's default), "none" or "host"
  int32_t reserved_concurrency = -1;
  // Invocations one instance takes at once (Lambda Managed Instances'
  // PerExecutionEnvironmentMaxConcurrency); 1 is Lambda's usual model.
  uint32_t max_concurrency = 1;

  std::string ToStored() const;
  static Result<FunctionConfig> FromStored(std::string_view data);
};

// The fields an UpdateFunctionConfiguration may change; unset ones are kept.
struct ConfigUpdate {
  std::optional<std::string> runtime, role, handler, description;
  std::optional<uint32_t> timeout_s, memory_mb, ephemeral_mb, max_concurrency;
  std::optional<std::map<std::string, std::string>> environment;
  std::optional<std::string> tracing_mode, dead_letter_target;
  std::optional<int32_t> reserved_concurrency;  // -1 removes the reservation
  std::optional<std::string> revision_id;  // optimistic lock: must match
};

// Names, ARNs and qualifiers as Lambda accepts them.
struct FunctionRef {
  std::string name;
  std::string qualifier;  // "" means $LATEST
};

// Parses "name", "name:qualifier", "123456789012:function:name[:q]" and
// "arn:aws:lambda:region:123456789012:function:name[:q]".
Result<FunctionRef> ParseFunctionRef(const std::string& text);
bool IsValidFunctionName(const std::string& name);

}  // namespace nimbus::functions
