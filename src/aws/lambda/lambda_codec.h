// Lambda's JSON shapes ↔ the functions service's model: a FunctionConfig as
// Lambda answers it (FunctionConfiguration), and the inputs of CreateFunction,
// UpdateFunctionCode and UpdateFunctionConfiguration read from a request body.
//
// Reading never throws: a member of the wrong type is a Status with the reason
// kSerializationReason (Lambda's InvalidRequestContentException), a value
// Lambda refuses is kInvalidArgument (InvalidParameterValueException), with
// Lambda's messages. Each input is read in two steps, as Lambda checks it:
// the names (which authorization needs) first, then the settings.
//
// Pure functions: safe on any thread.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "functions/function_config.h"

namespace nimbus::aws {

// FunctionConfiguration: what GetFunctionConfiguration, CreateFunction and the
// updates answer; `arn` is the function's unqualified ARN.
boost::json::object FunctionConfigJson(const functions::FunctionConfig& config,
                                       const std::string& arn);

// A map of strings as Lambda answers it (Tags).
boost::json::object StringMapJson(const std::map<std::string, std::string>& map);

// CreateFunction's names: FunctionName and Role (both required), Runtime,
// Handler and Description, and that PackageType is a string.
Result<functions::FunctionConfig> ReadCreateNames(const boost::json::object& body);
// CreateFunction's settings, into `config`: PackageType (Zip only), Timeout,
// MemorySize, CapacityProviderConfig, Environment, EphemeralStorage,
// TracingConfig, DeadLetterConfig, Architectures, Layers (none) and Tags.
Status ReadCreateSettings(const boost::json::object& body, functions::FunctionConfig& config);

// CreateFunction's zip: Code (required) and its ZipFile.
Result<std::string> ReadCreateCode(const boost::json::object& body);
// The zip of `code`: CreateFunction's Code (`context` "Code") or
// UpdateFunctionCode's body (`context` empty), whose ZipFile is base64.
Result<std::string> ReadZipFile(const boost::json::object& code, std::string_view context);

// UpdateFunctionConfiguration's names: Runtime, Role, Handler, Description and
// RevisionId.
Result<functions::ConfigUpdate> ReadUpdateNames(const boost::json::object& body);
// Its settings, into `update`: Timeout, MemorySize, CapacityProviderConfig,
// Environment, EphemeralStorage, TracingConfig and Layers (none).
Status ReadUpdateSettings(const boost::json::object& body, functions::ConfigUpdate& update);

// A non-negative 32-bit integer member (PutFunctionConcurrency's
// ReservedConcurrentExecutions, ...); nullopt when absent.
Result<std::optional<uint32_t>> ReadUint(const boost::json::object& object, std::string_view key,
                                         std::string_view context = {});

}  // namespace nimbus::aws
