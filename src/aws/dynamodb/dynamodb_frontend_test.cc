#include "aws/dynamodb/dynamodb_frontend.h"

#include <gtest/gtest.h>

#include "aws/codecs.h"
#include "aws/frontend_test_util.h"
#include "store/kv_store.h"

namespace nimbus::aws {
namespace {

namespace json = boost::json;

constexpr char kTable[] = "arn:aws:dynamodb:us-east-1:000000000000:table/";

class DynamoDbFrontendTest : public ::testing::Test {
 protected:
  DynamoDbFrontendTest()
      : kv_(store::NewMemoryStore()),
        tables_(*kv_),
        frontend_(tables_, Platform{}),
        h_(frontend_, "dynamodb") {
    EXPECT_TRUE(tables_.Open().ok());
  }

  net::HttpResponse Call(const std::string& op, const std::string& body) {
    return h_.Json("DynamoDB_20120810." + op, body);
  }
  json::object Ok(const std::string& op, const std::string& body) {
    auto r = Call(op, body);
    EXPECT_EQ(r.status, 200) << op << ": " << r.body;
    return JsonBody(r);
  }
  // The error's type (without its namespace) and message.
  std::pair<std::string, std::string> Error(const std::string& op, const std::string& body) {
    auto r = Call(op, body);
    EXPECT_EQ(r.status, 400) << op << ": " << r.body;
    auto doc = JsonBody(r);
    std::string type = doc["__type"].is_string() ? std::string(doc["__type"].get_string()) : "";
    std::string message =
        doc["message"].is_string() ? std::string(doc["message"].get_string()) : "";
    return {type.substr(type.find('#') + 1), message};
  }
  void CreateTable(const std::string& name) {
    Ok("CreateTable", R"({"TableName":")" + name + R"(",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},
                                {"AttributeName":"sk","AttributeType":"N"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
                     {"AttributeName":"sk","KeyType":"RANGE"}],
        "BillingMode":"PAY_PER_REQUEST",
        "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}})");
  }

  std::unique_ptr<store::KvStore> kv_;
  tables::TableService tables_;
  DynamoDbFrontend frontend_;
  FrontendHarness h_;
};

TEST_F(DynamoDbFrontendTest, WritesReadsQueriesAndScansItems) {
  CreateTable("things");
  EXPECT_EQ(tables_.DescribeTable("things")->key.hash.name, "pk");
  auto put = Call("PutItem", R"({"TableName":"things","Item":{"pk":{"S":"a"},"sk":{"N":"1"},
      "v":{"S":"one"}},"ReturnConsumedCapacity":"TOTAL"})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(HeaderOf(put, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(HeaderOf(put, "x-amzn-RequestId"), "req-1");
  EXPECT_EQ(JsonBody(put)["ConsumedCapacity"].as_object()["CapacityUnits"], 1.0);
  Ok("PutItem", R"({"TableName":"things","Item":{"pk":{"S":"a"},"sk":{"N":"2"}}})");
  auto got = Ok("GetItem", R"({"TableName":"things","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},
      "ProjectionExpression":"#v","ExpressionAttributeNames":{"#v":"v"}})");
  EXPECT_EQ(json::serialize(got["Item"]), R"({"v":{"S":"one"}})");
  auto updated = Ok("UpdateItem", R"({"TableName":"things","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},
      "UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"S":"uno"}},
      "ReturnValues":"UPDATED_NEW"})");
  EXPECT_EQ(json::serialize(updated["Attributes"]), R"({"v":{"S":"uno"}})");
  auto query = Ok("Query", R"({"TableName":"things","KeyConditionExpression":"pk = :p",
      "ExpressionAttributeValues":{":p":{"S":"a"}},"ScanIndexForward":false})");
  EXPECT_EQ(query["Count"], 2);
  EXPECT_EQ(json::serialize(query["Items"].as_array()[0].as_object()["sk"]), R"({"N":"2"})");
  auto scan = Ok("Scan", R"({"TableName":"things","Select":"COUNT"})");
  EXPECT_EQ(scan["Count"], 2);
  EXPECT_FALSE(scan.contains("Items"));
  auto deleted = Ok("DeleteItem", R"({"TableName":"things","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},
      "ReturnValues":"ALL_OLD"})");
  EXPECT_EQ(json::serialize(deleted["Attributes"].as_object()["v"]), R"({"S":"uno"})");
  auto missing = Ok("GetItem", R"({"TableName":"things","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}})");
  EXPECT_FALSE(missing.contains("Item"));
}

