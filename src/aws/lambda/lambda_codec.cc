#include "aws/lambda/lambda_codec.h"

#include <boost/json.hpp>
#include <cstdint>

#include "aws/codecs.h"
#include "core/encoding.h"
#include "core/platform.h"
#include "core/strings.h"
#include "core/time.h"
#include "runtime/instance_spec.h"

namespace nimbus::aws {
namespace {

namespace json = boost::json;
namespace limits = lambda_limits;

// A body Lambda cannot read: InvalidRequestContentException.
Status Serialization(std::string message) {
  return Status(Code::kInvalidArgument, std::move(message), std::string(kSerializationReason));
}

Status NoLayers() {
  return InvalidArgument(
      "Layers are not supported by Nimbus yet: package dependencies in the function's zip");
}

Result<std::optional<std::map<std::string, std::string>>> ReadEnvironment(
    const json::object& body) {
  ASSIGN_OR_RETURN(const json::object* env, JsonMembers(body).Object("Environment"));
  if (env == nullptr) return std::optional<std::map<std::string, std::string>>();
  ASSIGN_OR_RETURN(const json::object* vars, JsonMembers(*env, "Environment").Object("Variables"));
  std::map<std::string, std::string> out;
  if (vars != nullptr) {
    for (const auto& [k, v] : *vars) {
      if (!v.is_string()) return Serialization("Environment.Variables values must be strings");
      out[std::string(k)] = std::string(v.get_string());
    }
  }
  return std::optional<std::map<std::string, std::string>>(std::move(out));
}

// CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig: Nimbus
// has no capacity providers to choose between (the ARN is accepted and not
// kept) but honours PerExecutionEnvironmentMaxConcurrency.
Result<std::optional<uint32_t>> ReadCapacityProvider(const json::object& body) {
  ASSIGN_OR_RETURN(const json::object* cp, JsonMembers(body).Object("CapacityProviderConfig"));
  if (cp == nullptr) return std::optional<uint32_t>();
  ASSIGN_OR_RETURN(const json::object* mi,
                   JsonMembers(*cp, "CapacityProviderConfig")
                       .Object("LambdaManagedInstancesCapacityProviderConfig"));
  if (mi == nullptr) return std::optional<uint32_t>();
  ASSIGN_OR_RETURN(auto n, ReadUint(*mi, "PerExecutionEnvironmentMaxConcurrency",
                                    "LambdaManagedInstancesCapacityProviderConfig"));
  return std::optional<uint32_t>(n.value_or(limits::kDefaultPerInstanceConcurrency));
}

// EphemeralStorage: nullptr when absent, else its Size (maybe absent).
Result<std::optional<std::optional<uint32_t>>> ReadEphemeral(const json::object& body) {
  ASSIGN_OR_RETURN(const json::object* eph, JsonMembers(body).Object("EphemeralStorage"));
  if (eph == nullptr) return std::optional<std::optional<uint32_t>>();
  ASSIGN_OR_RETURN(auto size, ReadUint(*eph, "Size", "EphemeralStorage"));
  return std::optional<std::optional<uint32_t>>(size);
}

// An object member's string member: TracingConfig.Mode, DeadLetterConfig.TargetArn.
Result<std::optional<std::string>> ReadNested(const json::object& body, std::string_view object,
                                              std::string_view key) {
  ASSIGN_OR_RETURN(const json::object* o, JsonMembers(body).Object(object));
  if (o == nullptr) return std::optional<std::string>();
  return JsonMembers(*o, std::string(object)).String(key);
}

}  // namespace

json::object FunctionConfigJson(const functions::FunctionConfig& c, const std::string& arn) {
  json::object o;
  o["FunctionName"] = c.name;
  o["FunctionArn"] = arn;
  o["Runtime"] = c.runtime;
  o["Role"] = c.role;
  o["Handler"] = c.handler;
  o["CodeSize"] = c.code_size;
  o["Description"] = c.description;
  o["Timeout"] = c.timeout_s;
  o["MemorySize"] = c.memory_mb;
  o["LastModified"] = FormatLambdaTime(c.last_modified_ms);
  o["CodeSha256"] = c.code_sha256_base64;
  o["Version"] = "$LATEST";
  if (!c.environment.empty()) o["Environment"] = {{"Variables", StringMapJson(c.environment)}};
  o["TracingConfig"] = {{"Mode", c.tracing_mode}};
  if (!c.dead_letter_target.empty()) o["DeadLetterConfig"] = {{"TargetArn", c.dead_letter_target}};
  o["RevisionId"] = c.revision_id;
  o["State"] = "Active";
  o["LastUpdateStatus"] = "Successful";
  o["PackageType"] = "Zip";
  o["Architectures"] = json::array{json::value(c.architecture)};
  o["EphemeralStorage"] = {{"Size", c.ephemeral_mb}};
  o["SnapStart"] = {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}};
  o["LoggingConfig"] = {{"LogFormat", "Text"}, {"LogGroup", runtime::LogGroupName(c.name)}};
  if (c.max_concurrency > 1) {
    o["CapacityProviderConfig"] = {
        {"LambdaManagedInstancesCapacityProviderConfig",
         {{"PerExecutionEnvironmentMaxConcurrency", c.max_concurrency}}}};
  }
  return o;
}

