#include "aws/dynamodb/dynamodb_frontend.h"

#include <array>
#include <boost/json.hpp>

#include "aws/codecs.h"
#include "aws/dynamodb/dynamodb_request.h"

namespace nimbus::aws {
namespace {

namespace json = boost::json;

const std::vector<std::string>& Targets() {
  static const std::vector<std::string> kTargets = {"DynamoDB_20120810",
                                                    "DynamoDBStreams_20120810"};
  return kTargets;
}

// The namespace DynamoDB puts before an error's type: the coral framework's
// for validation, protocol and authentication errors, DynamoDB's own for the
// rest. A type that names its namespace already keeps it.
std::string TypeNamespace(std::string_view type) {
  static constexpr std::array<std::string_view, 7> kCoralService = {
      "SerializationException",       "UnknownOperationException",
      "AccessDeniedException",        "InvalidSignatureException",
      "IncompleteSignatureException", "MissingAuthenticationTokenException",
      "UnrecognizedClientException"};
  if (type.find('#') != std::string_view::npos) return {};
  if (type == "ValidationException") return "com.amazon.coral.validate#";
  for (std::string_view t : kCoralService) {
    if (type == t) return "com.amazon.coral.service#";
  }
  return "com.amazonaws.dynamodb.v20120810#";
}

}  // namespace

namespace dynamodb {

void Answer::Send(Reply& reply) {
  switch (v_.index()) {
    case 0:
      return reply.Json(std::get<0>(v_));
    case 1:
      return reply.Error(std::get<1>(v_));
    default:
      return reply.Error(std::get<2>(v_));
  }
}

}  // namespace dynamodb

ServiceSpec DynamoDbSpec() {
  ServiceSpec spec;
  spec.signing_name = "dynamodb";
  spec.iam_prefix = "dynamodb";
  spec.protocol = Protocol::kJson;
  spec.json_targets = Targets();
  spec.style.json_version = "1.0";
  spec.style.type_namespace = TypeNamespace;
  // TransactionCanceledException spells its message with a capital M.
  spec.style.message_member = [](std::string_view type) -> std::string {
    return type == "TransactionCanceledException" ? "Message" : "message";
  };
  // A Status's reason names DynamoDB's own type where the table service knows
  // it (TransactionConflictException, IdempotentParameterMismatchException,
  // LimitExceededException, ...).
  spec.errors = ErrorTable(
      {
          {Code::kInvalidArgument, 400, "SerializationException", kSerializationReason},
          {Code::kInvalidArgument, 400, "ValidationException"},
          {Code::kNotFound, 400, "ResourceNotFoundException"},
          {Code::kAlreadyExists, 400, "ResourceInUseException"},
          {Code::kConflict, 400, "ResourceInUseException", {}, true},
          {Code::kResourceExhausted, 400, "LimitExceededException", {}, true},
          {Code::kFailedPrecondition, 500, "InternalServerError"},
          {Code::kTooLarge, 500, "InternalServerError"},
          {Code::kUnauthenticated, 500, "InternalServerError"},
          {Code::kPermissionDenied, 500, "InternalServerError"},
          {Code::kUnavailable, 500, "InternalServerError"},
          {Code::kTimeout, 500, "InternalServerError"},
      },
      {Code::kInternal, 500, "InternalServerError"});
  spec.body_too_large = {400, "ValidationException",
                         "Request size exceeded the maximum allowed size"};
  spec.unknown_operation = [](const net::HttpRequest& req, std::string_view name) {
    // A target under neither prefix names no operation at all.
    if (!JsonTarget(req, Targets())) return AwsError{400, "UnknownOperationException", ""};
    return AwsError{400, "UnknownOperationException",
                    "Nimbus does not implement DynamoDB " + std::string(name) + " yet"};
  };
  return spec;
}

DynamoDbFrontend::DynamoDbFrontend(tables::TableService& tables, Platform platform)
    : ServiceFrontend(DynamoDbSpec(), {}), tables_(tables), platform_(std::move(platform)) {
  SetOperations(Operations());
}

std::vector<Operation> DynamoDbFrontend::Operations() {
  using Handler = Answer (DynamoDbFrontend::*)(const Object&);
  // Operations act on the table they name (an index's ARN for a Query or
  // Scan of one); batches on each table they name, transactions as each of
  // their elements (dynamodb_access.cc).
  auto table = [this](const Call& c) { return std::vector<std::string>{TableResource(c.body)}; };
  auto table_or_index = [this](const Call& c) {
    return std::vector<std::string>{TableResource(c.body, true)};
  };
  auto everything = [](const Call&) { return std::vector<std::string>{"*"}; };
  auto member = [](const char* key) {
    return [key](const Call& c) {
      return std::vector<std::string>{std::string(dynamodb::Text(c.body, key))};
    };
  };
  auto op = [this](std::string name, Handler handler, auto resources) {
    Operation o;
    o.name = std::move(name);
    o.resources = std::move(resources);
    o.handle = [this, handler](Call& c, Reply reply) { (this->*handler)(c.body).Send(reply); };
    return o;
  };
  auto transaction = [&](std::string name, Handler handler) {
    Operation o = op(std::move(name), handler, nullptr);
    o.authorize = [this](const Call& c) { return AuthorizeTransaction(c); };
    return o;
  };
  auto fixed = [](std::string name, auto resources, auto answer) {
    Operation o;
    o.name = std::move(name);
    o.resources = std::move(resources);
    o.handle = [answer](Call& c, Reply reply) { reply.Json(answer(c)); };
    return o;
  };
  std::vector<Operation> ops = {
      op("GetItem", &DynamoDbFrontend::GetItem, table),
      op("PutItem", &DynamoDbFrontend::PutItem, table),
      op("UpdateItem", &DynamoDbFrontend::UpdateItem, table),
      op("DeleteItem", &DynamoDbFrontend::DeleteItem, table),
      op("Query", &DynamoDbFrontend::Query, table_or_index),
      op("Scan", &DynamoDbFrontend::Scan, table_or_index),
      op("BatchGetItem", &DynamoDbFrontend::BatchGetItem,
         [this](const Call& c) { return BatchResources(c.body); }),
      op("BatchWriteItem", &DynamoDbFrontend::BatchWriteItem,
         [this](const Call& c) { return BatchResources(c.body); }),
      transaction("TransactWriteItems", &DynamoDbFrontend::TransactWriteItems),
      transaction("TransactGetItems", &DynamoDbFrontend::TransactGetItems),
      op("CreateTable", &DynamoDbFrontend::CreateTable, table),
      op("DescribeTable", &DynamoDbFrontend::DescribeTable, table),
      op("ListTables", &DynamoDbFrontend::ListTables, everything),
      op("DeleteTable", &DynamoDbFrontend::DeleteTable, table),
      op("UpdateTable", &DynamoDbFrontend::UpdateTable, table),
      op("UpdateTimeToLive", &DynamoDbFrontend::UpdateTimeToLive, table),
      op("DescribeTimeToLive", &DynamoDbFrontend::DescribeTimeToLive, table),
      op("ListTagsOfResource", &DynamoDbFrontend::ListTagsOfResource, member("ResourceArn")),
      op("ListStreams", &DynamoDbFrontend::ListStreams, everything),
      op("DescribeStream", &DynamoDbFrontend::DescribeStream, member("StreamArn")),
      op("GetShardIterator", &DynamoDbFrontend::GetShardIterator, member("StreamArn")),
      op("GetRecords", &DynamoDbFrontend::GetRecords,
         [](const Call& c) { return std::vector<std::string>{IteratorStream(c.body)}; }),
      fixed("DescribeLimits", everything,
            [](const Call&) {
              return json::object{{"AccountMaxReadCapacityUnits", 80000},
                                  {"AccountMaxWriteCapacityUnits", 80000},
                                  {"TableMaxReadCapacityUnits", 40000},
                                  {"TableMaxWriteCapacityUnits", 40000}};
            }),
      fixed("DescribeEndpoints", table,
            [](const Call& c) {
              return json::object{{"Endpoints", json::array{{{"Address", c.ctx.host},
                                                             {"CachePeriodInMinutes", 1440}}}}};
            }),
  };
  for (bool untag : {false, true}) {
    Operation o;
    o.name = untag ? "UntagResource" : "TagResource";
    o.resources = member("ResourceArn");
    o.handle = [this, untag](Call& c, Reply reply) { TagResource(c.body, untag).Send(reply); };
    ops.push_back(std::move(o));
  }
  return ops;
}

}  // namespace nimbus::aws