TEST_F(DynamoDbFrontendTest, DescribesListsAndDeletesTables) {
  CreateTable("alpha");
  CreateTable("beta");
  auto desc = Ok("DescribeTable", R"({"TableName":"alpha"})")["Table"].as_object();
  EXPECT_EQ(desc["TableArn"], (std::string(kTable) + "alpha").c_str());
  EXPECT_EQ(desc["TableStatus"], "ACTIVE");
  auto list = Ok("ListTables", R"({"Limit":1})");
  EXPECT_EQ(json::serialize(list["TableNames"]), R"(["alpha"])");
  EXPECT_EQ(list["LastEvaluatedTableName"], "alpha");
  Ok("TagResource",
     R"({"ResourceArn":")" + std::string(kTable) + R"(alpha","Tags":[{"Key":"k","Value":"v"}]})");
  auto tags = Ok("ListTagsOfResource", R"({"ResourceArn":")" + std::string(kTable) + R"(alpha"})");
  EXPECT_EQ(json::serialize(tags["Tags"]), R"([{"Key":"k","Value":"v"}])");
  auto gone = Ok("DeleteTable", R"({"TableName":"alpha"})");
  EXPECT_EQ(gone["TableDescription"].as_object()["TableStatus"], "DELETING");
  EXPECT_FALSE(tables_.DescribeTable("alpha").ok());
  auto limits = Ok("DescribeLimits", "{}");
  EXPECT_EQ(limits["TableMaxReadCapacityUnits"], 40000);
}

TEST_F(DynamoDbFrontendTest, BatchesAndTransactions) {
  CreateTable("things");
  Ok("BatchWriteItem", R"({"RequestItems":{"things":[
      {"PutRequest":{"Item":{"pk":{"S":"a"},"sk":{"N":"1"}}}},
      {"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":"1"}}}}]}})");
  auto batch = Ok("BatchGetItem", R"({"RequestItems":{"things":{"Keys":[
      {"pk":{"S":"a"},"sk":{"N":"1"}},{"pk":{"S":"b"},"sk":{"N":"1"}}]}}})");
  EXPECT_EQ(batch["Responses"].as_object()["things"].as_array().size(), 2u);
  Ok("TransactWriteItems", R"({"TransactItems":[
      {"Put":{"TableName":"things","Item":{"pk":{"S":"c"},"sk":{"N":"1"}}}},
      {"Delete":{"TableName":"things","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]})");
  auto got = Ok("TransactGetItems", R"({"TransactItems":[
      {"Get":{"TableName":"things","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}},
      {"Get":{"TableName":"things","Key":{"pk":{"S":"c"},"sk":{"N":"1"}}}}]})");
  auto responses = got["Responses"].as_array();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_FALSE(responses[0].as_object().contains("Item"));
  EXPECT_TRUE(responses[1].as_object().contains("Item"));
}

TEST_F(DynamoDbFrontendTest, FailedConditionsCarryTheOldItemAndCancellationReasons) {
  CreateTable("things");
  Ok("PutItem", R"({"TableName":"things","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"7"}}})");
  auto failed = Call("PutItem", R"j({"TableName":"things","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},
      "ConditionExpression":"attribute_not_exists(pk)",
      "ReturnValuesOnConditionCheckFailure":"ALL_OLD"})j");
  EXPECT_EQ(failed.status, 400);
  EXPECT_EQ(failed.body,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
            R"("message":"The conditional request failed",)"
            R"("Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"7"}}})");
  auto cancelled = Call("TransactWriteItems", R"({"TransactItems":[
      {"ConditionCheck":{"TableName":"things","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},
        "ConditionExpression":"v = :v","ExpressionAttributeValues":{":v":{"N":"8"}},
        "ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
      {"Put":{"TableName":"things","Item":{"pk":{"S":"b"},"sk":{"N":"1"}}}}]})");
  EXPECT_EQ(cancelled.status, 400);
  auto doc = JsonBody(cancelled);
  EXPECT_EQ(doc["__type"], "com.amazonaws.dynamodb.v20120810#TransactionCanceledException");
  EXPECT_EQ(doc["Message"],
            "Transaction cancelled, please refer cancellation reasons for "
            "specific reasons [ConditionalCheckFailed, None]");
  EXPECT_FALSE(doc.contains("message"));
  auto reasons = doc["CancellationReasons"].as_array();
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0].as_object()["Code"], "ConditionalCheckFailed");
  EXPECT_TRUE(reasons[0].as_object().contains("Item"));
  EXPECT_EQ(reasons[1].as_object()["Code"], "None");
  // The same token with other parameters is refused with DynamoDB's type.
  Ok("TransactWriteItems", R"({"ClientRequestToken":"t1","TransactItems":[
      {"Put":{"TableName":"things","Item":{"pk":{"S":"c"},"sk":{"N":"1"}}}}]})");
  EXPECT_EQ(Error("TransactWriteItems", R"({"ClientRequestToken":"t1","TransactItems":[
      {"Put":{"TableName":"things","Item":{"pk":{"S":"d"},"sk":{"N":"1"}}}}]})")
                .first,
            "IdempotentParameterMismatchException");
}

