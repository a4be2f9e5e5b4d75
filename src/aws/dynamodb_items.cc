// DynamoDB's item operations: request decoding with DynamoDB's validation,
// expressions, return values and consumed capacity.
#include <boost/json.hpp>

#include <cmath>
#include <set>

#include "aws/dynamodb_frontend.h"
#include "aws/dynamodb_values.h"
#include "core/json.h"
#include "core/crypto.h"
#include "core/strings.h"

namespace nimbus::aws {

using namespace dynamodb;  // NOLINT(google-build-using-namespace): the frontend's own helpers
using tables::ExpressionKind;
using tables::Item;
using Reply = DynamoDbFrontend::Reply;

namespace {

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::value* Member(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

// The placeholders and expressions of one request (or one transaction item).
class Expressions {
 public:
  // Reads ExpressionAttributeNames/Values and checks them; legacy
  // (non-expression) parameters are refused.
  std::optional<Reply> Init(const json::object& in, std::initializer_list<const char*> expression_params) {
    static const char* kLegacy[] = {"Expected", "AttributesToGet", "KeyConditions", "QueryFilter",
                                    "ScanFilter", "AttributeUpdates", "ConditionalOperator"};
    std::string legacy, modern;
    for (const char* p : kLegacy) {
      if (Member(in, p)) legacy += std::string(legacy.empty() ? "" : ", ") + p;
    }
    for (const char* p : expression_params) {
      if (Member(in, p)) modern += std::string(modern.empty() ? "" : ", ") + p;
    }
    if (!legacy.empty() && !modern.empty()) {
      return Validation("Can not use both expression and non-expression parameters in the same "
                        "request: Non-expression parameters: {" + legacy +
                        "} Expression parameters: {" + modern + "}");
    }
    if (!legacy.empty()) {
      return Validation("Nimbus supports DynamoDB's expression parameters only; replace the legacy "
                        "parameters {" + legacy + "} with their expression equivalents");
    }
    if (const json::value* n = Member(in, "ExpressionAttributeNames")) {
      if (!n->is_object()) return Error("SerializationException", "ExpressionAttributeNames must be a map");
      if (modern.empty()) {
        return Validation("ExpressionAttributeNames can only be specified when using expressions");
      }
      auto names = ExpressionNamesFromJson(n->get_object());
      if (!names.ok()) return FromStatus(names.status());
      names_ = std::move(*names);
    }
    if (const json::value* v = Member(in, "ExpressionAttributeValues")) {
      if (!v->is_object()) return Error("SerializationException", "ExpressionAttributeValues must be a map");
      if (modern.empty()) {
        return Validation("ExpressionAttributeValues can only be specified when using expressions");
      }
      auto values = ExpressionValuesFromJson(v->get_object());
      if (!values.ok()) return FromStatus(values.status());
      values_ = std::move(*values);
    }
    context_.emplace(names_ ? &*names_ : nullptr, values_ ? &*values_ : nullptr);
    Status maps = context_->ValidateMaps();
    if (!maps.ok()) return FromStatus(maps);
    return std::nullopt;
  }

  tables::ExpressionContext* context() { return &*context_; }
  std::optional<Reply> CheckAllUsed() {
    Status s = context_->CheckAllUsed();
    if (!s.ok()) return FromStatus(s);
    return std::nullopt;
  }

 private:
  std::optional<tables::ExpressionNames> names_;
  std::optional<tables::ExpressionValues> values_;
  std::optional<tables::ExpressionContext> context_;
};

// An optional string expression member; error when present but not a string.
std::optional<Reply> ExpressionText(const json::object& in, const char* key,
                                    std::optional<std::string>* out) {
  const json::value* v = Member(in, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) return Error("SerializationException", std::string(key) + " must be a string");
  *out = std::string(v->get_string());
  return std::nullopt;
}

std::optional<Reply> ParseCondition(const json::object& in, const char* key, ExpressionKind kind,
                                    Expressions& ex, std::optional<tables::Condition>* out) {
  std::optional<std::string> text;
  if (auto e = ExpressionText(in, key, &text)) return e;
  if (!text) return std::nullopt;
  auto c = tables::ParseCondition(*text, kind, ex.context());
  if (!c.ok()) return FromStatus(c.status());
  *out = std::move(*c);
  return std::nullopt;
}

std::optional<Reply> ParseProjection(const json::object& in, Expressions& ex,
                                     std::optional<tables::Projection>* out) {
  std::optional<std::string> text;
  if (auto e = ExpressionText(in, "ProjectionExpression", &text)) return e;
  if (!text) return std::nullopt;
  auto p = tables::ParseProjection(*text, ex.context());
  if (!p.ok()) return FromStatus(p.status());
  *out = std::move(*p);
  return std::nullopt;
}

std::optional<Reply> RequiredItem(const json::object& in, const char* key, const char* path,
                                  Item* out) {
  const json::value* v = Member(in, key);
  if (!v) {
    return Validation(std::string("1 validation error detected: Value null at '") + path +
                      "' failed to satisfy constraint: Member must not be null");
  }
  if (!v->is_object()) return Error("SerializationException", std::string(key) + " must be a map");
  auto item = ItemFromJson(v->get_object());
  if (!item.ok()) return FromStatus(item.status());
  *out = std::move(*item);
  return std::nullopt;
}

std::optional<Reply> RequiredTable(const json::object& in, std::string* out) {
  const json::value* v = Member(in, "TableName");
  if (!v) {
    return Validation("1 validation error detected: Value null at 'tableName' failed to satisfy "
                      "constraint: Member must not be null");
  }
  if (!v->is_string()) return Error("SerializationException", "TableName must be a string");
  *out = std::string(v->get_string());
  if (out->size() < 3 || out->size() > 255) {
    return Validation("1 validation error detected: Value '" + *out +
                      "' at 'tableName' failed to satisfy constraint: Member must have length " +
                      (out->size() < 3 ? "greater than or equal to 3" : "less than or equal to 255"));
  }
  return std::nullopt;
}

// An optional enum member: DynamoDB's constraint message when the value is not one of `allowed`.
std::optional<Reply> CheckEnum(const json::object& in, const char* key, const std::string& path,
                               std::initializer_list<const char*> allowed) {
  const json::value* v = Member(in, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) return Error("SerializationException", std::string(key) + " must be a string");
  std::string list;
  for (const char* a : allowed) {
    if (v->get_string() == a) return std::nullopt;
    list += std::string(list.empty() ? "" : ", ") + a;
  }
  return Validation("1 validation error detected: Value '" + std::string(v->get_string()) + "' at '" +
                    path + "' failed to satisfy constraint: Member must satisfy enum value set: [" +
                    list + "]");
}

// The enum members every item operation may carry.
std::optional<Reply> CheckCommonEnums(const json::object& in) {
  if (auto e = CheckEnum(in, "ReturnConsumedCapacity", "returnConsumedCapacity",
                         {"INDEXES", "TOTAL", "NONE"})) {
    return e;
  }
  if (auto e = CheckEnum(in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics",
                         {"SIZE", "NONE"})) {
    return e;
  }
  return CheckEnum(in, "ReturnValuesOnConditionCheckFailure", "returnValuesOnConditionCheckFailure",
                   {"ALL_OLD", "NONE"});
}

// ReturnConsumedCapacity: DynamoDB's units, rounded as it rounds them.
void AddCapacity(const json::object& in, json::object& out, const std::string& table, double units) {
  std::string mode = Str(in, "ReturnConsumedCapacity");
  if (mode != "TOTAL" && mode != "INDEXES") return;
  json::object cc{{"TableName", table}, {"CapacityUnits", units}};
  if (mode == "INDEXES") cc["Table"] = {{"CapacityUnits", units}};
  out["ConsumedCapacity"] = cc;
}

double WriteUnits(size_t bytes) { return std::max(1.0, std::ceil(static_cast<double>(bytes) / 1024)); }
double ReadUnits(size_t bytes, bool consistent) {
  double units = std::max(1.0, std::ceil(static_cast<double>(bytes) / 4096));
  return consistent ? units : units / 2;
}

bool ConsistentRead(const json::object& in) {
  const json::value* v = Member(in, "ConsistentRead");
  return v && v->is_bool() && v->get_bool();
}

Reply ConditionFailed(const json::object& in, const std::optional<Item>& old_item) {
  json::object o{{"__type", "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"},
                 {"message", "The conditional request failed"}};
  if (Str(in, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD" && old_item) {
    o["Item"] = ItemToJson(*old_item);
  }
  return {400, json::serialize(o)};
}

std::optional<Reply> CheckReturnValues(const json::object& in, std::initializer_list<const char*> allowed,
                                       const char* op);

// What PutItem and DeleteItem take besides their item or key: ReturnValues
// (NONE or ALL_OLD) and an optional ConditionExpression with its names and
// values, every one of them used.
std::optional<Reply> ParseSimpleWrite(const json::object& in, const char* op,
                                      std::optional<tables::Condition>* condition) {
  if (auto e = CheckReturnValues(in, {"NONE", "ALL_OLD"}, op)) return *e;
  Expressions ex;
  if (auto e = ex.Init(in, {"ConditionExpression"})) return *e;
  if (auto e = ParseCondition(in, "ConditionExpression", ExpressionKind::kCondition, ex, condition)) {
    return *e;
  }
  return ex.CheckAllUsed();
}

// PutItem's and DeleteItem's answer: the failed condition, or the old item
// when asked for, and the capacity for `bytes` written.
Reply SimpleWriteReply(const json::object& in, const std::string& table,
                       const Result<tables::WriteOutcome>& r, size_t bytes) {
  if (!r.ok()) return FromStatus(r.status());
  if (r->condition_failed) return ConditionFailed(in, r->old_item);
  json::object out;
  if (Str(in, "ReturnValues") == "ALL_OLD" && r->old_item) out["Attributes"] = ItemToJson(*r->old_item);
  AddCapacity(in, out, table, WriteUnits(bytes));
  return Ok(out);
}

std::optional<Reply> CheckReturnValues(const json::object& in, std::initializer_list<const char*> allowed,
                                       const char* op) {
  std::string rv = Str(in, "ReturnValues");
  if (rv.empty()) return std::nullopt;
  for (const char* a : allowed) {
    if (rv == a) return std::nullopt;
  }
  static const std::set<std::string> kAll = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};
  if (!kAll.count(rv)) {
    return Validation("1 validation error detected: Value '" + rv + "' at 'returnValues' failed to "
                      "satisfy constraint: Member must satisfy enum value set: [ALL_NEW, "
                      "UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
  }
  return Validation(std::string("ReturnValues can only be ") +
                    (std::string(op) == "UpdateItem" ? "" : "ALL_OLD or NONE") +
                    " for " + op);
}

std::optional<Reply> CheckLimit(const json::object& in, int* limit) {
  const json::value* v = Member(in, "Limit");
  if (!v) return std::nullopt;
  if (!v->is_int64() || v->get_int64() < 1) {
    return Validation("1 validation error detected: Value '" +
                      (v->is_int64() ? std::to_string(v->get_int64()) : json::serialize(*v)) +
                      "' at 'limit' failed to satisfy constraint: Member must have value greater "
                      "than or equal to 1");
  }
  *limit = static_cast<int>(std::min<int64_t>(v->get_int64(), 1 << 30));
  return std::nullopt;
}

// Items as a Query or Scan returns them: projected, or none for COUNT.
json::object ReadPageJson(const tables::ReadPage& page, const std::optional<tables::Projection>& p,
                          bool count_only) {
  json::object out;
  if (!count_only) {
    json::array items;
    items.reserve(page.items.size());
    for (const auto& item : page.items) {
      items.push_back(ItemToJson(p ? tables::Project(*p, item) : item));
    }
    out["Items"] = std::move(items);
  }
  out["Count"] = page.items.size();
  out["ScannedCount"] = page.scanned;
  if (page.last_evaluated_key) out["LastEvaluatedKey"] = ItemToJson(*page.last_evaluated_key);
  return out;
}

}  // namespace

Reply DynamoDbFrontend::GetItem(const Object& in) {
  std::string table;
  if (auto e = RequiredTable(in, &table)) return *e;
  if (auto e = CheckCommonEnums(in)) return *e;
  Item key;
  if (auto e = RequiredItem(in, "Key", "key", &key)) return *e;
  Expressions ex;
  if (auto e = ex.Init(in, {"ProjectionExpression"})) return *e;
  std::optional<tables::Projection> projection;
  if (auto e = ParseProjection(in, ex, &projection)) return *e;
  if (auto e = ex.CheckAllUsed()) return *e;
  auto item = tables_.GetItem(table, key);
  if (!item.ok()) return FromStatus(item.status());
  json::object out;
  size_t bytes = 0;
  if (*item) {
    bytes = tables::ItemSize(**item);
    out["Item"] = ItemToJson(projection ? tables::Project(*projection, **item) : **item);
  }
  AddCapacity(in, out, table, ReadUnits(bytes, ConsistentRead(in)));
  return Ok(out);
}

Reply DynamoDbFrontend::PutItem(const Object& in) {
  std::string table;
  if (auto e = RequiredTable(in, &table)) return *e;
  if (auto e = CheckCommonEnums(in)) return *e;
  Item item;
  if (auto e = RequiredItem(in, "Item", "item", &item)) return *e;
  std::optional<tables::Condition> condition;
  if (auto e = ParseSimpleWrite(in, "PutItem", &condition)) return *e;
  size_t bytes = tables::ItemSize(item);
  auto r = tables_.PutItem(table, std::move(item), condition ? &*condition : nullptr);
  return SimpleWriteReply(in, table, r, bytes);
}

Reply DynamoDbFrontend::UpdateItem(const Object& in) {
  std::string table;
  if (auto e = RequiredTable(in, &table)) return *e;
  if (auto e = CheckCommonEnums(in)) return *e;
  Item key;
  if (auto e = RequiredItem(in, "Key", "key", &key)) return *e;
  if (auto e = CheckReturnValues(in, {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"},
                                 "UpdateItem")) {
    return *e;
  }
  Expressions ex;
  if (auto e = ex.Init(in, {"UpdateExpression", "ConditionExpression"})) return *e;
  std::optional<std::string> update_text;
  if (auto e = ExpressionText(in, "UpdateExpression", &update_text)) return *e;
  std::optional<tables::UpdatePlan> plan;
  if (update_text) {
    auto p = tables::ParseUpdate(*update_text, ex.context());
    if (!p.ok()) return FromStatus(p.status());
    plan = std::move(*p);
  }
  std::optional<tables::Condition> condition;
  if (auto e = ParseCondition(in, "ConditionExpression", ExpressionKind::kCondition, ex, &condition)) {
    return *e;
  }
  if (auto e = ex.CheckAllUsed()) return *e;
  auto r = tables_.UpdateItem(table, key, plan ? &*plan : nullptr, condition ? &*condition : nullptr);
  if (!r.ok()) return FromStatus(r.status());
  if (r->condition_failed) return ConditionFailed(in, r->old_item);
  json::object out;
  std::string rv = Str(in, "ReturnValues");
  std::optional<Item> attrs;
  if (rv == "ALL_OLD" && r->old_item) attrs = *r->old_item;
  if (rv == "ALL_NEW" && r->new_item) attrs = *r->new_item;
  if (rv == "UPDATED_OLD" && r->old_item) attrs = tables::ProjectPaths(r->updated_paths, *r->old_item);
  if (rv == "UPDATED_NEW" && r->new_item) attrs = tables::ProjectPaths(r->updated_paths, *r->new_item);
  if (attrs && !attrs->empty()) out["Attributes"] = ItemToJson(*attrs);
  AddCapacity(in, out, table, WriteUnits(r->new_item ? tables::ItemSize(*r->new_item) : 0));
  return Ok(out);
}

Reply DynamoDbFrontend::DeleteItem(const Object& in) {
  std::string table;
  if (auto e = RequiredTable(in, &table)) return *e;
  if (auto e = CheckCommonEnums(in)) return *e;
  Item key;
  if (auto e = RequiredItem(in, "Key", "key", &key)) return *e;
  std::optional<tables::Condition> condition;
  if (auto e = ParseSimpleWrite(in, "DeleteItem", &condition)) return *e;
  auto r = tables_.DeleteItem(table, key, condition ? &*condition : nullptr);
  return SimpleWriteReply(in, table, r, r.ok() && r->old_item ? tables::ItemSize(*r->old_item) : 0);
}

Reply DynamoDbFrontend::Query(const Object& in) {
  std::string table;
  if (auto e = RequiredTable(in, &table)) return *e;
  if (auto e = CheckCommonEnums(in)) return *e;
  auto schema = tables_.DescribeTable(table);
  if (!schema.ok()) return FromStatus(Status(Code::kNotFound, "Requested resource not found"));
  std::string index_name = Str(in, "IndexName");
  const tables::IndexSchema* index = nullptr;
  if (!index_name.empty()) {
    index = schema->FindIndex(index_name);
    if (!index) return Validation("The table does not have the specified index: " + index_name);
  }
  Expressions ex;
  if (auto e = ex.Init(in, {"KeyConditionExpression", "FilterExpression", "ProjectionExpression"})) {
    return *e;
  }
  std::optional<std::string> kc_text;
  if (auto e = ExpressionText(in, "KeyConditionExpression", &kc_text)) return *e;
  if (!kc_text) {
    return Validation("Either the KeyConditions or KeyConditionExpression parameter must be "
                      "specified in the request.");
  }
  const tables::KeySchema& key = index ? index->key : schema->key;
  auto kc = tables::ParseKeyCondition(*kc_text, key, ex.context());
  if (!kc.ok()) return FromStatus(kc.status());
  std::optional<tables::Condition> filter;
  if (auto e = ParseCondition(in, "FilterExpression", ExpressionKind::kFilter, ex, &filter)) return *e;
  if (filter) {
    std::set<std::string> keys = {key.hash.name};
    if (key.range) keys.insert(key.range->name);
    for (const auto& a : tables::TopLevelAttributes(*filter)) {
      if (keys.count(a)) {
        return Validation("Filter Expression can only contain non-primary key attributes: Primary "
                          "key attribute: " + a);
      }
    }
  }
  std::optional<tables::Projection> projection;
  if (auto e = ParseProjection(in, ex, &projection)) return *e;
  if (auto e = ex.CheckAllUsed()) return *e;
  std::string select = Str(in, "Select");
  if (!select.empty() && select != "ALL_ATTRIBUTES" && select != "ALL_PROJECTED_ATTRIBUTES" &&
      select != "SPECIFIC_ATTRIBUTES" && select != "COUNT") {
    return Validation("1 validation error detected: Value '" + select + "' at 'select' failed to "
                      "satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, "
                      "COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
  }
  if (projection && !select.empty() && select != "SPECIFIC_ATTRIBUTES") {
    return Validation("Cannot specify the ProjectionExpression when choosing to get " + select);
  }
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !index) {
    return Validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  }
  if (select == "SPECIFIC_ATTRIBUTES" && !projection) {
    return Validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get "
                      "SPECIFIC_ATTRIBUTES");
  }
  tables::QueryRequest q;
  q.table = table;
  q.index = index_name;
  q.key_condition = std::move(*kc);
  q.filter = filter ? &*filter : nullptr;
  const json::value* forward = Member(in, "ScanIndexForward");
  q.forward = !forward || !forward->is_bool() || forward->get_bool();
  if (auto e = CheckLimit(in, &q.limit)) return *e;
  if (const json::value* esk = Member(in, "ExclusiveStartKey")) {
    if (!esk->is_object()) return Error("SerializationException", "ExclusiveStartKey must be a map");
    auto start = ItemFromJson(esk->get_object());
    if (!start.ok()) return FromStatus(start.status());
    q.exclusive_start_key = std::move(*start);
  }
  q.consistent_read = ConsistentRead(in);
  if (index && index->projection != tables::ProjectionType::kAll &&
      (select == "ALL_ATTRIBUTES" || projection)) {
    if (index->global) {
      if (select == "ALL_ATTRIBUTES") {
        return Validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                          "not supported for global secondary index " + index_name +
                          " because its projection type is not ALL");
      }
    } else {
      q.fetch_table_items = true;  // a local index reads the table for other attributes
    }
  }
  auto page = tables_.Query(q);
  if (!page.ok()) return FromStatus(page.status());
  json::object out = ReadPageJson(*page, projection, select == "COUNT");
  size_t bytes = 0;
  for (const auto& item : page->items) bytes += tables::ItemSize(item);
  AddCapacity(in, out, table, ReadUnits(bytes, q.consistent_read));
  return Ok(out);
}

Reply DynamoDbFrontend::Scan(const Object& in) {
  std::string table;
  if (auto e = RequiredTable(in, &table)) return *e;
  if (auto e = CheckCommonEnums(in)) return *e;
  Expressions ex;
  if (auto e = ex.Init(in, {"FilterExpression", "ProjectionExpression"})) return *e;
  std::optional<tables::Condition> filter;
  if (auto e = ParseCondition(in, "FilterExpression", ExpressionKind::kFilter, ex, &filter)) return *e;
  std::optional<tables::Projection> projection;
  if (auto e = ParseProjection(in, ex, &projection)) return *e;
  if (auto e = ex.CheckAllUsed()) return *e;
  if (auto e = CheckEnum(in, "Select", "select",
                         {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"})) {
    return *e;
  }
  std::string select = Str(in, "Select");
  if (projection && !select.empty() && select != "SPECIFIC_ATTRIBUTES") {
    return Validation("Cannot specify the ProjectionExpression when choosing to get " + select);
  }
  if (select == "ALL_PROJECTED_ATTRIBUTES" && Str(in, "IndexName").empty()) {
    return Validation("ALL_PROJECTED_ATTRIBUTES can be used only when Scanning using an IndexName");
  }
  if (select == "SPECIFIC_ATTRIBUTES" && !projection) {
    return Validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get "
                      "SPECIFIC_ATTRIBUTES");
  }
  tables::ScanRequest q;
  q.table = table;
  q.index = Str(in, "IndexName");
  q.filter = filter ? &*filter : nullptr;
  if (auto e = CheckLimit(in, &q.limit)) return *e;
  const json::value* segment = Member(in, "Segment");
  const json::value* total = Member(in, "TotalSegments");
  if ((segment && !segment->is_int64()) || (total && !total->is_int64())) {
    return Error("SerializationException", "Segment and TotalSegments must be integers");
  }
  if (total && (total->get_int64() < 1 || total->get_int64() > 1000000)) {
    return Validation("1 validation error detected: Value '" + std::to_string(total->get_int64()) +
                      "' at 'totalSegments' failed to satisfy constraint: Member must have value " +
                      (total->get_int64() < 1 ? "greater than or equal to 1"
                                              : "less than or equal to 1000000"));
  }
  if (segment && (segment->get_int64() < 0 || segment->get_int64() > 999999)) {
    return Validation("1 validation error detected: Value '" + std::to_string(segment->get_int64()) +
                      "' at 'segment' failed to satisfy constraint: Member must have value " +
                      (segment->get_int64() < 0 ? "greater than or equal to 0"
                                                : "less than or equal to 999999"));
  }
  if ((segment == nullptr) != (total == nullptr)) {
    return Validation(std::string("The ") + (segment ? "TotalSegments" : "Segment") +
                      " parameter is required but was not present in the request when parameter " +
                      (segment ? "Segment" : "TotalSegments") + " is present");
  }
  if (segment) {
    if (segment->get_int64() >= total->get_int64()) {
      return Validation("The Segment parameter is zero-based and must be less than parameter "
                        "TotalSegments: Segment: " + std::to_string(segment->get_int64()) +
                        " is not less than TotalSegments: " + std::to_string(total->get_int64()));
    }
    q.segment = static_cast<int>(segment->get_int64());
    q.total_segments = static_cast<int>(total->get_int64());
  }
  if (const json::value* esk = Member(in, "ExclusiveStartKey")) {
    if (!esk->is_object()) return Error("SerializationException", "ExclusiveStartKey must be a map");
    auto start = ItemFromJson(esk->get_object());
    if (!start.ok()) return FromStatus(start.status());
    q.exclusive_start_key = std::move(*start);
  }
  q.consistent_read = ConsistentRead(in);
  auto page = tables_.Scan(q);
  if (!page.ok()) return FromStatus(page.status());
  json::object out = ReadPageJson(*page, projection, select == "COUNT");
  size_t bytes = 0;
  for (const auto& item : page->items) bytes += tables::ItemSize(item);
  AddCapacity(in, out, table, ReadUnits(bytes, q.consistent_read));
  return Ok(out);
}

Reply DynamoDbFrontend::BatchGetItem(const Object& in) {
  const json::value* req = Member(in, "RequestItems");
  if (!req) {
    return Validation("1 validation error detected: Value null at 'requestItems' failed to satisfy "
                      "constraint: Member must not be null");
  }
  if (!req->is_object()) return Error("SerializationException", "RequestItems must be a map");
  if (req->get_object().empty()) {
    return Validation("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy "
                      "constraint: Member must have length greater than or equal to 1");
  }
  size_t total = 0;
  json::object responses;
  for (const auto& [table_sv, spec] : req->get_object()) {
    std::string table(table_sv);
    if (!spec.is_object()) return Error("SerializationException", "RequestItems values must be maps");
    const json::object& so = spec.get_object();
    const json::value* keys = Member(so, "Keys");
    if (!keys || !keys->is_array() || keys->get_array().empty()) {
      return Validation("1 validation error detected: Value null at 'requestItems." + table +
                        ".member.keys' failed to satisfy constraint: Member must not be null");
    }
    total += keys->get_array().size();
    if (total > 100) {
      return Validation("Too many items requested for the BatchGetItem call");
    }
    Expressions ex;
    if (auto e = ex.Init(so, {"ProjectionExpression"})) return *e;
    std::optional<tables::Projection> projection;
    if (auto e = ParseProjection(so, ex, &projection)) return *e;
    if (auto e = ex.CheckAllUsed()) return *e;
    auto schema = tables_.DescribeTable(table);
    if (!schema.ok()) return FromStatus(Status(Code::kNotFound, "Requested resource not found"));
    std::set<std::string> seen;
    std::vector<Item> parsed;
    for (const auto& kv : keys->get_array()) {
      if (!kv.is_object()) return Error("SerializationException", "Keys must hold maps");
      auto key = ItemFromJson(kv.get_object());
      if (!key.ok()) return FromStatus(key.status());
      Status valid = tables_.ValidateKey(*schema, *key);
      if (!valid.ok()) return FromStatus(valid);
      if (!seen.insert(json::serialize(ItemToJson(*key))).second) {
        return Validation("Provided list of item keys contains duplicates");
      }
      parsed.push_back(std::move(*key));
    }
    json::array items;
    for (const auto& key : parsed) {
      auto item = tables_.GetItem(table, key);
      if (!item.ok()) return FromStatus(item.status());
      if (*item) items.push_back(ItemToJson(projection ? tables::Project(*projection, **item) : **item));
    }
    responses[table] = std::move(items);
  }
  return Ok(json::object{{"Responses", responses}, {"UnprocessedKeys", json::object{}}});
}

Reply DynamoDbFrontend::BatchWriteItem(const Object& in) {
  const json::value* req = Member(in, "RequestItems");
  if (!req) {
    return Validation("1 validation error detected: Value null at 'requestItems' failed to satisfy "
                      "constraint: Member must not be null");
  }
  if (!req->is_object()) return Error("SerializationException", "RequestItems must be a map");
  std::vector<std::pair<std::string, std::pair<bool, Item>>> writes;
  std::set<std::string> seen;
  for (const auto& [table_sv, list] : req->get_object()) {
    std::string table(table_sv);
    if (!list.is_array() || list.get_array().empty()) {
      return Validation("1 validation error detected: Value null at 'requestItems." + table +
                        ".member' failed to satisfy constraint: Member must have length greater "
                        "than or equal to 1");
    }
    auto schema = tables_.DescribeTable(table);
    if (!schema.ok()) return FromStatus(Status(Code::kNotFound, "Requested resource not found"));
    for (const auto& w : list.get_array()) {
      if (!w.is_object()) return Error("SerializationException", "write requests must be maps");
      const json::value* put = Member(w.get_object(), "PutRequest");
      const json::value* del = Member(w.get_object(), "DeleteRequest");
      if ((put == nullptr) == (del == nullptr)) {
        return Validation("Supplied AttributeValue has more than one datatypes set, must contain "
                          "exactly one of the supported datatypes");
      }
      Item item;
      if (put) {
        if (!put->is_object()) return Error("SerializationException", "PutRequest must be a map");
        if (auto e = RequiredItem(put->get_object(), "Item", "item", &item)) return *e;
        auto key = tables_.DescribeTable(table);
        tables::KeySchema ks = schema->key;
        Item k;
        for (const auto& name : {ks.hash.name, ks.range ? ks.range->name : std::string()}) {
          if (auto it = item.find(name); !name.empty() && it != item.end()) k.emplace(name, it->second);
        }
        if (!seen.insert(table + "\n" + json::serialize(ItemToJson(k))).second) {
          return Validation("Provided list of item keys contains duplicates");
        }
      } else {
        if (!del->is_object()) return Error("SerializationException", "DeleteRequest must be a map");
        if (auto e = RequiredItem(del->get_object(), "Key", "key", &item)) return *e;
        Status valid = tables_.ValidateKey(*schema, item);
        if (!valid.ok()) return FromStatus(valid);
        if (!seen.insert(table + "\n" + json::serialize(ItemToJson(item))).second) {
          return Validation("Provided list of item keys contains duplicates");
        }
      }
      writes.push_back({table, {put != nullptr, std::move(item)}});
    }
  }
  if (writes.size() > 25) {
    return Validation("Too many items requested for the BatchWriteItem call");
  }
  if (writes.empty()) {
    return Validation("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy "
                      "constraint: Member must have length greater than or equal to 1");
  }
  Status s = tables_.BatchWrite(writes);
  if (!s.ok()) return FromStatus(s);
  return Ok(json::object{{"UnprocessedItems", json::object{}}});
}

Reply DynamoDbFrontend::TransactWriteItems(const Object& in) {
  const json::value* list = Member(in, "TransactItems");
  if (!list || !list->is_array()) {
    return Validation("1 validation error detected: Value null at 'transactItems' failed to satisfy "
                      "constraint: Member must not be null");
  }
  const json::array& items = list->get_array();
  if (items.empty() || items.size() > 100) {
    return Validation("1 validation error detected: Value '[...]' at 'transactItems' failed to "
                      "satisfy constraint: Member must have length less than or equal to 100 and "
                      "greater than or equal to 1");
  }
  std::vector<tables::TransactAction> actions;
  std::vector<std::string> return_on_failure;
  for (const auto& entry : items) {
    if (!entry.is_object()) return Error("SerializationException", "TransactItems must hold maps");
    const json::object& eo = entry.get_object();
    if (eo.size() != 1) {
      return Validation("TransactItems can only contain one of Check, Put, Update or Delete");
    }
    const auto& [kind_sv, body_v] = *eo.begin();
    std::string kind(kind_sv);
    if (kind != "Put" && kind != "Update" && kind != "Delete" && kind != "ConditionCheck") {
      return Validation("TransactItems can only contain one of Check, Put, Update or Delete");
    }
    if (!body_v.is_object()) return Error("SerializationException", kind + " must be a map");
    const json::object& body = body_v.get_object();
    tables::TransactAction a;
    if (auto e = RequiredTable(body, &a.table)) return *e;
    std::string member = kind == "ConditionCheck" ? "conditionCheck" : ToLower(kind.substr(0, 1)) + kind.substr(1);
    if (auto e = CheckEnum(body, "ReturnValuesOnConditionCheckFailure",
                           "transactItems." + std::to_string(actions.size() + 1) + ".member." +
                               member + ".returnValuesOnConditionCheckFailure",
                           {"ALL_OLD", "NONE"})) {
      return *e;
    }
    Expressions ex;
    std::optional<std::string> update_text;
    if (kind == "Put") {
      a.kind = tables::TransactAction::Kind::kPut;
      if (auto e = RequiredItem(body, "Item", "item", &a.item)) return *e;
      if (auto e = ex.Init(body, {"ConditionExpression"})) return *e;
    } else if (kind == "Delete" || kind == "ConditionCheck" || kind == "Update") {
      a.kind = kind == "Delete" ? tables::TransactAction::Kind::kDelete
               : kind == "Update" ? tables::TransactAction::Kind::kUpdate
                                  : tables::TransactAction::Kind::kConditionCheck;
      if (auto e = RequiredItem(body, "Key", "key", &a.item)) return *e;
      if (auto e = ex.Init(body, {"ConditionExpression", "UpdateExpression"})) return *e;
      if (kind == "Update") {
        if (auto e = ExpressionText(body, "UpdateExpression", &update_text)) return *e;
        if (!update_text) {
          return Validation("1 validation error detected: Value null at "
                            "'transactItems.member.update.updateExpression' failed to satisfy "
                            "constraint: Member must not be null");
        }
        auto plan = tables::ParseUpdate(*update_text, ex.context());
        if (!plan.ok()) return FromStatus(plan.status());
        a.update = std::move(*plan);
      }
    } else {
      return Validation("TransactItems can only contain one of Check, Put, Update or Delete");
    }
    if (auto e = ParseCondition(body, "ConditionExpression", ExpressionKind::kCondition, ex, &a.condition)) {
      return *e;
    }
    if (kind == "ConditionCheck" && !a.condition) {
      return Validation("1 validation error detected: Value null at "
                        "'transactItems.member.conditionCheck.conditionExpression' failed to "
                        "satisfy constraint: Member must not be null");
    }
    if (auto e = ex.CheckAllUsed()) return *e;
    return_on_failure.push_back(Str(body, "ReturnValuesOnConditionCheckFailure"));
    actions.push_back(std::move(a));
  }
  // The token's idempotency covers the whole request as sent.
  auto outcome = tables_.TransactWrite(std::move(actions), Str(in, "ClientRequestToken"),
                                       Sha256(json::serialize(*list)));
  if (!outcome.ok()) return FromStatus(outcome.status());
  if (outcome->cancelled) {
    json::array reasons;
    std::string summary;
    for (size_t i = 0; i < outcome->reasons.size(); ++i) {
      const std::string& code = outcome->reasons[i];
      json::object r{{"Code", code}};
      if (code == "ConditionalCheckFailed") {
        r["Message"] = "The conditional request failed";
        if (return_on_failure[i] == "ALL_OLD" && outcome->items[i]) {
          r["Item"] = ItemToJson(*outcome->items[i]);
        }
      }
      reasons.push_back(r);
      summary += (i ? ", " : "") + code;
    }
    json::object body{{"__type", "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"},
                      {"Message", "Transaction cancelled, please refer cancellation reasons for "
                                  "specific reasons [" + summary + "]"},
                      {"CancellationReasons", reasons}};
    return {400, json::serialize(body)};
  }
  return Ok(json::object{});
}

Reply DynamoDbFrontend::TransactGetItems(const Object& in) {
  const json::value* list = Member(in, "TransactItems");
  if (!list || !list->is_array() || list->get_array().empty() || list->get_array().size() > 100) {
    return Validation("1 validation error detected: Value null at 'transactItems' failed to satisfy "
                      "constraint: Member must have length less than or equal to 100 and greater "
                      "than or equal to 1");
  }
  json::array responses;
  std::set<std::string> seen;
  for (const auto& entry : list->get_array()) {
    const json::value* get = entry.is_object() ? Member(entry.get_object(), "Get") : nullptr;
    if (!get || !get->is_object()) return Validation("TransactGetItems entries need a Get");
    const json::object& body = get->get_object();
    std::string table;
    if (auto e = RequiredTable(body, &table)) return *e;
    Item key;
    if (auto e = RequiredItem(body, "Key", "key", &key)) return *e;
    if (!seen.insert(table + "\n" + json::serialize(ItemToJson(key))).second) {
      return Validation("Transaction request cannot include multiple operations on one item");
    }
    Expressions ex;
    if (auto e = ex.Init(body, {"ProjectionExpression"})) return *e;
    std::optional<tables::Projection> projection;
    if (auto e = ParseProjection(body, ex, &projection)) return *e;
    if (auto e = ex.CheckAllUsed()) return *e;
    auto item = tables_.GetItem(table, key);
    if (!item.ok()) return FromStatus(item.status());
    json::object r;
    if (*item) r["Item"] = ItemToJson(projection ? tables::Project(*projection, **item) : **item);
    responses.push_back(r);
  }
  return Ok(json::object{{"Responses", responses}});
}

}  // namespace nimbus::aws
