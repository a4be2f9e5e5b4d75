// DynamoDB's JSON AttributeValue ({"S": "x"}, {"N": "1.5"}, {"M": {...}}...)
// and its conversion to and from the table store's tables::Value.
//
// Decoding validates as DynamoDB does and fails with its messages. Errors
// DynamoDB reports as a SerializationException (a member of the wrong JSON
// type, malformed base64) carry reason() == kSerializationReason; every
// other error is a ValidationException. All are InvalidArgument. Stateless
// functions; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "aws/codecs.h"
#include "core/status.h"
#include "tables/expression.h"
#include "tables/value.h"

namespace nimbus::aws {

// One AttributeValue; its nesting is counted from 1 (a top-level attribute).
Result<tables::Value> ValueFromJson(const boost::json::value& json);
boost::json::value ValueToJson(const tables::Value& value);

// An Item, Key or similar map of attribute names to AttributeValues.
Result<tables::Item> ItemFromJson(const boost::json::object& json);
boost::json::object ItemToJson(const tables::Item& item);

// ExpressionAttributeNames and ExpressionAttributeValues with their own
// checks ("must not be empty", "contains invalid key: Syntax error; key:
// \"a\"", and for values "contains invalid value: <reason> for key :v").
Result<tables::ExpressionNames> ExpressionNamesFromJson(const boost::json::object& json);
Result<tables::ExpressionValues> ExpressionValuesFromJson(const boost::json::object& json);

}  // namespace nimbus::aws
