#include "aws/protocol.h"

#include <boost/json.hpp>

namespace nimbus::aws {

net::HttpResponse RenderError(Protocol protocol, const AwsError& e, const std::string& request_id) {
  boost::json::object body;
  net::HttpResponse r;
  r.status = e.status;
  if (protocol == Protocol::kRestJson) {
    body["Type"] = e.status >= 500 ? "Service" : "User";
    // The Lambda model spells the member "Message" for these two shapes.
    bool capital = e.type == "ResourceNotFoundException" || e.type == "ServiceException";
    body[capital ? "Message" : "message"] = e.message;
    r.headers.push_back({"x-amzn-ErrorType", e.type});
    r.headers.push_back({"Content-Type", "application/json"});
  } else {
    body["__type"] = e.type;
    body["message"] = e.message;
    r.headers.push_back({"Content-Type", "application/x-amz-json-1.1"});
  }
  for (const auto& [k, v] : e.fields) body[k] = v;
  r.headers.push_back({"x-amzn-RequestId", request_id});
  for (const auto& h : e.headers) r.headers.push_back(h);
  r.body = boost::json::serialize(body);
  return r;
}

net::HttpResponse JsonResponse(int status, std::string body, const std::string& request_id,
                               const char* content_type) {
  net::HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", content_type});
  r.headers.push_back({"x-amzn-RequestId", request_id});
  r.body = std::move(body);
  return r;
}

}  // namespace nimbus::aws
