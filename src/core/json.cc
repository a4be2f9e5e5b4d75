#include "core/json.h"

#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>

namespace nimbus {

Result<json::value> ParseJson(std::string_view text) {
  json::parse_options opts;
  opts.max_depth = 100;  // DynamoDB items nest 32 maps deep: two JSON levels each
  boost::system::error_code ec;
  json::parser p(json::storage_ptr(), opts);
  p.write(text.data(), text.size(), ec);  // the whole text, nothing after it
  if (ec) return InvalidArgument("malformed JSON: " + ec.message());
  return p.release();
}

std::string ToJson(const json::value& v) { return json::serialize(v); }

const json::value* JsonObjectReader::Find(std::string_view key) const {
  const json::value* v = obj_.if_contains(key);
  if (v == nullptr || v->is_null()) return nullptr;
  return v;
}

bool JsonObjectReader::Has(std::string_view key) const { return Find(key) != nullptr; }

Status JsonObjectReader::TypeError(std::string_view key, const char* want) const {
  std::string name = context_.empty() ? std::string(key) : context_ + "." + std::string(key);
  return InvalidArgument("member " + name + " must be " + want);
}

Result<std::optional<std::string>> JsonObjectReader::String(std::string_view key) const {
  const json::value* v = Find(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return TypeError(key, "a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<int64_t>> JsonObjectReader::Int(std::string_view key) const {
  const json::value* v = Find(key);
  if (v == nullptr) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) {
    return std::optional<int64_t>(static_cast<int64_t>(v->get_uint64()));
  }
  if (v->is_double()) {
    double d = v->get_double();
    if (d == static_cast<double>(static_cast<int64_t>(d))) {
      return std::optional<int64_t>(static_cast<int64_t>(d));
    }
  }
  return TypeError(key, "an integer");
}

Result<std::optional<bool>> JsonObjectReader::Bool(std::string_view key) const {
  const json::value* v = Find(key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_bool()) return TypeError(key, "a boolean");
  return std::optional<bool>(v->get_bool());
}

Result<const json::object*> JsonObjectReader::Object(std::string_view key) const {
  const json::value* v = Find(key);
  if (v == nullptr) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) return TypeError(key, "an object");
  return &v->get_object();
}

Result<const json::array*> JsonObjectReader::Array(std::string_view key) const {
  const json::value* v = Find(key);
  if (v == nullptr) return static_cast<const json::array*>(nullptr);
  if (!v->is_array()) return TypeError(key, "an array");
  return &v->get_array();
}

}  // namespace nimbus
