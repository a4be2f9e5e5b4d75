#include "aws/protocol.h"

#include <boost/json.hpp>

#include "aws/xml.h"

namespace nimbus::aws {

ErrorTable::ErrorTable(std::initializer_list<ErrorRule> rules, ErrorRule fallback)
    : rules_(rules), fallback_(fallback) {}

ErrorTable& ErrorTable::Decorate(std::function<void(const Status&, AwsError&)> decorate) {
  decorate_ = std::move(decorate);
  return *this;
}

AwsError ErrorTable::Map(const Status& s) const {
  const ErrorRule* rule = &fallback_;
  for (const ErrorRule& r : rules_) {
    if (r.code == s.code() && (r.reason.empty() || r.reason == s.reason())) {
      rule = &r;
      break;
    }
  }
  AwsError e;
  e.status = rule->status;
  e.type = rule->reason_is_type && !s.reason().empty() ? s.reason() : std::string(rule->type);
  e.message = s.message();
  if (decorate_) decorate_(s, e);
  return e;
}

net::HttpResponse RenderError(Protocol protocol, const AwsError& e, const std::string& request_id,
                              const ErrorStyle& style) {
  net::HttpResponse r;
  r.status = e.status;
  if (protocol == Protocol::kQuery || protocol == Protocol::kRestXml) {
    // query: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>;
    // rest-xml (S3): <Error><Code/><Message/><RequestId/></Error>.
    XmlDocument doc(protocol == Protocol::kQuery ? "ErrorResponse" : "Error",
                    protocol == Protocol::kQuery ? style.xml_namespace : std::string());
    pugi::xml_node error = doc.root();
    if (protocol == Protocol::kQuery) {
      error = error.append_child("Error");
      AddText(error, "Type", e.status >= 500 ? "Receiver" : "Sender");
    }
    AddText(error, "Code", e.type);
    AddText(error, "Message", e.message);
    for (const auto& [k, v] : e.fields) {
      if (v.is_string()) AddText(error, k, v.get_string());
    }
    AddText(protocol == Protocol::kQuery ? doc.root() : error, "RequestId", request_id);
    r.headers.push_back({"Content-Type", protocol == Protocol::kQuery ? "text/xml" : "application/xml"});
    r.headers.push_back({protocol == Protocol::kQuery ? "x-amzn-RequestId" : "x-amz-request-id",
                         request_id});
    for (const auto& h : e.headers) r.headers.push_back(h);
    r.body = doc.Serialize(protocol == Protocol::kRestXml);
    return r;
  }
  boost::json::object body;
  std::string message_key = style.message_member ? style.message_member(e.type) : "message";
  if (protocol == Protocol::kRestJson) {
    body["Type"] = e.status >= 500 ? "Service" : "User";
    body[message_key] = e.message;
    r.headers.push_back({"x-amzn-ErrorType", e.type});
    r.headers.push_back({"Content-Type", "application/json"});
  } else {
    body["__type"] = (style.type_namespace ? style.type_namespace(e.type) : std::string()) + e.type;
    body[message_key] = e.message;
    r.headers.push_back({"Content-Type", "application/x-amz-json-" + style.json_version});
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
