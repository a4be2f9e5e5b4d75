// DynamoDB's reads: GetItem, Query and Scan, with their projections,
// filters, Select, pagination and consumed capacity.
#include <boost/json.hpp>
#include <set>

#include "aws/dynamodb/dynamodb_frontend.h"
#include "aws/dynamodb/dynamodb_request.h"
#include "aws/dynamodb/dynamodb_values.h"

namespace nimbus::aws {

using namespace dynamodb;  // NOLINT(google-build-using-namespace): the frontend's own helpers
using tables::ExpressionKind;
using tables::Item;

namespace {

// Select against a projection, as Query and Scan check it (`what` is
// "Querying" or "Scanning").
Status CheckSelect(std::string_view select, bool projection, bool index, const char* what) {
  if (projection && !select.empty() && select != "SPECIFIC_ATTRIBUTES") {
    return Validation("Cannot specify the ProjectionExpression when choosing to get " +
                      std::string(select));
  }
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !index) {
    return Validation(std::string("ALL_PROJECTED_ATTRIBUTES can be used only when ") + what +
                      " using an IndexName");
  }
  if (select == "SPECIFIC_ATTRIBUTES" && !projection) {
    return Validation(
        "Must specify the AttributesToGet or ProjectionExpression when choosing to "
        "get SPECIFIC_ATTRIBUTES");
  }
  return Status::Ok();
}

// A Query's or Scan's page with the capacity its items cost.
json::object PageAnswer(const json::object& in, const std::string& table,
                        const tables::ReadPage& page,
                        const std::optional<tables::Projection>& projection, bool count_only,
                        bool consistent) {
  json::object out = ReadPageJson(page, projection, count_only);
  size_t bytes = 0;
  for (const auto& item : page.items) bytes += tables::ItemSize(item);
  AddCapacity(in, out, table, ReadUnits(bytes, consistent));
  return out;
}

}  // namespace

DynamoDbFrontend::Answer DynamoDbFrontend::GetItem(const Object& in) {
  std::string table;
  RETURN_IF_ERROR(RequiredTable(in, &table));
  RETURN_IF_ERROR(CheckCommonEnums(in));
  Item key;
  RETURN_IF_ERROR(RequiredItem(in, "Key", "key", &key));
  Expressions ex;
  RETURN_IF_ERROR(ex.Init(in, {"ProjectionExpression"}));
  std::optional<tables::Projection> projection;
  RETURN_IF_ERROR(ParseProjection(in, ex, &projection));
  RETURN_IF_ERROR(ex.CheckAllUsed());
  ASSIGN_OR_RETURN(bool consistent, Bool(in, "ConsistentRead"));
  ASSIGN_OR_RETURN(std::optional<Item> item, tables_.GetItem(table, key));
  json::object out;
  size_t bytes = 0;
  if (item) {
    bytes = tables::ItemSize(*item);
    out["Item"] = ItemToJson(projection ? tables::Project(*projection, *item) : *item);
  }
  AddCapacity(in, out, table, ReadUnits(bytes, consistent));
  return out;
}

