// JSON on Boost.JSON, with typed accessors that turn a wrong type or a missing
// member into an InvalidArgument Status naming the member.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace nimbus {

namespace json = boost::json;

// Parses exactly one JSON text (no trailing bytes); depth is limited.
Result<json::value> ParseJson(std::string_view text);
std::string ToJson(const json::value& v);

// Reads members of a JSON object. Each getter returns nullopt when the member
// is absent or null, and an error when it is present with another type.
class JsonObjectReader {
 public:
  explicit JsonObjectReader(const json::object& obj, std::string context = {})
      : obj_(obj), context_(std::move(context)) {}

  Result<std::optional<std::string>> String(std::string_view key) const;
  Result<std::optional<int64_t>> Int(std::string_view key) const;
  Result<std::optional<bool>> Bool(std::string_view key) const;
  Result<const json::object*> Object(std::string_view key) const;  // nullptr when absent
  Result<const json::array*> Array(std::string_view key) const;    // nullptr when absent
  bool Has(std::string_view key) const;

 private:
  Status TypeError(std::string_view key, const char* want) const;
  const json::value* Find(std::string_view key) const;

  const json::object& obj_;
  std::string context_;
};

}  // namespace nimbus
