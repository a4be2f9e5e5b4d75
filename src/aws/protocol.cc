#include "aws/protocol.h"

#include <boost/json.hpp>

namespace nimbus::aws {

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

net::HttpResponse RenderError(Protocol protocol, const AwsError& e, const std::string& request_id) {
  boost::json::object body;
  net::HttpResponse r;
  r.status = e.status;
  if (protocol == Protocol::kQuery) {
    r.headers.push_back({"Content-Type", "text/xml"});
    r.headers.push_back({"x-amzn-RequestId", request_id});
    for (const auto& h : e.headers) r.headers.push_back(h);
    r.body = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>" +
             std::string(e.status >= 500 ? "Receiver" : "Sender") + "</Type><Code>" +
             XmlEscape(e.type) + "</Code><Message>" + XmlEscape(e.message) +
             "</Message></Error><RequestId>" + request_id + "</RequestId></ErrorResponse>";
    return r;
  }
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
