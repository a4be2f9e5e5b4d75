// The events a handler receives from the gateway: API Gateway's HTTP API
// payload format 2.0 and the REST API (and HTTP API 1.0) Lambda proxy format,
// field for field, including which empty fields are omitted (2.0) and which
// are null (1.0).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/platform.h"
#include "net/http.h"

namespace nimbus::gateway {

// Everything about one request that goes into an event.
struct EventInput {
  const net::HttpRequest* request = nullptr;
  std::string path;        // the request path below the API's base, raw ("/users/42")
  std::string stage;       // "$default" for HTTP APIs, the stage for REST
  std::string route_key;   // "GET /users/{id}" or "$default"
  std::string resource;    // REST: the route template "/users/{id}"
  std::map<std::string, std::string> path_parameters;
  std::string api_id;
  std::string account_id{kDefaultAccountId};
  std::string domain_name;  // the Host the client used
  std::string request_id;
  int64_t time_ms = 0;
  std::vector<std::string> binary_media_types;  // REST: what arrives base64
  json::value authorizer;  // null: no authorizer; else requestContext.authorizer
  std::string api_key;     // REST: the x-api-key a private route was called with
  std::string api_key_id;
};

// Whether 2.0 passes a body of this content type as text (else base64).
bool IsTextContentType(std::string_view content_type);
// Whether a REST API with these binary media types base64-encodes the body.
bool IsBinaryForRest(std::string_view content_type, const std::vector<std::string>& binary_types);

json::object BuildEventV2(const EventInput& in);
json::object BuildEventV1(const EventInput& in);

// The Lambda authorizer inputs built from the same request.
json::object BuildAuthorizerEventV2(const EventInput& in, const std::vector<std::string>& identity,
                                    const std::string& route_arn);
json::object BuildTokenAuthorizerEvent(const std::string& token, const std::string& method_arn);
json::object BuildRequestAuthorizerEventV1(const EventInput& in, const std::string& method_arn);

// API Gateway's request time format: "31/Jan/2024:12:00:00 +0000".
std::string FormatRequestTime(int64_t epoch_ms);

}  // namespace nimbus::gateway