TEST_F(DynamoDbFrontendTest, ReadsStreams) {
  CreateTable("things");
  Ok("PutItem", R"({"TableName":"things","Item":{"pk":{"S":"a"},"sk":{"N":"1"}}})");
  auto streams = h_.Json("DynamoDBStreams_20120810.ListStreams", R"({"TableName":"things"})");
  ASSERT_EQ(streams.status, 200) << streams.body;
  std::string arn(JsonBody(streams)["Streams"].as_array()[0].as_object()["StreamArn"].as_string());
  auto desc = Ok("DescribeStream", R"({"StreamArn":")" + arn + R"("})")["StreamDescription"];
  std::string shard(desc.as_object()["Shards"].as_array()[0].as_object()["ShardId"].as_string());
  auto it = Ok("GetShardIterator", R"({"StreamArn":")" + arn + R"(","ShardId":")" + shard +
                                       R"(","ShardIteratorType":"TRIM_HORIZON"})");
  auto records =
      Ok("GetRecords", R"({"ShardIterator":)" + json::serialize(it["ShardIterator"]) + "}");
  auto list = records["Records"].as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].as_object()["eventName"], "INSERT");
  EXPECT_EQ(list[0].as_object()["awsRegion"], "us-east-1");
  EXPECT_TRUE(records.contains("NextShardIterator"));
  EXPECT_EQ(Error("GetShardIterator", R"({"StreamArn":")" + arn +
                                          R"(","ShardId":"nope","ShardIteratorType":"LATEST"})"),
            std::make_pair(std::string("ResourceNotFoundException"),
                           std::string("Requested resource not found: Shard does not exist")));
  EXPECT_EQ(Error("GetRecords", R"({"ShardIterator":"bad"})").second, "Invalid ShardIterator");
}

