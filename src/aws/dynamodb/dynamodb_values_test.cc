#include "aws/dynamodb/dynamodb_values.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace nimbus::aws {
namespace {

namespace json = boost::json;
using tables::Decimal;
using tables::Value;

// Deeper than boost's default of 32: each level of an M takes two JSON levels.
json::value Parse(const std::string& text) {
  json::parse_options options;
  options.max_depth = 1000;
  return json::parse(text, {}, options);
}

Result<Value> FromText(const std::string& text) {
  return ValueFromJson(Parse(text));
}

std::string Error(const std::string& text) {
  auto v = FromText(text);
  EXPECT_FALSE(v.ok()) << text;
  if (v.ok()) return "";
  EXPECT_EQ(v.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(v.status().reason(), "") << text << " should be a validation error";
  return v.status().message();
}

std::string SerializationError(const std::string& text) {
  auto v = FromText(text);
  EXPECT_FALSE(v.ok()) << text;
  if (v.ok()) return "";
  EXPECT_EQ(v.status().reason(), kSerializationReason) << text;
  return v.status().message();
}

std::string Nested(int wraps) {
  std::string text = "{\"S\":\"x\"}";
  for (int i = 0; i < wraps; ++i) text = "{\"M\":{\"k\":" + text + "}}";
  return text;
}

TEST(DynamoDbValuesTest, RoundTripsEveryType) {
  const char* texts[] = {
      R"({"S":"hello"})",
      R"({"S":""})",
      R"({"N":"-12.5"})",
      R"({"B":"AAH/"})",
      R"({"B":""})",
      R"({"BOOL":true})",
      R"({"BOOL":false})",
      R"({"NULL":true})",
      R"({"M":{"a":{"N":"1"},"b":{"L":[{"S":"x"},{"NULL":true}]}}})",
      R"({"M":{}})",
      R"({"L":[]})",
      R"({"SS":["a","b",""]})",
      R"({"NS":["1","-2","3.5"]})",
      R"({"BS":["YQ==","Yg=="]})",
  };
  for (const char* text : texts) {
    auto v = FromText(text);
    ASSERT_TRUE(v.ok()) << text << ": " << v.status().message();
    auto back = ValueFromJson(ValueToJson(*v));
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, *v) << text;
  }
  EXPECT_EQ(FromText(R"({"B":"AAH/"})")->b(), std::string("\x00\x01\xff", 3));
}

TEST(DynamoDbValuesTest, NumbersComeBackCanonical) {
  EXPECT_EQ(json::serialize(ValueToJson(*FromText(R"({"N":"1.50"})"))), R"({"N":"1.5"})");
  EXPECT_EQ(json::serialize(ValueToJson(*FromText(R"({"N":"1e3"})"))), R"({"N":"1000"})");
  EXPECT_EQ(json::serialize(ValueToJson(*FromText(R"({"N":"-0"})"))), R"({"N":"0"})");
  EXPECT_EQ(json::serialize(ValueToJson(*FromText(R"({"NS":["10","2","1.0"]})"))),
            R"({"NS":["1","2","10"]})");
}

TEST(DynamoDbValuesTest, ValidationErrors) {
  const std::string invalid = "One or more parameter values were invalid: ";
  EXPECT_EQ(
      Error("{}"),
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(
      Error(R"({"a":""})"),
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(
      Error(R"({"S":null})"),
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(
      Error(R"({"M":{"a":{}}})"),
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(
      Error(R"({"L":[{}]})"),
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(Error(R"({"S":"a","N":"1"})"),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
  EXPECT_EQ(Error(R"({"S":"a","N":"b"})"),
            "The parameter cannot be converted to a numeric value: b");
  EXPECT_EQ(Error(R"({"S":"a","N":""})"), "The parameter cannot be converted to a numeric value");
  EXPECT_EQ(
      Error(R"({"N":"1e126"})"),
      "Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(Error(R"({"NULL":false})"),
            invalid + "Null attribute value types must have the value of true");
  EXPECT_EQ(Error(R"({"SS":[]})"), invalid + "An string set  may not be empty");
  EXPECT_EQ(Error(R"({"NS":[]})"), invalid + "An number set  may not be empty");
  EXPECT_EQ(Error(R"({"BS":[]})"), invalid + "Binary sets should not be empty");
  EXPECT_EQ(Error(R"({"SS":["a","a"]})"), invalid + "Input collection [a, a] contains duplicates.");
  EXPECT_EQ(Error(R"({"BS":["Yg==","Yg=="]})"),
            invalid + "Input collection [Yg==, Yg==]of type BS contains duplicates.");
  EXPECT_EQ(Error(R"({"NS":["1","1.0"]})"), "Input collection contains duplicates");
  EXPECT_EQ(Error(R"({"NS":["1",""]})"), "The parameter cannot be converted to a numeric value");
  EXPECT_EQ(Error(R"({"NS":["1","b"]})"),
            "The parameter cannot be converted to a numeric value: b");
  EXPECT_EQ(Error(R"({"M":{"x":{"L":[{"NULL":false}]}}})"),
            invalid + "Null attribute value types must have the value of true");
}

TEST(DynamoDbValuesTest, NestingLimit) {
  EXPECT_TRUE(FromText(Nested(31)).ok());
  EXPECT_EQ(Error(Nested(32)),
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
            "levels beyond supported limit");
  EXPECT_FALSE(FromText(Nested(200)).ok());
}

TEST(DynamoDbValuesTest, SerializationErrors) {
  const std::string number = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
  EXPECT_EQ(SerializationError(R"({"S":5})"), number + " can not be converted to an String");
  EXPECT_EQ(SerializationError(R"({"N":123})"), number + " can not be converted to an String");
  EXPECT_EQ(SerializationError(R"({"S":true})"),
            "class java.lang.Boolean can not be converted to an String");
  EXPECT_EQ(SerializationError(R"({"S":{}})"),
            "Start of structure or map found where not expected.");
  EXPECT_EQ(SerializationError(R"({"S":[]})"), "Start of list found where not expected");
  EXPECT_EQ(SerializationError(R"({"B":"abc"})"),
            "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple "
            "of 4 bytes but found: 3");
  EXPECT_EQ(SerializationError(R"({"B":"ab!="})"),
            "'ab!=' can not be converted to a Blob: Invalid Base64 character: '!'");
  EXPECT_EQ(SerializationError(R"({"B":"a=bc"})"),
            "'a=bc' can not be converted to a Blob: Invalid Base64 character: '='");
  EXPECT_EQ(
      SerializationError(R"({"B":"YR=="})"),
      "'YR==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(SerializationError(R"({"B":1})"), number + " can not be converted to a Blob");
  EXPECT_EQ(SerializationError(R"({"BOOL":"maybe"})"),
            "'MAYBE' can not be converted to an Boolean");
  EXPECT_EQ(SerializationError(R"({"BOOL":1})"), number + " can not be converted to an Boolean");
  EXPECT_EQ(SerializationError(R"({"SS":"a"})"), "Expected list or null");
  EXPECT_EQ(SerializationError(R"({"SS":{}})"),
            "Start of structure or map found where not expected.");
  EXPECT_EQ(SerializationError(R"({"SS":[1]})"), number + " can not be converted to an String");
  EXPECT_EQ(SerializationError(R"({"BS":["abc"]})"),
            "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple "
            "of 4 bytes but found: 3");
  EXPECT_EQ(SerializationError(R"({"L":"x"})"), "Expected list or null");
  EXPECT_EQ(SerializationError(R"({"M":[]})"), "Start of list found where not expected");
  EXPECT_EQ(SerializationError(R"({"M":1})"), "Expected map or null");
  EXPECT_EQ(SerializationError(R"("x")"), "Expected null");
  EXPECT_EQ(SerializationError(R"([])"), "Start of list found where not expected");
  EXPECT_EQ(SerializationError(R"({"L":[{"M":{"a":{"S":1}}}]})"),
            number + " can not be converted to an String");
  // Booleans written as strings are accepted, as DynamoDB's deserializer does.
  EXPECT_EQ(*FromText(R"({"BOOL":"yes"})"), Value::Bool(true));
  EXPECT_EQ(*FromText(R"({"NULL":"TRUE"})"), Value::Null());
}

TEST(DynamoDbValuesTest, Items) {
  auto item =
      ItemFromJson(json::parse(R"({"pk":{"S":"u#1"},"n":{"N":"5"},"m":{"M":{}}})").as_object());
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->size(), 3u);
  EXPECT_EQ(item->at("n"), Value::N(*Decimal::Parse("5")));
  auto back = ItemFromJson(ItemToJson(*item));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *item);
  // Serialization problems anywhere win over validation problems anywhere.
  auto bad = ItemFromJson(json::parse(R"({"a":{"N":"x"},"b":{"S":1}})").as_object());
  EXPECT_EQ(bad.status().reason(), kSerializationReason);
  auto invalid = ItemFromJson(json::parse(R"({"a":{"S":"x"},"b":{}})").as_object());
  EXPECT_EQ(
      invalid.status().message(),
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
}

TEST(DynamoDbValuesTest, ExpressionAttributeMaps) {
  auto names = ExpressionNamesFromJson(json::parse(R"({"#a":"a","#b_1":"b.c"})").as_object());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->at("#b_1"), "b.c");
  EXPECT_EQ(ExpressionNamesFromJson(json::object()).status().message(),
            "ExpressionAttributeNames must not be empty");
  EXPECT_EQ(ExpressionNamesFromJson(json::parse(R"({"a":"a"})").as_object()).status().message(),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
  EXPECT_EQ(ExpressionNamesFromJson(json::parse(R"({"#a":1})").as_object()).status().reason(),
            kSerializationReason);

  auto values = ExpressionValuesFromJson(json::parse(R"({":v":{"S":"x"}})").as_object());
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(values->at(":v"), Value::S("x"));
  EXPECT_EQ(ExpressionValuesFromJson(json::object()).status().message(),
            "ExpressionAttributeValues must not be empty");
  EXPECT_EQ(ExpressionValuesFromJson(json::parse(R"({":b":{"a":""},"b":{"S":"a"}})").as_object())
                .status()
                .message(),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\"");
  EXPECT_EQ(ExpressionValuesFromJson(json::parse(R"({":b":{}})").as_object()).status().message(),
            "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, "
            "must contain exactly one of the supported datatypes for key :b");
  EXPECT_EQ(ExpressionValuesFromJson(json::parse(R"({":b":{"SS":["a","a"]}})").as_object())
                .status()
                .message(),
            "ExpressionAttributeValues contains invalid value: One or more parameter values were "
            "invalid: Input collection [a, a] contains duplicates. for key :b");
  EXPECT_EQ(ExpressionValuesFromJson(json::parse(R"({":b":{"NS":["1","1"]}})").as_object())
                .status()
                .message(),
            "ExpressionAttributeValues contains invalid value: Input collection contains "
            "duplicates for key :b");
}

}  // namespace
}  // namespace nimbus::aws
