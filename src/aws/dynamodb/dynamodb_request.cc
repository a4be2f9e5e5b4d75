#include "aws/dynamodb/dynamodb_request.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <set>

#include "aws/codecs.h"
#include "aws/dynamodb/dynamodb_values.h"

namespace nimbus::aws::dynamodb {

Status Validation(std::string message) {
  return InvalidArgument(std::move(message));
}

Status Serialization(std::string message) {
  return Status(Code::kInvalidArgument, std::move(message), std::string(kSerializationReason));
}

Status NotNull(std::string_view path) {
  return Validation("1 validation error detected: Value null at '" + std::string(path) +
                    "' failed to satisfy constraint: Member must not be null");
}

const json::value* Member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

Result<std::string> String(const json::object& o, std::string_view key) {
  const json::value* v = Member(o, key);
  if (v == nullptr) return std::string();
  if (!v->is_string()) return Serialization(std::string(key) + " must be a string");
  return std::string(v->get_string());
}

std::string_view Text(const json::object& o, std::string_view key) {
  const json::value* v = Member(o, key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

Result<bool> Bool(const json::object& o, std::string_view key) {
  const json::value* v = Member(o, key);
  if (v == nullptr) return false;
  if (!v->is_bool()) return Serialization(std::string(key) + " must be a boolean");
  return v->get_bool();
}

Status Expressions::Init(const json::object& in,
                         std::initializer_list<const char*> expression_params) {
  static const char* kLegacy[] = {"Expected",           "AttributesToGet", "KeyConditions",
                                  "QueryFilter",        "ScanFilter",      "AttributeUpdates",
                                  "ConditionalOperator"};
  std::string legacy, modern;
  for (const char* p : kLegacy) {
    if (Member(in, p)) legacy += std::string(legacy.empty() ? "" : ", ") + p;
  }
  for (const char* p : expression_params) {
    if (Member(in, p)) modern += std::string(modern.empty() ? "" : ", ") + p;
  }
  if (!legacy.empty() && !modern.empty()) {
    return Validation(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {" +
        legacy + "} Expression parameters: {" + modern + "}");
  }
  if (!legacy.empty()) {
    return Validation(
        "Nimbus supports DynamoDB's expression parameters only; replace the legacy "
        "parameters {" +
        legacy + "} with their expression equivalents");
  }
  if (const json::value* n = Member(in, "ExpressionAttributeNames")) {
    if (!n->is_object()) return Serialization("ExpressionAttributeNames must be a map");
    if (modern.empty()) {
      return Validation("ExpressionAttributeNames can only be specified when using expressions");
    }
    ASSIGN_OR_RETURN(names_, ExpressionNamesFromJson(n->get_object()));
  }
  if (const json::value* v = Member(in, "ExpressionAttributeValues")) {
    if (!v->is_object()) return Serialization("ExpressionAttributeValues must be a map");
    if (modern.empty()) {
      return Validation("ExpressionAttributeValues can only be specified when using expressions");
    }
    ASSIGN_OR_RETURN(values_, ExpressionValuesFromJson(v->get_object()));
  }
  context_.emplace(names_ ? &*names_ : nullptr, values_ ? &*values_ : nullptr);
  return context_->ValidateMaps();
}

Status ExpressionText(const json::object& in, const char* key, std::optional<std::string>* out) {
  const json::value* v = Member(in, key);
  if (!v) return Status::Ok();
  if (!v->is_string()) return Serialization(std::string(key) + " must be a string");
  *out = std::string(v->get_string());
  return Status::Ok();
}

Status ParseCondition(const json::object& in, const char* key, tables::ExpressionKind kind,
                      Expressions& ex, std::optional<tables::Condition>* out) {
  std::optional<std::string> text;
  RETURN_IF_ERROR(ExpressionText(in, key, &text));
  if (!text) return Status::Ok();
  ASSIGN_OR_RETURN(*out, tables::ParseCondition(*text, kind, ex.context()));
  return Status::Ok();
}

Status ParseProjection(const json::object& in, Expressions& ex,
                       std::optional<tables::Projection>* out) {
  std::optional<std::string> text;
  RETURN_IF_ERROR(ExpressionText(in, "ProjectionExpression", &text));
  if (!text) return Status::Ok();
  ASSIGN_OR_RETURN(*out, tables::ParseProjection(*text, ex.context()));
  return Status::Ok();
}

Status RequiredItem(const json::object& in, const char* key, const char* path, tables::Item* out) {
  const json::value* v = Member(in, key);
  if (!v) return NotNull(path);
  if (!v->is_object()) return Serialization(std::string(key) + " must be a map");
  ASSIGN_OR_RETURN(*out, ItemFromJson(v->get_object()));
  return Status::Ok();
}

Status RequiredTable(const json::object& in, std::string* out) {
  const json::value* v = Member(in, "TableName");
  if (!v) return NotNull("tableName");
  if (!v->is_string()) return Serialization("TableName must be a string");
  *out = std::string(v->get_string());
  if (out->size() < 3 || out->size() > 255) {
    return Validation(
        "1 validation error detected: Value '" + *out +
        "' at 'tableName' failed to satisfy constraint: Member must have length " +
        (out->size() < 3 ? "greater than or equal to 3" : "less than or equal to 255"));
  }
  return Status::Ok();
}

Status CheckEnum(const json::object& in, const char* key, const std::string& path,
                 std::initializer_list<const char*> allowed) {
  const json::value* v = Member(in, key);
  if (!v) return Status::Ok();
  if (!v->is_string()) return Serialization(std::string(key) + " must be a string");
  std::string list;
  for (const char* a : allowed) {
    if (v->get_string() == a) return Status::Ok();
    list += std::string(list.empty() ? "" : ", ") + a;
  }
  return Validation(
      "1 validation error detected: Value '" + std::string(v->get_string()) + "' at '" + path +
      "' failed to satisfy constraint: Member must satisfy enum value set: [" + list + "]");
}

Status CheckCommonEnums(const json::object& in) {
  RETURN_IF_ERROR(CheckEnum(in, "ReturnConsumedCapacity", "returnConsumedCapacity",
                            {"INDEXES", "TOTAL", "NONE"}));
  RETURN_IF_ERROR(CheckEnum(in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics",
                            {"SIZE", "NONE"}));
  return CheckEnum(in, "ReturnValuesOnConditionCheckFailure", "returnValuesOnConditionCheckFailure",
                   {"ALL_OLD", "NONE"});
}

Status CheckReturnValues(const json::object& in, std::initializer_list<const char*> allowed,
                         const char* op) {
  ASSIGN_OR_RETURN(std::string rv, String(in, "ReturnValues"));
  if (rv.empty()) return Status::Ok();
  for (const char* a : allowed) {
    if (rv == a) return Status::Ok();
  }
  static const std::set<std::string> kAll = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                             "UPDATED_NEW"};
  if (!kAll.count(rv)) {
    return Validation("1 validation error detected: Value '" + rv +
                      "' at 'returnValues' failed to satisfy constraint: Member must satisfy enum "
                      "value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
  }
  return Validation(std::string("ReturnValues can only be ") +
                    (std::string_view(op) == "UpdateItem" ? "" : "ALL_OLD or NONE") + " for " + op);
}

Status CheckLimit(const json::object& in, int* limit) {
  const json::value* v = Member(in, "Limit");
  if (!v) return Status::Ok();
  if (!v->is_int64() || v->get_int64() < 1) {
    return Validation("1 validation error detected: Value '" +
                      (v->is_int64() ? std::to_string(v->get_int64()) : json::serialize(*v)) +
                      "' at 'limit' failed to satisfy constraint: Member must have value greater "
                      "than or equal to 1");
  }
  *limit = static_cast<int>(std::min<int64_t>(v->get_int64(), 1 << 30));
  return Status::Ok();
}

Status StartKey(const json::object& in, std::optional<tables::Item>* out) {
  const json::value* esk = Member(in, "ExclusiveStartKey");
  if (!esk) return Status::Ok();
  if (!esk->is_object()) return Serialization("ExclusiveStartKey must be a map");
  ASSIGN_OR_RETURN(*out, ItemFromJson(esk->get_object()));
  return Status::Ok();
}

void AddCapacity(const json::object& in, json::object& out, const std::string& table,
                 double units) {
  std::string_view mode = Text(in, "ReturnConsumedCapacity");
  if (mode != "TOTAL" && mode != "INDEXES") return;
  json::object cc{{"TableName", table}, {"CapacityUnits", units}};
  if (mode == "INDEXES") cc["Table"] = {{"CapacityUnits", units}};
  out["ConsumedCapacity"] = std::move(cc);
}

double WriteUnits(size_t bytes) {
  return std::max(1.0, std::ceil(static_cast<double>(bytes) / 1024));
}

double ReadUnits(size_t bytes, bool consistent) {
  double units = std::max(1.0, std::ceil(static_cast<double>(bytes) / 4096));
  return consistent ? units : units / 2;
}

AwsError ConditionFailed(const json::object& in, const std::optional<tables::Item>& old_item) {
  AwsError e{400, "ConditionalCheckFailedException", "The conditional request failed"};
  if (Text(in, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD" && old_item) {
    e.fields["Item"] = ItemToJson(*old_item);
  }
  return e;
}

json::object ReadPageJson(const tables::ReadPage& page,
                          const std::optional<tables::Projection>& projection, bool count_only) {
  json::object out;
  if (!count_only) {
    json::array items;
    items.reserve(page.items.size());
    for (const auto& item : page.items) {
      items.push_back(ItemToJson(projection ? tables::Project(*projection, item) : item));
    }
    out["Items"] = std::move(items);
  }
  out["Count"] = page.items.size();
  out["ScannedCount"] = page.scanned;
  if (page.last_evaluated_key) out["LastEvaluatedKey"] = ItemToJson(*page.last_evaluated_key);
  return out;
}

json::array KeySchemaJson(const tables::KeySchema& k) {
  json::array a{{{"AttributeName", k.hash.name}, {"KeyType", "HASH"}}};
  if (k.range) a.push_back({{"AttributeName", k.range->name}, {"KeyType", "RANGE"}});
  return a;
}

}  // namespace nimbus::aws::dynamodb
