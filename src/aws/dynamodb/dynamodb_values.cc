#include "aws/dynamodb/dynamodb_values.h"

#include <boost/json/array.hpp>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "core/encoding.h"

namespace nimbus::aws {
namespace {

namespace json = boost::json;
using tables::Decimal;
using tables::Value;

// DynamoDB's limit on nested maps and lists, counting the attribute's own
// value as level 1.
constexpr int kMaxNesting = 32;
constexpr char kInvalid[] = "One or more parameter values were invalid: ";
constexpr char kNumberClass[] = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";

Status Serialization(std::string message) {
  return Status(Code::kInvalidArgument, std::move(message), std::string(kSerializationReason));
}

// ---------------------------------------------------------------------------
// Pass 1: JSON shapes. DynamoDB's deserializer rejects members of the wrong
// JSON type before any value is validated.

Status NotStructure(const json::value& v) {
  if (v.is_array()) return Serialization("Start of list found where not expected");
  return Serialization("Start of structure or map found where not expected.");
}

Status CheckString(const json::value& v) {
  if (v.is_string()) return Status::Ok();
  if (v.is_bool())
    return Serialization("class java.lang.Boolean can not be converted to an String");
  if (v.is_number())
    return Serialization(std::string(kNumberClass) + " can not be converted to an String");
  return NotStructure(v);
}

Status CheckBlob(const json::value& v) {
  if (v.is_bool()) return Serialization("class java.lang.Boolean can not be converted to a Blob");
  if (v.is_number())
    return Serialization(std::string(kNumberClass) + " can not be converted to a Blob");
  if (!v.is_string()) return NotStructure(v);
  std::string_view text = v.get_string();
  std::string prefix = "'" + std::string(text) + "' can not be converted to a Blob: ";
  if (text.size() % 4 != 0) {
    return Serialization(prefix +
                         "Base64 encoded length is expected a multiple of 4 bytes but found: " +
                         std::to_string(text.size()));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
    if (!ok || (c == '=' && i + 1 < text.size() && text[i + 1] != '=')) {
      return Serialization(prefix + "Invalid Base64 character: '" + std::string(1, c) + "'");
    }
  }
  auto decoded = Base64Decode(text);
  if (!decoded || Base64Encode(*decoded) != text) {
    return Serialization(prefix + "Invalid last non-pad Base64 character dectected");
  }
  return Status::Ok();
}

Result<bool> BooleanOf(const json::value& v) {
  if (v.is_bool()) return v.get_bool();
  if (v.is_number())
    return Serialization(std::string(kNumberClass) + " can not be converted to an Boolean");
  if (v.is_string()) {
    std::string upper(v.get_string());
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "TRUE" || upper == "1" || upper == "YES") return true;
    if (upper == "FALSE" || upper == "0" || upper == "NO") return false;
    return Serialization("'" + upper + "' can not be converted to an Boolean");
  }
  return NotStructure(v);
}

Status CheckList(const json::value& v, Status (*element)(const json::value&)) {
  if (v.is_object()) return Serialization("Start of structure or map found where not expected.");
  if (!v.is_array()) return Serialization("Expected list or null");
  for (const json::value& e : v.get_array()) {
    if (e.is_null()) return Serialization("Null value found in a set");
    RETURN_IF_ERROR(element(e));
  }
  return Status::Ok();
}

Status CheckShape(const json::value& v, int depth) {
  if (v.is_null()) return Status::Ok();  // reported as an empty AttributeValue
  if (!v.is_object()) {
    if (v.is_array()) return Serialization("Start of list found where not expected");
    return Serialization("Expected null");
  }
  if (depth > kMaxNesting) return Status::Ok();  // pass 2 reports the nesting
  for (const auto& member : v.get_object()) {
    const json::value& m = member.value();
    if (m.is_null()) continue;
    std::string_view key = member.key();
    if (key == "S" || key == "N") {
      RETURN_IF_ERROR(CheckString(m));
    } else if (key == "B") {
      RETURN_IF_ERROR(CheckBlob(m));
    } else if (key == "BOOL" || key == "NULL") {
      RETURN_IF_ERROR(BooleanOf(m).status());
    } else if (key == "SS" || key == "NS") {
      RETURN_IF_ERROR(CheckList(m, CheckString));
    } else if (key == "BS") {
      RETURN_IF_ERROR(CheckList(m, CheckBlob));
    } else if (key == "L") {
      if (m.is_object())
        return Serialization("Start of structure or map found where not expected.");
      if (!m.is_array()) return Serialization("Expected list or null");
      for (const json::value& e : m.get_array()) RETURN_IF_ERROR(CheckShape(e, depth + 1));
    } else if (key == "M") {
      if (m.is_array()) return Serialization("Start of list found where not expected");
      if (!m.is_object()) return Serialization("Expected map or null");
      for (const auto& e : m.get_object()) RETURN_IF_ERROR(CheckShape(e.value(), depth + 1));
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Pass 2: values, with DynamoDB's validation messages.

std::string ListText(const json::array& a) {
  std::string out = "[";
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::string(a[i].get_string());
  }
  return out + "]";
}

Result<Decimal> NumberOf(const json::value& v) {
  std::string_view text = v.get_string();
  return Decimal::Parse(text);
}

Result<Value> Convert(const json::value& v, int depth);

Result<Value> ConvertMember(std::string_view key, const json::value& m, int depth) {
  if (key == "S") return Value::S(std::string(m.get_string()));
  if (key == "N") {
    ASSIGN_OR_RETURN(Decimal d, NumberOf(m));
    return Value::N(d);
  }
  if (key == "B") return Value::B(*Base64Decode(m.get_string()));
  if (key == "BOOL") {
    ASSIGN_OR_RETURN(bool b, BooleanOf(m));
    return Value::Bool(b);
  }
  if (key == "NULL") {
    ASSIGN_OR_RETURN(bool b, BooleanOf(m));
    if (!b)
      return InvalidArgument(std::string(kInvalid) +
                             "Null attribute value types must have the value of true");
    return Value::Null();
  }
  if (key == "SS" || key == "BS") {
    const json::array& a = m.get_array();
    bool binary = key == "BS";
    if (a.empty()) {
      return InvalidArgument(std::string(kInvalid) + (binary ? "Binary sets should not be empty"
                                                             : "An string set  may not be empty"));
    }
    std::vector<std::string> elements;
    std::set<std::string_view> seen;
    for (const json::value& e : a) {
      std::string_view text = e.get_string();
      if (!seen.insert(text).second) {
        return InvalidArgument(
            std::string(kInvalid) + "Input collection " + ListText(a) +
            (binary ? "of type BS contains duplicates." : " contains duplicates."));
      }
      elements.push_back(binary ? *Base64Decode(text) : std::string(text));
    }
    return binary ? Value::BS(std::move(elements)) : Value::SS(std::move(elements));
  }
  if (key == "NS") {
    const json::array& a = m.get_array();
    if (a.empty())
      return InvalidArgument(std::string(kInvalid) + "An number set  may not be empty");
    std::vector<Decimal> elements;
    for (const json::value& e : a) {
      ASSIGN_OR_RETURN(Decimal d, NumberOf(e));
      elements.push_back(d);
    }
    Value set = Value::NS(elements);
    if (set.SetSize() != elements.size())
      return InvalidArgument("Input collection contains duplicates");
    return set;
  }
  if (key == "L") {
    Value::List list;
    for (const json::value& e : m.get_array()) {
      ASSIGN_OR_RETURN(Value child, Convert(e, depth + 1));
      list.push_back(std::move(child));
    }
    return Value::L(std::move(list));
  }
  // "M"
  Value::Map map;
  for (const auto& e : m.get_object()) {
    ASSIGN_OR_RETURN(Value child, Convert(e.value(), depth + 1));
    map.emplace(std::string(e.key()), std::move(child));
  }
  return Value::M(std::move(map));
}

bool IsTypeKey(std::string_view key) {
  return tables::TypeFromName(key).has_value();
}

Result<Value> Convert(const json::value& v, int depth) {
  if (depth > kMaxNesting) {
    return InvalidArgument(
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
        "beyond supported limit");
  }
  std::optional<Value> result;
  int types = 0;
  if (v.is_object()) {
    for (const auto& member : v.get_object()) {
      if (member.value().is_null() || !IsTypeKey(member.key())) continue;
      ++types;
      ASSIGN_OR_RETURN(Value converted, ConvertMember(member.key(), member.value(), depth));
      if (!result) result = std::move(converted);
    }
  }
  if (types == 0) {
    return InvalidArgument(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  if (types > 1) {
    return InvalidArgument(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
        "supported datatypes");
  }
  return std::move(*result);
}

bool IsPlaceholderKey(std::string_view key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  for (size_t i = 1; i < key.size(); ++i) {
    if (!std::isalnum(static_cast<unsigned char>(key[i])) && key[i] != '_') return false;
  }
  return true;
}

}  // namespace

Result<Value> ValueFromJson(const json::value& json) {
  RETURN_IF_ERROR(CheckShape(json, 1));
  return Convert(json, 1);
}

Result<tables::Item> ItemFromJson(const json::object& json) {
  for (const auto& member : json) RETURN_IF_ERROR(CheckShape(member.value(), 1));
  tables::Item item;
  for (const auto& member : json) {
    ASSIGN_OR_RETURN(Value v, Convert(member.value(), 1));
    item.insert_or_assign(std::string(member.key()), std::move(v));
  }
  return item;
}

json::value ValueToJson(const Value& value) {
  json::object out;
  switch (value.type()) {
    case tables::ValueType::kS:
      out["S"] = value.s();
      break;
    case tables::ValueType::kN:
      out["N"] = value.n().ToString();
      break;
    case tables::ValueType::kB:
      out["B"] = Base64Encode(value.b());
      break;
    case tables::ValueType::kBool:
      out["BOOL"] = value.boolean();
      break;
    case tables::ValueType::kNull:
      out["NULL"] = true;
      break;
    case tables::ValueType::kM:
      out["M"] = ItemToJson(value.m());
      break;
    case tables::ValueType::kL: {
      json::array a;
      for (const Value& v : value.l()) a.push_back(ValueToJson(v));
      out["L"] = std::move(a);
      break;
    }
    case tables::ValueType::kSS:
    case tables::ValueType::kBS: {
      bool binary = value.is(tables::ValueType::kBS);
      json::array a;
      for (const std::string& s : value.strings()) a.emplace_back(binary ? Base64Encode(s) : s);
      out[binary ? "BS" : "SS"] = std::move(a);
      break;
    }
    case tables::ValueType::kNS: {
      json::array a;
      for (const Decimal& d : value.numbers()) a.emplace_back(d.ToString());
      out["NS"] = std::move(a);
      break;
    }
  }
  return out;
}

json::object ItemToJson(const tables::Item& item) {
  json::object out;
  for (const auto& [name, v] : item) out[name] = ValueToJson(v);
  return out;
}

Result<tables::ExpressionNames> ExpressionNamesFromJson(const json::object& json) {
  for (const auto& member : json) {
    if (!member.value().is_null()) RETURN_IF_ERROR(CheckString(member.value()));
  }
  if (json.empty()) return InvalidArgument("ExpressionAttributeNames must not be empty");
  tables::ExpressionNames names;
  for (const auto& member : json) {
    if (!IsPlaceholderKey(member.key(), '#')) {
      return InvalidArgument(
          "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" +
          std::string(member.key()) + "\"");
    }
    if (member.value().is_string()) {
      names.emplace(std::string(member.key()), std::string(member.value().get_string()));
    }
  }
  return names;
}

Result<tables::ExpressionValues> ExpressionValuesFromJson(const json::object& json) {
  for (const auto& member : json) RETURN_IF_ERROR(CheckShape(member.value(), 1));
  if (json.empty()) return InvalidArgument("ExpressionAttributeValues must not be empty");
  for (const auto& member : json) {
    if (!IsPlaceholderKey(member.key(), ':')) {
      return InvalidArgument(
          "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" +
          std::string(member.key()) + "\"");
    }
  }
  tables::ExpressionValues values;
  for (const auto& member : json) {
    auto v = Convert(member.value(), 1);
    if (!v.ok()) {
      return InvalidArgument("ExpressionAttributeValues contains invalid value: " +
                             v.status().message() + " for key " + std::string(member.key()));
    }
    values.emplace(std::string(member.key()), std::move(*v));
  }
  return values;
}

}  // namespace nimbus::aws