TEST_F(DynamoDbFrontendTest, TheErrorTableMapsEveryStatusCode) {
  const ErrorTable& table = DynamoDbSpec().errors;
  struct Row {
    Status status;
    int http;
    std::string type;
  };
  const Row rows[] = {
      {Status(Code::kInvalidArgument, "m", std::string(kSerializationReason)), 400,
       "SerializationException"},
      {InvalidArgument("m"), 400, "ValidationException"},
      {NotFound("m"), 400, "ResourceNotFoundException"},
      {AlreadyExists("m"), 400, "ResourceInUseException"},
      {Conflict("m"), 400, "ResourceInUseException"},
      {Status(Code::kConflict, "m", "TransactionConflictException"), 400,
       "TransactionConflictException"},
      {ResourceExhausted("m"), 400, "LimitExceededException"},
      {ResourceExhausted("m", "ProvisionedThroughputExceededException"), 400,
       "ProvisionedThroughputExceededException"},
      {FailedPrecondition("m"), 500, "InternalServerError"},
      {TooLarge("m"), 500, "InternalServerError"},
      {Unauthenticated("m"), 500, "InternalServerError"},
      {PermissionDenied("m"), 500, "InternalServerError"},
      {Unavailable("m"), 500, "InternalServerError"},
      {Status(Code::kTimeout, "m"), 500, "InternalServerError"},
      {Internal("m"), 500, "InternalServerError"},
  };
  for (const Row& row : rows) {
    AwsError e = table.Map(row.status);
    EXPECT_EQ(e.status, row.http) << row.status.ToString();
    EXPECT_EQ(e.type, row.type) << row.status.ToString();
    EXPECT_EQ(e.message, "m");
  }
  // Each type in its namespace, as DynamoDB writes `__type`.
  const ErrorStyle& style = DynamoDbSpec().style;
  EXPECT_EQ(style.type_namespace("ValidationException"), "com.amazon.coral.validate#");
  EXPECT_EQ(style.type_namespace("SerializationException"), "com.amazon.coral.service#");
  EXPECT_EQ(style.type_namespace("UnrecognizedClientException"), "com.amazon.coral.service#");
  EXPECT_EQ(style.type_namespace("ResourceNotFoundException"), "com.amazonaws.dynamodb.v20120810#");
  EXPECT_EQ(style.type_namespace("com.amazon.coral.service#AccessDeniedException"), "");
  // Through the frontend: the table's rows as DynamoDB's error documents.
  auto missing = Call("DescribeTable", R"({"TableName":"nothing"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(JsonBody(missing)["__type"],
            "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
  EXPECT_EQ(JsonBody(missing)["message"], "Requested resource not found: Table: nothing not found");
  CreateTable("dup");
  EXPECT_EQ(Error("CreateTable", R"({"TableName":"dup",
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
      "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})")
                .first,
            "ResourceInUseException");
  auto invalid = Call("ListTables", R"({"Limit":0})");
  EXPECT_EQ(JsonBody(invalid)["__type"], "com.amazon.coral.validate#ValidationException");
  EXPECT_EQ(JsonBody(invalid)["message"],
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1");
  EXPECT_EQ(Error("PutItem", R"({"Item":{}})").second,
            "1 validation error detected: Value null at 'tableName' failed to satisfy "
            "constraint: Member must not be null");
}

TEST_F(DynamoDbFrontendTest, BodiesAndMembersOfTheWrongShapeAreSerializationErrors) {
  CreateTable("things");
  auto bad = Call("ListTables", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(JsonBody(bad)["__type"], "com.amazon.coral.service#SerializationException");
  auto list = Call("ListTables", "[1]");
  EXPECT_EQ(JsonBody(list)["__type"], "com.amazon.coral.service#SerializationException");
  EXPECT_EQ(JsonBody(list)["message"], "Start of structure or map found where not expected.");
  for (const auto& [op, body] : std::vector<std::pair<std::string, std::string>>{
           {"PutItem", R"({"TableName":5,"Item":{}})"},
           {"PutItem", R"({"TableName":"things","Item":{"pk":{"S":1},"sk":{"N":"1"}}})"},
           {"GetItem", R"({"TableName":"things","Key":[]})"},
           {"Query", R"({"TableName":"things","IndexName":3})"},
           {"Scan", R"({"TableName":"things","ConsistentRead":"yes"})"},
           {"DescribeTable", R"({"TableName":true})"},
           {"ListTables", R"({"Limit":"1"})"},
           {"UpdateTimeToLive", R"({"TableName":"things","TimeToLiveSpecification":[]})"},
           {"CreateTable", R"({"TableName":"x1x","AttributeDefinitions":{}})"},
           {"BatchGetItem", R"({"RequestItems":[]})"},
           {"TransactWriteItems", R"({"TransactItems":[5]})"},
           {"GetRecords", R"({"ShardIterator":{}})"}}) {
    EXPECT_EQ(Error(op, body).first, "SerializationException") << op << " " << body;
  }
  EXPECT_EQ(tables_.Stats("things").item_count, 0);
}

TEST_F(DynamoDbFrontendTest, UnknownOperationsAndOversizedBodies) {
  auto unknown = Call("RestoreTableFromBackup", "{}");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(JsonBody(unknown)["__type"], "com.amazon.coral.service#UnknownOperationException");
  EXPECT_EQ(JsonBody(unknown)["message"],
            "Nimbus does not implement DynamoDB RestoreTableFromBackup yet");
  auto no_prefix = h_.Json("Logs_20140328.ListTables", "{}");
  EXPECT_EQ(JsonBody(no_prefix)["__type"], "com.amazon.coral.service#UnknownOperationException");
  EXPECT_EQ(JsonBody(no_prefix)["message"], "");
  net::HttpRequest big;
  big.method = "POST";
  big.target = "/";
  big.headers.push_back({"X-Amz-Target", "DynamoDB_20120810.PutItem"});
  big.body_too_large = true;
  auto too_large = h_.Send(std::move(big));
  EXPECT_EQ(too_large.status, 400);
  EXPECT_EQ(JsonBody(too_large)["__type"], "com.amazon.coral.validate#ValidationException");
  EXPECT_EQ(JsonBody(too_large)["message"], "Request size exceeded the maximum allowed size");
}

TEST_F(DynamoDbFrontendTest, AnInstanceActsOnlyWhereItsRoleAllows) {
  CreateTable("mine");
  CreateTable("theirs");
  h_.ActAsInstance(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":["dynamodb:PutItem","dynamodb:GetItem","dynamodb:Query",
                "dynamodb:BatchWriteItem","dynamodb:ConditionCheckItem"],
      "Resource":")" +
                   std::string(kTable) + R"(mine"}]})");
  EXPECT_EQ(
      Call("PutItem", R"({"TableName":"mine","Item":{"pk":{"S":"a"},"sk":{"N":"1"}}})").status,
      200);
  auto denied = Call("PutItem", R"({"TableName":"theirs","Item":{"pk":{"S":"a"},"sk":{"N":"1"}}})");
  EXPECT_EQ(denied.status, 400);
  auto doc = JsonBody(denied);
  EXPECT_EQ(doc["__type"], "com.amazon.coral.service#AccessDeniedException");
  EXPECT_NE(std::string(doc["message"].as_string())
                .find("is not authorized to perform: dynamodb:PutItem on resource: " +
                      std::string(kTable) + "theirs"),
            std::string::npos)
      << denied.body;
  EXPECT_EQ(tables_.Stats("theirs").item_count, 0);
  // A Query of an index is checked on the index's ARN.
  auto index = Error("Query", R"({"TableName":"mine","IndexName":"byv",
      "KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}})");
  EXPECT_EQ(index.first, "AccessDeniedException");
  EXPECT_NE(index.second.find(std::string(kTable) + "mine/index/byv"), std::string::npos);
  // Batches once per table; transactions as each element's own action.
  EXPECT_EQ(Error("BatchWriteItem", R"({"RequestItems":{
      "mine":[{"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":"1"}}}}],
      "theirs":[{"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":"1"}}}}]}})")
                .first,
            "AccessDeniedException");
  auto transaction = Error("TransactWriteItems", R"j({"TransactItems":[
      {"ConditionCheck":{"TableName":"mine","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},
        "ConditionExpression":"attribute_exists(pk)"}},
      {"Delete":{"TableName":"mine","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]})j");
  EXPECT_EQ(transaction.first, "AccessDeniedException");
  EXPECT_NE(transaction.second.find("dynamodb:DeleteItem"), std::string::npos);
  EXPECT_EQ(tables_.Stats("mine").item_count, 1);
  EXPECT_EQ(Error("ListTables", "{}").first, "AccessDeniedException");
}

}  // namespace
}  // namespace nimbus::aws
