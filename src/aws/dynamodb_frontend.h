// The DynamoDB API (JSON 1.0, DynamoDB_20120810) and the DynamoDB Streams API
// (DynamoDBStreams_20120810, also signed as "dynamodb") over the table
// service: decodes each request with DynamoDB's validation rules and
// messages, calls the service, and encodes the answer. Knows no storage.
#pragma once

#include <boost/json/object.hpp>

#include "aws/endpoint.h"
#include "tables/table_service.h"

namespace nimbus::aws {

class DynamoDbFrontend : public Frontend {
 public:
  explicit DynamoDbFrontend(tables::TableService& tables);
  Protocol protocol() const override { return Protocol::kJson; }
  void Handle(net::HttpRequest&& req, const RequestContext& ctx, net::Responder respond) override;

  // An answer in DynamoDB's shape: the body and the HTTP status.
  struct Reply {
    int status = 200;
    std::string body;
  };

 private:
  using Object = boost::json::object;
  Reply Dispatch(const std::string& op, const Object& body, const RequestContext& ctx);
  // The AccessDenied answer when the caller may not perform `op` on every
  // resource it names (dynamodb_access.cc).
  std::optional<Reply> Authorize(const std::string& op, const Object& body,
                                 const RequestContext& ctx);

  // Control plane (dynamodb_frontend.cc).
  Reply CreateTable(const Object& in);
  Reply DescribeTable(const Object& in);
  Reply ListTables(const Object& in);
  Reply DeleteTable(const Object& in);
  Reply UpdateTable(const Object& in);
  Reply UpdateTimeToLive(const Object& in);
  Reply DescribeTimeToLive(const Object& in);
  Reply TagResource(const Object& in, bool untag);
  Reply ListTagsOfResource(const Object& in);
  // Items (dynamodb_items.cc).
  Reply PutItem(const Object& in);
  Reply GetItem(const Object& in);
  Reply UpdateItem(const Object& in);
  Reply DeleteItem(const Object& in);
  Reply Query(const Object& in);
  Reply Scan(const Object& in);
  Reply BatchGetItem(const Object& in);
  Reply BatchWriteItem(const Object& in);
  Reply TransactWriteItems(const Object& in);
  Reply TransactGetItems(const Object& in);
  // Streams (dynamodb_streams.cc).
  Reply ListStreams(const Object& in);
  Reply DescribeStream(const Object& in);
  Reply GetShardIterator(const Object& in);
  Reply GetRecords(const Object& in);

  boost::json::object TableDescription(const tables::TableSchema& t, const char* status);

  tables::TableService& tables_;
};

namespace dynamodb {

// DynamoDB's error bodies: `__type` with the service's namespace prefix.
DynamoDbFrontend::Reply Error(const std::string& type, const std::string& message);
DynamoDbFrontend::Reply Validation(const std::string& message);
// Maps a table service Status to DynamoDB's error.
DynamoDbFrontend::Reply FromStatus(const Status& s);
DynamoDbFrontend::Reply Ok(const boost::json::value& body);

}  // namespace dynamodb
}  // namespace nimbus::aws
