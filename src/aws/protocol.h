// The AWS wire protocols and their errors: which protocol a service speaks,
// the error every frontend answers with (`AwsError`), the table that turns a
// domain service's Status into a service's own error, and the rendering of
// an error in each protocol, so that every error reaching a client looks like
// the one its SDK expects from that service.
//
// Pure functions and immutable tables: safe on any thread.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "net/http.h"

namespace nimbus::aws {

enum class Protocol {
  kJson,      // JSON 1.0/1.1 (DynamoDB, Logs): X-Amz-Target, {"__type","message"} errors
  kRestJson,  // rest-json (Lambda): routes by method and path, x-amzn-ErrorType errors
  kRestXml,   // rest-xml (S3): routes by method and path, <Error><Code> errors
  kQuery,     // query (IAM): form in, XML out, <ErrorResponse><Error><Code> errors
};

struct AwsError {
  int status = 400;
  std::string type;  // "ResourceNotFoundException"
  std::string message;
  boost::json::object fields;       // extra members of a JSON error body
  std::vector<net::Header> headers;  // extra headers
};

// How one service renders its errors beyond the protocol's defaults.
struct ErrorStyle {
  // JSON 1.0/1.1: the content type's version, "1.0" or "1.1".
  std::string json_version = "1.1";
  // JSON: the namespace before an error's type in `__type`
  // ("com.amazonaws.dynamodb.v20120810#"); empty for none.
  std::function<std::string(std::string_view type)> type_namespace;
  // JSON and rest-json: the member that carries the message, "message" unless
  // the service's model spells it otherwise for a type.
  std::function<std::string(std::string_view type)> message_member;
  // query and rest-xml: the XML namespace of error documents.
  std::string xml_namespace;
};

// Status -> a service's error: one table per service. A row matches a Status
// code, and, when `reason` is set, only a Status carrying that reason. When
// `reason_is_type` is set, a Status's non-empty reason names the error type
// (e.g. ConditionalCheckFailedException); `type` is the type otherwise.
struct ErrorRule {
  Code code;
  int status;
  std::string_view type;
  std::string_view reason = {};
  bool reason_is_type = false;
};

class ErrorTable {
 public:
  // `fallback` answers every Status no rule matches.
  ErrorTable(std::initializer_list<ErrorRule> rules, ErrorRule fallback);
  // A hook that adds service-specific members to a mapped error (a Retry-After
  // header on throttles, ...).
  ErrorTable& Decorate(std::function<void(const Status&, AwsError&)> decorate);

  AwsError Map(const Status& status) const;

 private:
  std::vector<ErrorRule> rules_;
  ErrorRule fallback_;
  std::function<void(const Status&, AwsError&)> decorate_;
};

// The error in `protocol`'s shape, styled for one service.
net::HttpResponse RenderError(Protocol protocol, const AwsError& error,
                              const std::string& request_id, const ErrorStyle& style = {});
net::HttpResponse JsonResponse(int status, std::string body, const std::string& request_id,
                               const char* content_type = "application/json");

}  // namespace nimbus::aws
