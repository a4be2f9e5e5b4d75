// DynamoDB's transactions: TransactWriteItems (up to 100 puts, updates,
// deletes and condition checks, all or none, idempotent under a client
// token) and TransactGetItems.
#include <boost/json.hpp>
#include <set>

#include "aws/dynamodb/dynamodb_frontend.h"
#include "aws/dynamodb/dynamodb_request.h"
#include "aws/dynamodb/dynamodb_values.h"
#include "core/crypto.h"
#include "core/strings.h"

namespace nimbus::aws {

using namespace dynamodb;  // NOLINT(google-build-using-namespace): the frontend's own helpers
using tables::ExpressionKind;
using tables::Item;

namespace {

Status OneOfEach() {
  return Validation("TransactItems can only contain one of Check, Put, Update or Delete");
}

// One element of TransactWriteItems: {"Put" | "Update" | "Delete" |
// "ConditionCheck": {...}}, the `index`th (from 1); `return_old` is whether
// it asks for the item when its condition fails.
Status ParseWriteElement(const json::value& entry, size_t index, tables::TransactAction* a,
                         bool* return_old) {
  if (!entry.is_object()) return Serialization("TransactItems must hold maps");
  const json::object& eo = entry.get_object();
  if (eo.size() != 1) return OneOfEach();
  const auto& [kind_sv, body_v] = *eo.begin();
  std::string_view kind = kind_sv;
  if (kind != "Put" && kind != "Update" && kind != "Delete" && kind != "ConditionCheck") {
    return OneOfEach();
  }
  if (!body_v.is_object()) return Serialization(std::string(kind) + " must be a map");
  const json::object& body = body_v.get_object();
  RETURN_IF_ERROR(RequiredTable(body, &a->table));
  std::string member = kind == "ConditionCheck"
                           ? "conditionCheck"
                           : ToLower(std::string(kind.substr(0, 1))) + std::string(kind.substr(1));
  RETURN_IF_ERROR(CheckEnum(body, "ReturnValuesOnConditionCheckFailure",
                            "transactItems." + std::to_string(index) + ".member." + member +
                                ".returnValuesOnConditionCheckFailure",
                            {"ALL_OLD", "NONE"}));
  *return_old = Text(body, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD";
  Expressions ex;
  if (kind == "Put") {
    a->kind = tables::TransactAction::Kind::kPut;
    RETURN_IF_ERROR(RequiredItem(body, "Item", "item", &a->item));
    RETURN_IF_ERROR(ex.Init(body, {"ConditionExpression"}));
  } else {
    a->kind = kind == "Delete"   ? tables::TransactAction::Kind::kDelete
              : kind == "Update" ? tables::TransactAction::Kind::kUpdate
                                 : tables::TransactAction::Kind::kConditionCheck;
    RETURN_IF_ERROR(RequiredItem(body, "Key", "key", &a->item));
    RETURN_IF_ERROR(ex.Init(body, {"ConditionExpression", "UpdateExpression"}));
    if (kind == "Update") {
      std::optional<std::string> update_text;
      RETURN_IF_ERROR(ExpressionText(body, "UpdateExpression", &update_text));
      if (!update_text) return NotNull("transactItems.member.update.updateExpression");
      ASSIGN_OR_RETURN(a->update, tables::ParseUpdate(*update_text, ex.context()));
    }
  }
  RETURN_IF_ERROR(
      ParseCondition(body, "ConditionExpression", ExpressionKind::kCondition, ex, &a->condition));
  if (kind == "ConditionCheck" && !a->condition) {
    return NotNull("transactItems.member.conditionCheck.conditionExpression");
  }
  return ex.CheckAllUsed();
}

// TransactionCanceledException: each element's reason, with the item of a
// failed condition when its element asked for it.
AwsError Cancelled(const tables::TransactOutcome& outcome, const std::vector<bool>& return_old) {
  json::array reasons;
  std::string summary;
  for (size_t i = 0; i < outcome.reasons.size(); ++i) {
    const std::string& code = outcome.reasons[i];
    json::object r{{"Code", code}};
    if (code == "ConditionalCheckFailed") {
      r["Message"] = "The conditional request failed";
      if (i < return_old.size() && return_old[i] && i < outcome.items.size() && outcome.items[i]) {
        r["Item"] = ItemToJson(*outcome.items[i]);
      }
    }
    reasons.push_back(std::move(r));
    summary += (i ? ", " : "") + code;
  }
  AwsError e{400, "TransactionCanceledException",
             "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
                 summary + "]"};
  e.fields["CancellationReasons"] = std::move(reasons);
  return e;
}

}  // namespace

DynamoDbFrontend::Answer DynamoDbFrontend::TransactWriteItems(const Object& in) {
  const json::value* list = Member(in, "TransactItems");
  if (!list || !list->is_array()) return NotNull("transactItems");
  const json::array& items = list->get_array();
  if (items.empty() || items.size() > 100) {
    return Validation(
        "1 validation error detected: Value '[...]' at 'transactItems' failed to "
        "satisfy constraint: Member must have length less than or equal to 100 and "
        "greater than or equal to 1");
  }
  ASSIGN_OR_RETURN(std::string token, String(in, "ClientRequestToken"));
  std::vector<tables::TransactAction> actions;
  std::vector<bool> return_old;
  actions.reserve(items.size());
  for (const auto& entry : items) {
    tables::TransactAction a;
    bool old = false;
    RETURN_IF_ERROR(ParseWriteElement(entry, actions.size() + 1, &a, &old));
    actions.push_back(std::move(a));
    return_old.push_back(old);
  }
  // The token's idempotency covers the whole request as sent.
  std::string digest = token.empty() ? std::string() : Sha256(json::serialize(*list));
  ASSIGN_OR_RETURN(tables::TransactOutcome outcome,
                   tables_.TransactWrite(std::move(actions), token, digest));
  if (outcome.cancelled) return Cancelled(outcome, return_old);
  return json::object{};
}

DynamoDbFrontend::Answer DynamoDbFrontend::TransactGetItems(const Object& in) {
  const json::value* list = Member(in, "TransactItems");
  if (!list || !list->is_array() || list->get_array().empty() || list->get_array().size() > 100) {
    return Validation(
        "1 validation error detected: Value null at 'transactItems' failed to "
        "satisfy constraint: Member must have length less than or equal to 100 and "
        "greater than or equal to 1");
  }
  json::array responses;
  std::set<std::string> seen;
  for (const auto& entry : list->get_array()) {
    const json::value* get = entry.is_object() ? Member(entry.get_object(), "Get") : nullptr;
    if (!get || !get->is_object()) return Validation("TransactGetItems entries need a Get");
    const json::object& body = get->get_object();
    std::string table;
    RETURN_IF_ERROR(RequiredTable(body, &table));
    Item key;
    RETURN_IF_ERROR(RequiredItem(body, "Key", "key", &key));
    if (!seen.insert(table + "\n" + json::serialize(ItemToJson(key))).second) {
      return Validation("Transaction request cannot include multiple operations on one item");
    }
    Expressions ex;
    RETURN_IF_ERROR(ex.Init(body, {"ProjectionExpression"}));
    std::optional<tables::Projection> projection;
    RETURN_IF_ERROR(ParseProjection(body, ex, &projection));
    RETURN_IF_ERROR(ex.CheckAllUsed());
    ASSIGN_OR_RETURN(std::optional<Item> item, tables_.GetItem(table, key));
    json::object r;
    if (item) r["Item"] = ItemToJson(projection ? tables::Project(*projection, *item) : *item);
    responses.push_back(std::move(r));
  }
  return json::object{{"Responses", std::move(responses)}};
}

}  // namespace nimbus::aws
