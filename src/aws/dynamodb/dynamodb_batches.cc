// DynamoDB's batches: BatchGetItem (up to 100 keys over any tables) and
// BatchWriteItem (up to 25 puts and deletes, written at once).
#include <boost/json.hpp>
#include <set>

#include "aws/dynamodb/dynamodb_frontend.h"
#include "aws/dynamodb/dynamodb_request.h"
#include "aws/dynamodb/dynamodb_values.h"

namespace nimbus::aws {

using namespace dynamodb;  // NOLINT(google-build-using-namespace): the frontend's own helpers
using tables::Item;

namespace {

// RequestItems: required, a map.
Result<const json::object*> RequestItems(const json::object& in) {
  const json::value* req = Member(in, "RequestItems");
  if (!req) return NotNull("requestItems");
  if (!req->is_object()) return Serialization("RequestItems must be a map");
  return &req->get_object();
}

Status EmptyRequestItems() {
  return Validation(
      "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy "
      "constraint: Member must have length greater than or equal to 1");
}

// A key as the duplicate checks compare it, within `table`.
std::string KeyIdentity(std::string_view table, const Item& key) {
  std::string id(table);
  id += '\n';
  id += json::serialize(ItemToJson(key));
  return id;
}

}  // namespace

DynamoDbFrontend::Answer DynamoDbFrontend::BatchGetItem(const Object& in) {
  ASSIGN_OR_RETURN(const json::object* request, RequestItems(in));
  if (request->empty()) return EmptyRequestItems();
  size_t total = 0;
  json::object responses;
  for (const auto& [table_sv, spec] : *request) {
    std::string table(table_sv);
    if (!spec.is_object()) return Serialization("RequestItems values must be maps");
    const json::object& so = spec.get_object();
    const json::value* keys = Member(so, "Keys");
    if (!keys || !keys->is_array() || keys->get_array().empty()) {
      return NotNull("requestItems." + table + ".member.keys");
    }
    total += keys->get_array().size();
    if (total > 100) return Validation("Too many items requested for the BatchGetItem call");
    Expressions ex;
    RETURN_IF_ERROR(ex.Init(so, {"ProjectionExpression"}));
    std::optional<tables::Projection> projection;
    RETURN_IF_ERROR(ParseProjection(so, ex, &projection));
    RETURN_IF_ERROR(ex.CheckAllUsed());
    auto schema = tables_.DescribeTable(table);
    if (!schema.ok()) return NotFound("Requested resource not found");
    std::set<std::string> seen;
    std::vector<Item> parsed;
    parsed.reserve(keys->get_array().size());
    for (const auto& kv : keys->get_array()) {
      if (!kv.is_object()) return Serialization("Keys must hold maps");
      ASSIGN_OR_RETURN(Item key, ItemFromJson(kv.get_object()));
      RETURN_IF_ERROR(tables_.ValidateKey(*schema, key));
      if (!seen.insert(KeyIdentity({}, key)).second) {
        return Validation("Provided list of item keys contains duplicates");
      }
      parsed.push_back(std::move(key));
    }
    json::array items;
    for (const auto& key : parsed) {
      ASSIGN_OR_RETURN(std::optional<Item> item, tables_.GetItem(table, key));
      if (item)
        items.push_back(ItemToJson(projection ? tables::Project(*projection, *item) : *item));
    }
    responses[table] = std::move(items);
  }
  return json::object{{"Responses", std::move(responses)}, {"UnprocessedKeys", json::object{}}};
}

DynamoDbFrontend::Answer DynamoDbFrontend::BatchWriteItem(const Object& in) {
  ASSIGN_OR_RETURN(const json::object* request, RequestItems(in));
  std::vector<std::pair<std::string, std::pair<bool, Item>>> writes;
  std::set<std::string> seen;
  for (const auto& [table_sv, list] : *request) {
    std::string table(table_sv);
    if (!list.is_array() || list.get_array().empty()) {
      return Validation("1 validation error detected: Value null at 'requestItems." + table +
                        ".member' failed to satisfy constraint: Member must have length greater "
                        "than or equal to 1");
    }
    auto schema = tables_.DescribeTable(table);
    if (!schema.ok()) return NotFound("Requested resource not found");
    for (const auto& w : list.get_array()) {
      if (!w.is_object()) return Serialization("write requests must be maps");
      const json::value* put = Member(w.get_object(), "PutRequest");
      const json::value* del = Member(w.get_object(), "DeleteRequest");
      if ((put == nullptr) == (del == nullptr)) {
        return Validation(
            "Supplied AttributeValue has more than one datatypes set, must contain "
            "exactly one of the supported datatypes");
      }
      Item item;
      if (put) {
        if (!put->is_object()) return Serialization("PutRequest must be a map");
        RETURN_IF_ERROR(RequiredItem(put->get_object(), "Item", "item", &item));
        const tables::KeySchema& ks = schema->key;
        Item k;
        for (const std::string* name : {&ks.hash.name, ks.range ? &ks.range->name : nullptr}) {
          if (name == nullptr) continue;
          if (auto it = item.find(*name); it != item.end()) k.emplace(*name, it->second);
        }
        if (!seen.insert(KeyIdentity(table, k)).second) {
          return Validation("Provided list of item keys contains duplicates");
        }
      } else {
        if (!del->is_object()) return Serialization("DeleteRequest must be a map");
        RETURN_IF_ERROR(RequiredItem(del->get_object(), "Key", "key", &item));
        RETURN_IF_ERROR(tables_.ValidateKey(*schema, item));
        if (!seen.insert(KeyIdentity(table, item)).second) {
          return Validation("Provided list of item keys contains duplicates");
        }
      }
      writes.push_back({table, {put != nullptr, std::move(item)}});
    }
  }
  if (writes.size() > 25) {
    return Validation("Too many items requested for the BatchWriteItem call");
  }
  if (writes.empty()) return EmptyRequestItems();
  RETURN_IF_ERROR(tables_.BatchWrite(writes));
  return json::object{{"UnprocessedItems", json::object{}}};
}

}  // namespace nimbus::aws
