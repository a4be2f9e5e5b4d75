#include "aws/dynamodb/dynamodb_schema.h"

#include <boost/json/serialize.hpp>
#include <cctype>

#include "aws/codecs.h"
#include "aws/dynamodb/dynamodb_request.h"

namespace nimbus::aws::dynamodb {

void Constraints::NotNull(const json::object& o, const char* key, const char* path) {
  if (Member(o, key) == nullptr) {
    Add(std::string("Value null at '") + path +
        "' failed to satisfy constraint: Member must not be null");
  }
}

void Constraints::TableName(std::string_view name, const char* path) {
  if (name.empty()) return;
  std::string value(name);
  if (name.size() < 3) {
    Add("Value '" + value + "' at '" + path +
        "' failed to satisfy constraint: Member must have length greater than or equal to 3");
  } else if (name.size() > 255) {
    Add("Value '" + value + "' at '" + path +
        "' failed to satisfy constraint: Member must have length less than or equal to 255");
  }
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    if (!ok) {
      Add("Value '" + value + "' at '" + path +
          "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
          "[a-zA-Z0-9_.-]+");
      break;
    }
  }
}

Status Constraints::Check() const {
  if (errors_.empty()) return Status::Ok();
  std::string msg = std::to_string(errors_.size()) + " validation error" +
                    (errors_.size() > 1 ? "s" : "") + " detected: ";
  for (size_t i = 0; i < errors_.size(); ++i) msg += (i ? "; " : "") + errors_[i];
  return Validation(msg);
}

Result<tables::KeySchema> ParseKeySchema(const json::value* v,
                                         const std::map<std::string, tables::ValueType>& defs,
                                         const std::string& path) {
  if (v && !v->is_null() && !v->is_array()) return Serialization("KeySchema must be a list");
  if (!v || !v->is_array() || v->get_array().empty() || v->get_array().size() > 2) {
    return Validation("1 validation error detected: Value '" +
                      (v && v->is_array() ? json::serialize(*v) : std::string("null")) + "' at '" +
                      path +
                      "' failed to satisfy constraint: Member must have length less than or "
                      "equal to 2 and greater than or equal to 1");
  }
  tables::KeySchema key;
  const json::array& a = v->get_array();
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_object()) return Serialization("KeySchema elements must be objects");
    ASSIGN_OR_RETURN(std::string name, String(a[i].get_object(), "AttributeName"));
    ASSIGN_OR_RETURN(std::string type, String(a[i].get_object(), "KeyType"));
    if (type != "HASH" && type != "RANGE") {
      return Validation("1 validation error detected: Value '" + type + "' at '" + path + "." +
                        std::to_string(i + 1) +
                        ".member.keyType' failed to satisfy constraint: Member must satisfy enum "
                        "value set: [HASH, RANGE]");
    }
    if ((i == 0) != (type == "HASH")) {
      return Validation(i == 0 ? "Invalid KeySchema: The first KeySchemaElement is not a HASH key "
                                 "type"
                               : "Too many hash keys specified.  All Dynamo DB tables must have "
                                 "exactly one hash key");
    }
    auto def = defs.find(name);
    if (def == defs.end()) {
      return Validation(
          "One or more parameter values were invalid: Some index key attributes "
          "are not defined in AttributeDefinitions. Keys: [" +
          name + "]");
    }
    tables::KeyAttribute attr{name, def->second};
    if (i == 0) {
      key.hash = attr;
    } else {
      key.range = attr;
    }
  }
  return key;
}

Status ParseProjection(const json::value* v, tables::IndexSchema* index) {
  if (v && !v->is_null() && !v->is_object()) return Serialization("Projection must be a map");
  if (!v || !v->is_object()) {
    return Validation(
        "1 validation error detected: Value null at 'projection' failed to satisfy "
        "constraint: Member must not be null");
  }
  const json::object& p = v->get_object();
  ASSIGN_OR_RETURN(std::string type, String(p, "ProjectionType"));
  if (type == "ALL" || type.empty()) {
    index->projection = tables::ProjectionType::kAll;
  } else if (type == "KEYS_ONLY") {
    index->projection = tables::ProjectionType::kKeysOnly;
  } else if (type == "INCLUDE") {
    index->projection = tables::ProjectionType::kInclude;
  } else {
    return Validation("1 validation error detected: Value '" + type +
                      "' at 'projection.projectionType' failed to satisfy constraint: Member must "
                      "satisfy enum value set: [INCLUDE, KEYS_ONLY, ALL]");
  }
  ASSIGN_OR_RETURN(index->non_key_attributes, JsonMembers(p).Strings("NonKeyAttributes"));
  return Status::Ok();
}

Result<std::optional<std::pair<int64_t, int64_t>>> Throughput(const json::object& o) {
  ASSIGN_OR_RETURN(const json::object* pt, JsonMembers(o).Object("ProvisionedThroughput"));
  if (pt == nullptr) return std::optional<std::pair<int64_t, int64_t>>();
  JsonMembers m(*pt, "ProvisionedThroughput");
  ASSIGN_OR_RETURN(int64_t read, m.Int("ReadCapacityUnits", 0));
  ASSIGN_OR_RETURN(int64_t write, m.Int("WriteCapacityUnits", 0));
  return std::optional<std::pair<int64_t, int64_t>>(std::make_pair(read, write));
}

Result<std::map<std::string, std::string>> Tags(const json::object& in) {
  std::map<std::string, std::string> tags;
  ASSIGN_OR_RETURN(const json::array* list, JsonMembers(in).Array("Tags"));
  if (list == nullptr) return tags;
  for (const auto& tv : *list) {
    if (!tv.is_object()) return Serialization("Tags must hold maps");
    ASSIGN_OR_RETURN(std::string key, String(tv.get_object(), "Key"));
    ASSIGN_OR_RETURN(tags[key], String(tv.get_object(), "Value"));
  }
  return tags;
}

}  // namespace nimbus::aws::dynamodb
