// What DynamoDB's operations share in decoding a request and encoding an
// answer: DynamoDB's validation errors and messages, typed members (a member
// of the wrong JSON type is a SerializationException), the expression
// parameters of an item operation with their placeholders, the enums every
// item operation may carry, and the capacity an answer reports.
//
// Functions return a Status (ok, or the error DynamoDbSpec()'s table maps);
// nothing throws. Stateless; any thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "aws/protocol.h"
#include "core/status.h"
#include "tables/expression.h"
#include "tables/table_schema.h"
#include "tables/table_service.h"
#include "tables/value.h"

namespace nimbus::aws::dynamodb {

namespace json = boost::json;

// A ValidationException, and a SerializationException (a member of the wrong
// JSON type).
Status Validation(std::string message);
Status Serialization(std::string message);
// "1 validation error detected: Value null at 'PATH' failed to satisfy
// constraint: Member must not be null"
Status NotNull(std::string_view path);

// The member `key` when present and not null; nullptr otherwise.
const json::value* Member(const json::object& o, std::string_view key);
// A string member: "" when absent or null; a serialization error when it has
// another type.
Result<std::string> String(const json::object& o, std::string_view key);
// A string member already checked (by String or CheckEnum) as a view: empty
// when absent, null or not a string.
std::string_view Text(const json::object& o, std::string_view key);
// A boolean member: false when absent or null.
Result<bool> Bool(const json::object& o, std::string_view key);

// The placeholders and expressions of one request (or one transaction item).
class Expressions {
 public:
  // Reads ExpressionAttributeNames/Values and checks them; legacy
  // (non-expression) parameters are refused. `expression_params` are the
  // expressions the operation takes.
  Status Init(const json::object& in, std::initializer_list<const char*> expression_params);
  tables::ExpressionContext* context() { return &*context_; }
  // Every name and value placeholder was used by an expression.
  Status CheckAllUsed() { return context_->CheckAllUsed(); }

 private:
  std::optional<tables::ExpressionNames> names_;
  std::optional<tables::ExpressionValues> values_;
  std::optional<tables::ExpressionContext> context_;
};

// An optional expression member's text; an error when present but not a string.
Status ExpressionText(const json::object& in, const char* key, std::optional<std::string>* out);
Status ParseCondition(const json::object& in, const char* key, tables::ExpressionKind kind,
                      Expressions& ex, std::optional<tables::Condition>* out);
Status ParseProjection(const json::object& in, Expressions& ex,
                       std::optional<tables::Projection>* out);

// A required item-shaped member (Item, Key) at `path` in DynamoDB's messages.
Status RequiredItem(const json::object& in, const char* key, const char* path, tables::Item* out);
// The required TableName, with its length constraints.
Status RequiredTable(const json::object& in, std::string* out);
// An optional enum member: DynamoDB's constraint message when the value is
// not one of `allowed`.
Status CheckEnum(const json::object& in, const char* key, const std::string& path,
                 std::initializer_list<const char*> allowed);
// The enum members every item operation may carry (ReturnConsumedCapacity,
// ReturnItemCollectionMetrics, ReturnValuesOnConditionCheckFailure).
Status CheckCommonEnums(const json::object& in);
// ReturnValues against the values `op` accepts.
Status CheckReturnValues(const json::object& in, std::initializer_list<const char*> allowed,
                         const char* op);
// An optional Limit of at least 1.
Status CheckLimit(const json::object& in, int* limit);
// An optional ExclusiveStartKey.
Status StartKey(const json::object& in, std::optional<tables::Item>* out);

// ReturnConsumedCapacity (checked by CheckCommonEnums): DynamoDB's units for
// `table`, added to `out` when asked for.
void AddCapacity(const json::object& in, json::object& out, const std::string& table, double units);
double WriteUnits(size_t bytes);
double ReadUnits(size_t bytes, bool consistent);

// ConditionalCheckFailedException, with the old item when the request asked
// for it (ReturnValuesOnConditionCheckFailure: ALL_OLD).
AwsError ConditionFailed(const json::object& in, const std::optional<tables::Item>& old_item);

// Items as a Query or Scan returns them: projected, or none for COUNT.
json::object ReadPageJson(const tables::ReadPage& page,
                          const std::optional<tables::Projection>& projection, bool count_only);
// A key schema as DescribeTable and DescribeStream show it.
json::array KeySchemaJson(const tables::KeySchema& key);

}  // namespace nimbus::aws::dynamodb
