#include "functions/function_config.h"

#include <boost/json.hpp>


#include "core/json.h"
#include "core/strings.h"

namespace nimbus::functions {
namespace {

json::object MapToJson(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

std::map<std::string, std::string> MapFromJson(const json::value* v) {
  std::map<std::string, std::string> m;
  if (v == nullptr || !v->is_object()) return m;
  for (const auto& [k, val] : v->get_object()) {
    if (val.is_string()) m[std::string(k)] = std::string(val.get_string());
  }
  return m;
}

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t Num(const json::object& o, const char* key, int64_t fallback) {
  const json::value* v = o.if_contains(key);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return fallback;
}

}  // namespace

std::string FunctionConfig::ToStored() const {
  json::object o;
  o["name"] = name;
  o["runtime"] = runtime;
  o["role"] = role;
  o["handler"] = handler;
  o["description"] = description;
  o["timeout"] = timeout_s;
  o["memory"] = memory_mb;
  o["ephemeral"] = ephemeral_mb;
  o["env"] = MapToJson(environment);
  o["tags"] = MapToJson(tags);
  o["arch"] = architecture;
  o["tracing"] = tracing_mode;
  o["dlq"] = dead_letter_target;
  o["sha_hex"] = code_sha256_hex;
  o["sha_b64"] = code_sha256_base64;
  o["size"] = code_size;
  o["modified"] = last_modified_ms;
  o["revision"] = revision_id;
  o["network"] = network;
  o["reserved"] = reserved_concurrency;
  o["max_concurrency"] = max_concurrency;
  return json::serialize(o);
}

Result<FunctionConfig> FunctionConfig::FromStored(std::string_view data) {
  ASSIGN_OR_RETURN(json::value v, ParseJson(data));
  if (!v.is_object()) return Internal("stored function is not an object");
  const json::object& o = v.get_object();
  FunctionConfig c;
  c.name = Str(o, "name");
  c.runtime = Str(o, "runtime");
  c.role = Str(o, "role");
  c.handler = Str(o, "handler");
  c.description = Str(o, "description");
  c.timeout_s = static_cast<uint32_t>(Num(o, "timeout", 3));
  c.memory_mb = static_cast<uint32_t>(Num(o, "memory", 128));
  c.ephemeral_mb = static_cast<uint32_t>(Num(o, "ephemeral", 512));
  c.environment = MapFromJson(o.if_contains("env"));
  c.tags = MapFromJson(o.if_contains("tags"));
  c.architecture = Str(o, "arch");
  c.tracing_mode = Str(o, "tracing");
  c.dead_letter_target = Str(o, "dlq");
  c.code_sha256_hex = Str(o, "sha_hex");
  c.code_sha256_base64 = Str(o, "sha_b64");
  c.code_size = static_cast<uint64_t>(Num(o, "size", 0));
  c.last_modified_ms = Num(o, "modified", 0);
  c.revision_id = Str(o, "revision");
  c.network = Str(o, "network");
  c.reserved_concurrency = static_cast<int32_t>(Num(o, "reserved", -1));
  c.max_concurrency = static_cast<uint32_t>(Num(o, "max_concurrency", 1));
  return c;
}

bool IsValidFunctionName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<FunctionRef> ParseFunctionRef(const std::string& text) {
  auto parts = Split(text, ':');
  FunctionRef ref;
  if (parts.size() >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function") {
    if (parts.size() > 8) return InvalidArgument("malformed function ARN: " + text);
    ref.name = std::string(parts[6]);
    if (parts.size() == 8) ref.qualifier = std::string(parts[7]);
  } else if (parts.size() >= 3 && parts[1] == "function") {
    if (parts.size() > 4) return InvalidArgument("malformed function name: " + text);
    ref.name = std::string(parts[2]);
    if (parts.size() == 4) ref.qualifier = std::string(parts[3]);
  } else if (parts.size() <= 2) {
    ref.name = std::string(parts[0]);
    if (parts.size() == 2) ref.qualifier = std::string(parts[1]);
  } else {
    return InvalidArgument("malformed function name: " + text);
  }
  if (!IsValidFunctionName(ref.name)) {
    return InvalidArgument(
        "1 validation error detected: Value '" + text +
        "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression "
        "pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
        "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
  }
  if (ref.qualifier == "$LATEST") ref.qualifier.clear();
  return ref;
}

}  // namespace nimbus::functions