DynamoDbFrontend::Answer DynamoDbFrontend::Query(const Object& in) {
  std::string table;
  RETURN_IF_ERROR(RequiredTable(in, &table));
  RETURN_IF_ERROR(CheckCommonEnums(in));
  ASSIGN_OR_RETURN(std::string index_name, String(in, "IndexName"));
  auto schema = tables_.DescribeTable(table);
  if (!schema.ok()) return NotFound("Requested resource not found");
  const tables::IndexSchema* index = nullptr;
  if (!index_name.empty()) {
    index = schema->FindIndex(index_name);
    if (!index) return Validation("The table does not have the specified index: " + index_name);
  }
  Expressions ex;
  RETURN_IF_ERROR(
      ex.Init(in, {"KeyConditionExpression", "FilterExpression", "ProjectionExpression"}));
  std::optional<std::string> kc_text;
  RETURN_IF_ERROR(ExpressionText(in, "KeyConditionExpression", &kc_text));
  if (!kc_text) {
    return Validation(
        "Either the KeyConditions or KeyConditionExpression parameter must be "
        "specified in the request.");
  }
  const tables::KeySchema& key = index ? index->key : schema->key;
  ASSIGN_OR_RETURN(auto kc, tables::ParseKeyCondition(*kc_text, key, ex.context()));
  std::optional<tables::Condition> filter;
  RETURN_IF_ERROR(ParseCondition(in, "FilterExpression", ExpressionKind::kFilter, ex, &filter));
  if (filter) {
    std::set<std::string> keys = {key.hash.name};
    if (key.range) keys.insert(key.range->name);
    for (const auto& a : tables::TopLevelAttributes(*filter)) {
      if (keys.count(a)) {
        return Validation(
            "Filter Expression can only contain non-primary key attributes: "
            "Primary key attribute: " +
            a);
      }
    }
  }
  std::optional<tables::Projection> projection;
  RETURN_IF_ERROR(ParseProjection(in, ex, &projection));
  RETURN_IF_ERROR(ex.CheckAllUsed());
  ASSIGN_OR_RETURN(std::string select, String(in, "Select"));
  if (!select.empty() && select != "ALL_ATTRIBUTES" && select != "ALL_PROJECTED_ATTRIBUTES" &&
      select != "SPECIFIC_ATTRIBUTES" && select != "COUNT") {
    return Validation(
        "1 validation error detected: Value '" + select +
        "' at 'select' failed to satisfy constraint: Member must satisfy enum value "
        "set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
  }
  RETURN_IF_ERROR(CheckSelect(select, projection.has_value(), index != nullptr, "Querying"));
  tables::QueryRequest q;
  q.table = table;
  q.index = index_name;
  q.key_condition = std::move(kc);
  q.filter = filter ? &*filter : nullptr;
  ASSIGN_OR_RETURN(std::optional<bool> forward, JsonMembers(in).Bool("ScanIndexForward"));
  q.forward = forward.value_or(true);
  RETURN_IF_ERROR(CheckLimit(in, &q.limit));
  RETURN_IF_ERROR(StartKey(in, &q.exclusive_start_key));
  ASSIGN_OR_RETURN(q.consistent_read, Bool(in, "ConsistentRead"));
  if (index && index->projection != tables::ProjectionType::kAll &&
      (select == "ALL_ATTRIBUTES" || projection)) {
    if (index->global) {
      if (select == "ALL_ATTRIBUTES") {
        return Validation(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES "
            "is not supported for global secondary index " +
            index_name + " because its projection type is not ALL");
      }
    } else {
      q.fetch_table_items = true;  // a local index reads the table for other attributes
    }
  }
  ASSIGN_OR_RETURN(tables::ReadPage page, tables_.Query(q));
  return PageAnswer(in, table, page, projection, select == "COUNT", q.consistent_read);
}

DynamoDbFrontend::Answer DynamoDbFrontend::Scan(const Object& in) {
  std::string table;
  RETURN_IF_ERROR(RequiredTable(in, &table));
  RETURN_IF_ERROR(CheckCommonEnums(in));
  Expressions ex;
  RETURN_IF_ERROR(ex.Init(in, {"FilterExpression", "ProjectionExpression"}));
  std::optional<tables::Condition> filter;
  RETURN_IF_ERROR(ParseCondition(in, "FilterExpression", ExpressionKind::kFilter, ex, &filter));
  std::optional<tables::Projection> projection;
  RETURN_IF_ERROR(ParseProjection(in, ex, &projection));
  RETURN_IF_ERROR(ex.CheckAllUsed());
  RETURN_IF_ERROR(
      CheckEnum(in, "Select", "select",
                {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"}));
  std::string_view select = Text(in, "Select");
  ASSIGN_OR_RETURN(std::string index_name, String(in, "IndexName"));
  RETURN_IF_ERROR(CheckSelect(select, projection.has_value(), !index_name.empty(), "Scanning"));
  tables::ScanRequest q;
  q.table = table;
  q.index = std::move(index_name);
  q.filter = filter ? &*filter : nullptr;
  RETURN_IF_ERROR(CheckLimit(in, &q.limit));
  const json::value* segment = Member(in, "Segment");
  const json::value* total = Member(in, "TotalSegments");
  if ((segment && !segment->is_int64()) || (total && !total->is_int64())) {
    return Serialization("Segment and TotalSegments must be integers");
  }
  if (total && (total->get_int64() < 1 || total->get_int64() > 1000000)) {
    return Validation(
        "1 validation error detected: Value '" + std::to_string(total->get_int64()) +
        "' at 'totalSegments' failed to satisfy constraint: Member must have value " +
        (total->get_int64() < 1 ? "greater than or equal to 1" : "less than or equal to 1000000"));
  }
  if (segment && (segment->get_int64() < 0 || segment->get_int64() > 999999)) {
    return Validation(
        "1 validation error detected: Value '" + std::to_string(segment->get_int64()) +
        "' at 'segment' failed to satisfy constraint: Member must have value " +
        (segment->get_int64() < 0 ? "greater than or equal to 0" : "less than or equal to 999999"));
  }
  if ((segment == nullptr) != (total == nullptr)) {
    return Validation(std::string("The ") + (segment ? "TotalSegments" : "Segment") +
                      " parameter is required but was not present in the request when parameter " +
                      (segment ? "Segment" : "TotalSegments") + " is present");
  }
  if (segment) {
    if (segment->get_int64() >= total->get_int64()) {
      return Validation(
          "The Segment parameter is zero-based and must be less than parameter "
          "TotalSegments: Segment: " +
          std::to_string(segment->get_int64()) +
          " is not less than TotalSegments: " + std::to_string(total->get_int64()));
    }
    q.segment = static_cast<int>(segment->get_int64());
    q.total_segments = static_cast<int>(total->get_int64());
  }
  RETURN_IF_ERROR(StartKey(in, &q.exclusive_start_key));
  ASSIGN_OR_RETURN(q.consistent_read, Bool(in, "ConsistentRead"));
  ASSIGN_OR_RETURN(tables::ReadPage page, tables_.Scan(q));
  return PageAnswer(in, table, page, projection, select == "COUNT", q.consistent_read);
}

}  // namespace nimbus::aws
