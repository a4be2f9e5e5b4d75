// The AWS wire protocols' error shapes, so that every error reaching a
// client looks like the one its SDK expects from that service.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "net/http.h"

namespace nimbus::aws {

enum class Protocol {
  kRestJson,  // Lambda: x-amzn-ErrorType header, {"Type","message"} body
  kJson,      // JSON 1.0/1.1 (Logs, DynamoDB): {"__type","message"} body
  kQuery,     // query (IAM): form in, <ErrorResponse><Error><Code> out
};

// Escapes text for an XML element or attribute value.
std::string XmlEscape(std::string_view text);

struct AwsError {
  int status = 400;
  std::string type;     // "ResourceNotFoundException"
  std::string message;
  std::vector<std::pair<std::string, std::string>> fields;   // extra body members
  std::vector<net::Header> headers;                          // extra headers
};

net::HttpResponse RenderError(Protocol protocol, const AwsError& error,
                              const std::string& request_id);
net::HttpResponse JsonResponse(int status, std::string body, const std::string& request_id,
                               const char* content_type = "application/json");

}  // namespace nimbus::aws
