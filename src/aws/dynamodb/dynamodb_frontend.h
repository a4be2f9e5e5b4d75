// The DynamoDB API (JSON 1.0, DynamoDB_20120810) and the DynamoDB Streams API
// (DynamoDBStreams_20120810, also signed as "dynamodb") over the table
// service: decodes each request with DynamoDB's validation rules and
// messages, calls the service, and encodes the answer. Knows no storage.
//
// A ServiceFrontend (aws/service.h): the operation table and DynamoDbSpec()'s
// error table are built at construction. The operations are spread over
// files by concern: the control plane (dynamodb_tables.cc), single-item
// writes (dynamodb_writes.cc), reads, queries and scans (dynamodb_reads.cc),
// batches (dynamodb_batches.cc), transactions (dynamodb_transactions.cc),
// streams (dynamodb_streams.cc) and what a function's role must allow for
// each (dynamodb_access.cc). Operations run on the endpoint's I/O threads,
// concurrently, and call the table service, which is internally locked.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <variant>

#include "aws/service.h"
#include "core/platform.h"
#include "tables/table_service.h"

namespace nimbus::aws {

namespace dynamodb {

// What a DynamoDB operation answers: a body, a Status DynamoDbSpec()'s error
// table maps, or an error with members of its own (the item of a failed
// condition, the reasons of a cancelled transaction). Built implicitly from
// each, so that RETURN_IF_ERROR and ASSIGN_OR_RETURN work in operations.
class Answer {
 public:
  Answer(boost::json::object body)  // NOLINT(google-explicit-constructor)
      : v_(std::in_place_index<0>, std::move(body)) {}
  Answer(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)
  Answer(AwsError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  // Answers through `reply`, once.
  void Send(Reply& reply);

 private:
  std::variant<boost::json::value, Status, AwsError> v_;
};

}  // namespace dynamodb

class DynamoDbFrontend : public ServiceFrontend {
 public:
  // `tables` outlives the frontend; `platform` names tables' ARNs.
  DynamoDbFrontend(tables::TableService& tables, Platform platform);

 private:
  using Object = boost::json::object;
  using Answer = dynamodb::Answer;

  std::vector<Operation> Operations();

  // What a function's role must allow (dynamodb_access.cc).
  // The table a request names (or, with `index`, the index it names).
  std::string TableResource(const Object& in, bool index = false) const;
  std::vector<std::string> BatchResources(const Object& in) const;
  // The stream a GetRecords request's shard iterator reads ("*" when none).
  static std::string IteratorStream(const Object& in);
  std::optional<AwsError> AuthorizeTransaction(const Call& call) const;

  // Control plane (dynamodb_tables.cc).
  Answer CreateTable(const Object& in);
  Answer DescribeTable(const Object& in);
  Answer ListTables(const Object& in);
  Answer DeleteTable(const Object& in);
  Answer UpdateTable(const Object& in);
  Answer UpdateTimeToLive(const Object& in);
  Answer DescribeTimeToLive(const Object& in);
  Answer TagResource(const Object& in, bool untag);
  Answer ListTagsOfResource(const Object& in);
  boost::json::object TableDescription(const tables::TableSchema& t, const char* status);
  // Single-item writes (dynamodb_writes.cc).
  Answer PutItem(const Object& in);
  Answer UpdateItem(const Object& in);
  Answer DeleteItem(const Object& in);
  // Reads (dynamodb_reads.cc).
  Answer GetItem(const Object& in);
  Answer Query(const Object& in);
  Answer Scan(const Object& in);
  // Batches (dynamodb_batches.cc).
  Answer BatchGetItem(const Object& in);
  Answer BatchWriteItem(const Object& in);
  // Transactions (dynamodb_transactions.cc).
  Answer TransactWriteItems(const Object& in);
  Answer TransactGetItems(const Object& in);
  // Streams (dynamodb_streams.cc).
  Answer ListStreams(const Object& in);
  Answer DescribeStream(const Object& in);
  Answer GetShardIterator(const Object& in);
  Answer GetRecords(const Object& in);

  tables::TableService& tables_;
  Platform platform_;
};

// DynamoDB's wire description: protocol, target prefixes, the error table
// (every Status code to DynamoDB's error type and HTTP status) and its style
// (the coral and DynamoDB namespaces of `__type`).
ServiceSpec DynamoDbSpec();

}  // namespace nimbus::aws