json::object StringMapJson(const std::map<std::string, std::string>& map) {
  json::object o;
  for (const auto& [k, v] : map) o[k] = v;
  return o;
}

Result<std::optional<uint32_t>> ReadUint(const json::object& object, std::string_view key,
                                         std::string_view context) {
  ASSIGN_OR_RETURN(auto v, JsonMembers(object, std::string(context)).Int(key));
  if (!v) return std::optional<uint32_t>();
  if (*v < 0 || *v > INT32_MAX) {
    // Lambda names the member in camel case: 'timeout', 'memorySize'.
    std::string member = ToLower(key.substr(0, 1)) + std::string(key.substr(1));
    return InvalidArgument("1 validation error detected: Value '" + std::to_string(*v) + "' at '" +
                           member +
                           "' failed to satisfy constraint: Member must have value greater than "
                           "or equal to 0");
  }
  return std::optional<uint32_t>(static_cast<uint32_t>(*v));
}

Result<functions::FunctionConfig> ReadCreateNames(const json::object& body) {
  JsonMembers m(body);
  ASSIGN_OR_RETURN(auto name, m.String("FunctionName"));
  ASSIGN_OR_RETURN(auto role, m.String("Role"));
  ASSIGN_OR_RETURN(auto runtime, m.String("Runtime"));
  ASSIGN_OR_RETURN(auto handler, m.String("Handler"));
  ASSIGN_OR_RETURN(auto description, m.String("Description"));
  ASSIGN_OR_RETURN(auto package, m.String("PackageType"));
  if (!name) return InvalidArgument("FunctionName is required");
  if (!role) return InvalidArgument("Role is required");
  functions::FunctionConfig c;
  c.name = std::move(*name);
  c.role = std::move(*role);
  c.runtime = runtime.value_or("");
  c.handler = handler.value_or("");
  c.description = description.value_or("");
  return c;
}

