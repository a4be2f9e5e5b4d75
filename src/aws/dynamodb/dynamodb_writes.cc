// DynamoDB's single-item writes: PutItem, UpdateItem and DeleteItem, with
// their conditions, return values and consumed capacity.
#include <boost/json.hpp>

#include "aws/dynamodb/dynamodb_frontend.h"
#include "aws/dynamodb/dynamodb_request.h"
#include "aws/dynamodb/dynamodb_values.h"

namespace nimbus::aws {

using namespace dynamodb;  // NOLINT(google-build-using-namespace): the frontend's own helpers
using tables::ExpressionKind;
using tables::Item;

namespace {

// What PutItem and DeleteItem take besides their item or key: ReturnValues
// (NONE or ALL_OLD) and an optional ConditionExpression with its names and
// values, every one of them used.
Status ParseSimpleWrite(const json::object& in, const char* op,
                        std::optional<tables::Condition>* condition) {
  RETURN_IF_ERROR(CheckReturnValues(in, {"NONE", "ALL_OLD"}, op));
  Expressions ex;
  RETURN_IF_ERROR(ex.Init(in, {"ConditionExpression"}));
  RETURN_IF_ERROR(
      ParseCondition(in, "ConditionExpression", ExpressionKind::kCondition, ex, condition));
  return ex.CheckAllUsed();
}

// PutItem's and DeleteItem's answer: the failed condition, or the old item
// when asked for, and the capacity for `bytes` written.
Answer SimpleWriteAnswer(const json::object& in, const std::string& table,
                         const Result<tables::WriteOutcome>& r, size_t bytes) {
  if (!r.ok()) return r.status();
  if (r->condition_failed) return ConditionFailed(in, r->old_item);
  json::object out;
  if (Text(in, "ReturnValues") == "ALL_OLD" && r->old_item) {
    out["Attributes"] = ItemToJson(*r->old_item);
  }
  AddCapacity(in, out, table, WriteUnits(bytes));
  return out;
}

}  // namespace

DynamoDbFrontend::Answer DynamoDbFrontend::PutItem(const Object& in) {
  std::string table;
  RETURN_IF_ERROR(RequiredTable(in, &table));
  RETURN_IF_ERROR(CheckCommonEnums(in));
  Item item;
  RETURN_IF_ERROR(RequiredItem(in, "Item", "item", &item));
  std::optional<tables::Condition> condition;
  RETURN_IF_ERROR(ParseSimpleWrite(in, "PutItem", &condition));
  size_t bytes = tables::ItemSize(item);
  auto r = tables_.PutItem(table, std::move(item), condition ? &*condition : nullptr);
  return SimpleWriteAnswer(in, table, r, bytes);
}

DynamoDbFrontend::Answer DynamoDbFrontend::UpdateItem(const Object& in) {
  std::string table;
  RETURN_IF_ERROR(RequiredTable(in, &table));
  RETURN_IF_ERROR(CheckCommonEnums(in));
  Item key;
  RETURN_IF_ERROR(RequiredItem(in, "Key", "key", &key));
  RETURN_IF_ERROR(CheckReturnValues(
      in, {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"}, "UpdateItem"));
  Expressions ex;
  RETURN_IF_ERROR(ex.Init(in, {"UpdateExpression", "ConditionExpression"}));
  std::optional<std::string> update_text;
  RETURN_IF_ERROR(ExpressionText(in, "UpdateExpression", &update_text));
  std::optional<tables::UpdatePlan> plan;
  if (update_text) {
    ASSIGN_OR_RETURN(plan, tables::ParseUpdate(*update_text, ex.context()));
  }
  std::optional<tables::Condition> condition;
  RETURN_IF_ERROR(
      ParseCondition(in, "ConditionExpression", ExpressionKind::kCondition, ex, &condition));
  RETURN_IF_ERROR(ex.CheckAllUsed());
  ASSIGN_OR_RETURN(tables::WriteOutcome r, tables_.UpdateItem(table, key, plan ? &*plan : nullptr,
                                                              condition ? &*condition : nullptr));
  if (r.condition_failed) return ConditionFailed(in, r.old_item);
  json::object out;
  std::string_view rv = Text(in, "ReturnValues");
  std::optional<Item> attrs;
  if (rv == "ALL_OLD" && r.old_item) attrs = std::move(*r.old_item);
  if (rv == "ALL_NEW" && r.new_item) attrs = *r.new_item;
  if (rv == "UPDATED_OLD" && r.old_item) attrs = tables::ProjectPaths(r.updated_paths, *r.old_item);
  if (rv == "UPDATED_NEW" && r.new_item) attrs = tables::ProjectPaths(r.updated_paths, *r.new_item);
  if (attrs && !attrs->empty()) out["Attributes"] = ItemToJson(*attrs);
  AddCapacity(in, out, table, WriteUnits(r.new_item ? tables::ItemSize(*r.new_item) : 0));
  return out;
}

DynamoDbFrontend::Answer DynamoDbFrontend::DeleteItem(const Object& in) {
  std::string table;
  RETURN_IF_ERROR(RequiredTable(in, &table));
  RETURN_IF_ERROR(CheckCommonEnums(in));
  Item key;
  RETURN_IF_ERROR(RequiredItem(in, "Key", "key", &key));
  std::optional<tables::Condition> condition;
  RETURN_IF_ERROR(ParseSimpleWrite(in, "DeleteItem", &condition));
  auto r = tables_.DeleteItem(table, key, condition ? &*condition : nullptr);
  return SimpleWriteAnswer(in, table, r,
                           r.ok() && r->old_item ? tables::ItemSize(*r->old_item) : 0);
}

}  // namespace nimbus::aws