Status ReadCreateSettings(const json::object& body, functions::FunctionConfig& c) {
  JsonMembers m(body);
  ASSIGN_OR_RETURN(auto package, m.String("PackageType"));
  if (package == "Image") {
    return InvalidArgument(
        "Nimbus runs Zip functions only: container image functions "
        "(PackageType Image) are not supported");
  }
  ASSIGN_OR_RETURN(auto timeout, ReadUint(body, "Timeout"));
  ASSIGN_OR_RETURN(auto memory, ReadUint(body, "MemorySize"));
  c.timeout_s = timeout.value_or(limits::kDefaultTimeoutSeconds);
  c.memory_mb = memory.value_or(limits::kDefaultMemoryMb);
  ASSIGN_OR_RETURN(auto max_concurrency, ReadCapacityProvider(body));
  c.max_concurrency = max_concurrency.value_or(1);
  ASSIGN_OR_RETURN(auto env, ReadEnvironment(body));
  if (env) c.environment = std::move(*env);
  ASSIGN_OR_RETURN(auto ephemeral, ReadEphemeral(body));
  if (ephemeral) c.ephemeral_mb = ephemeral->value_or(limits::kMinEphemeralMb);
  ASSIGN_OR_RETURN(auto tracing, ReadNested(body, "TracingConfig", "Mode"));
  if (tracing) c.tracing_mode = std::move(*tracing);
  ASSIGN_OR_RETURN(auto dead_letter, ReadNested(body, "DeadLetterConfig", "TargetArn"));
  if (dead_letter) c.dead_letter_target = std::move(*dead_letter);
  ASSIGN_OR_RETURN(const json::array* archs, m.Array("Architectures"));
  if (archs != nullptr) {
    if (archs->size() != 1) {
      return InvalidArgument(
          "1 validation error detected: Value at 'architectures' failed to "
          "satisfy constraint: Member must have length less than or equal to 1");
    }
    if (!(*archs)[0].is_string())
      return Serialization("member Architectures must be an array of strings");
    c.architecture = std::string((*archs)[0].get_string());
  }
  ASSIGN_OR_RETURN(const json::array* layers, m.Array("Layers"));
  if (layers != nullptr && !layers->empty()) return NoLayers();
  ASSIGN_OR_RETURN(const json::object* tags, m.Object("Tags"));
  if (tags != nullptr) {
    for (const auto& [k, v] : *tags) {
      if (!v.is_string()) return Serialization("Tags values must be strings");
      c.tags[std::string(k)] = std::string(v.get_string());
    }
  }
  return Status::Ok();
}

Result<std::string> ReadCreateCode(const json::object& body) {
  ASSIGN_OR_RETURN(const json::object* code, JsonMembers(body).Object("Code"));
  if (code == nullptr) return InvalidArgument("Code is required");
  return ReadZipFile(*code, "Code");
}

Result<std::string> ReadZipFile(const json::object& code, std::string_view context) {
  std::string prefix = context.empty() ? "" : std::string(context) + ".";
  JsonMembers m(code, std::string(context));
  ASSIGN_OR_RETURN(auto zip_b64, m.String("ZipFile"));
  if (!zip_b64) {
    if (m.Has("S3Bucket") || m.Has("ImageUri")) {
      return InvalidArgument("Nimbus takes function code as " + prefix +
                             "ZipFile; S3 and image code locations are not supported yet");
    }
    return InvalidArgument("Please provide a source for function code.");
  }
  auto zip = Base64Decode(*zip_b64);
  if (!zip) return Serialization(prefix + "ZipFile is not valid base64");
  return std::move(*zip);
}

Result<functions::ConfigUpdate> ReadUpdateNames(const json::object& body) {
  JsonMembers m(body);
  functions::ConfigUpdate u;
  ASSIGN_OR_RETURN(u.runtime, m.String("Runtime"));
  ASSIGN_OR_RETURN(u.role, m.String("Role"));
  ASSIGN_OR_RETURN(u.handler, m.String("Handler"));
  ASSIGN_OR_RETURN(u.description, m.String("Description"));
  ASSIGN_OR_RETURN(u.revision_id, m.String("RevisionId"));
  return u;
}

Status ReadUpdateSettings(const json::object& body, functions::ConfigUpdate& u) {
  ASSIGN_OR_RETURN(u.timeout_s, ReadUint(body, "Timeout"));
  ASSIGN_OR_RETURN(u.memory_mb, ReadUint(body, "MemorySize"));
  ASSIGN_OR_RETURN(u.max_concurrency, ReadCapacityProvider(body));
  ASSIGN_OR_RETURN(u.environment, ReadEnvironment(body));
  ASSIGN_OR_RETURN(auto ephemeral, ReadEphemeral(body));
  if (ephemeral) u.ephemeral_mb = *ephemeral;
  ASSIGN_OR_RETURN(auto tracing, ReadNested(body, "TracingConfig", "Mode"));
  if (tracing) u.tracing_mode = std::move(*tracing);
  ASSIGN_OR_RETURN(const json::array* layers, JsonMembers(body).Array("Layers"));
  if (layers != nullptr && !layers->empty()) return NoLayers();
  return Status::Ok();
}

}  // namespace nimbus::aws
