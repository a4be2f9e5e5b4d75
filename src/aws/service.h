// The one pattern every AWS frontend follows. A frontend is a ServiceSpec (its
// signing name, protocol, IAM prefix, error table and style) and a table of
// Operations; ServiceFrontend does the rest, the same way for every service:
//
//   1. route: the protocol's codec names the operation (X-Amz-Target, method
//      and path template, or Action) — an unknown one is answered in the
//      service's protocol;
//   2. decode: the body becomes the operation's input (a JSON object, the
//      form, or left raw when the operation reads it itself) — a body that is
//      not the protocol's shape is answered with the service's serialization
//      error, never thrown;
//   3. authorize: a function's credentials are checked against its role for
//      the operation's IAM action on the resources it names, before anything
//      is read or changed (operations with several actions check them
//      themselves in `authorize`);
//   4. handle: the operation calls its domain service and answers through a
//      Reply: a body in the protocol's shape, or a Status the service's
//      ErrorTable turns into its wire error.
//
// To add a service: see "Where to add a new AWS service" in the README.
//
// Threads: Handle runs on the endpoint's I/O threads, concurrently; the
// spec and the operation table are immutable after construction. An
// operation's handler may keep its Reply and answer later from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "aws/codecs.h"
#include "aws/endpoint.h"
#include "aws/protocol.h"
#include "aws/xml.h"

namespace nimbus::aws {

struct Operation;

struct ServiceSpec {
  std::string signing_name;  // "lambda": requests signed for it come here
  std::string iam_prefix;    // "lambda": an operation's action is "<prefix>:<Operation>"
  Protocol protocol = Protocol::kJson;
  std::vector<std::string> json_targets;  // JSON: X-Amz-Target prefixes ("Logs_20140328")
  std::string query_version;              // query: the API version ("2010-05-08")
  ErrorStyle style;                       // content type version, namespaces
  ErrorTable errors{{}, {Code::kInternal, 500, "InternalFailure"}};
  // The answer to a request whose body exceeded the server's limit.
  AwsError body_too_large{413, "RequestTooLargeException", "Request entity too large"};
  // The answer to a request naming no operation Nimbus serves; `name` is the
  // operation (or target / method and path) the request named.
  std::function<AwsError(const net::HttpRequest&, std::string_view name)> unknown_operation;
};

// One request as an operation sees it: decoded, authorized.
class Call {
 public:
  Call(const RequestContext& ctx, net::HttpRequest& http, const Operation& op)
      : ctx(ctx), http(http), op(op) {}

  const RequestContext& ctx;
  net::HttpRequest& http;  // headers, query and (for raw operations) the body
  const Operation& op;
  std::map<std::string, std::string> labels;  // rest: the path's labels
  boost::json::object body;                   // JSON and rest-json: the decoded body
  FormFields form;                            // query: the form's fields

  // A path label ("" when absent) and a form field ("" when absent).
  const std::string& Label(const std::string& name) const;
  const std::string& Field(const std::string& name) const;
  bool HasField(const std::string& name) const { return form.count(name) != 0; }
};

// How an operation answers: exactly one of its methods, once. Movable, so an
// operation may answer later (an invocation's result).
class Reply {
 public:
  Reply(net::Responder respond, std::shared_ptr<const ServiceSpec> spec, std::string request_id,
        std::string operation);

  // JSON and rest-json: a JSON body.
  void Json(const boost::json::value& body, int status = 200,
            std::vector<net::Header> headers = {});
  // JSON and rest-json: a body already serialized.
  void JsonText(std::string body, int status = 200, std::vector<net::Header> headers = {});
  // query: <OperationResponse><OperationResult>…</OperationResult>
  // <ResponseMetadata><RequestId/>…; `fill` writes the result's members
  // (none: the answer has no Result element).
  void Query(const std::function<void(pugi::xml_node result)>& fill = {});
  // rest-xml: an XML document (its root and members written by `fill`).
  void Xml(std::string_view root, const std::function<void(pugi::xml_node root)>& fill,
           int status = 200, std::vector<net::Header> headers = {});
  // An answer with no body (204 by default).
  void Empty(int status = 204, std::vector<net::Header> headers = {});
  // A response built by the operation; the request id header is added
  // unless the response names its own (an invocation's).
  void Raw(net::HttpResponse response);
  void Error(const AwsError& error);
  void Error(const Status& status);  // through the service's ErrorTable

  const std::string& request_id() const { return request_id_; }
  const ServiceSpec& spec() const { return *spec_; }

 private:
  net::HttpResponse Base(int status) const;

  net::Responder respond_;
  std::shared_ptr<const ServiceSpec> spec_;
  std::string request_id_;
  std::string operation_;
};

struct Operation {
  std::string name;  // "PutItem"
  // rest-json and rest-xml: "METHOD /path/{Label}?subresource".
  std::string route;
  // The IAM action; empty: "<iam_prefix>:<name>".
  std::string action;
  // The resources the action is checked on (ARNs); unset: "*".
  std::function<std::vector<std::string>(const Call&)> resources;
  // Replaces the single-action check for operations that perform several
  // actions (batches, transactions, PassRole); nullopt allows.
  std::function<std::optional<AwsError>(const Call&)> authorize;
  // true: the body is left unread in `Call::http.body` for the handler (an
  // invocation's payload, an object's bytes), and an over-limit body is the
  // handler's to answer.
  bool raw_body = false;
  std::function<void(Call&, Reply)> handle;
};

// An operation that answers at once with a JSON body (JSON and rest-json), or
// with a Status its service's ErrorTable maps:
//   Sync([this](Call& c) -> Result<boost::json::value> { ... })
template <typename Fn>
std::function<void(Call&, Reply)> Sync(Fn fn) {
  return [fn = std::move(fn)](Call& call, Reply reply) {
    Result<boost::json::value> r = fn(call);
    if (r.ok()) {
      reply.Json(*r);
    } else {
      reply.Error(r.status());
    }
  };
}

class ServiceFrontend : public Frontend {
 public:
  ServiceFrontend(ServiceSpec spec, std::vector<Operation> operations);

  Protocol protocol() const override { return spec_->protocol; }
  const ErrorStyle& style() const override { return spec_->style; }
  void Handle(net::HttpRequest&& req, const RequestContext& ctx, net::Responder respond) override;

  const ServiceSpec& spec() const { return *spec_; }

 protected:
  // Replaces the operation table; for frontends whose operations capture
  // `this` and so are built in the derived constructor. Call before serving.
  void SetOperations(std::vector<Operation> operations);

 private:
  // The operation `req` names, with its labels; nullptr when none.
  const Operation* Route(const net::HttpRequest& req, std::map<std::string, std::string>* labels,
                         std::string* named) const;
  std::optional<AwsError> Authorize(const Call& call) const;

  std::shared_ptr<const ServiceSpec> spec_;
  std::vector<Operation> operations_;
  std::unordered_map<std::string, size_t> by_name_;                  // JSON, query
  std::vector<std::pair<RestRoute, size_t>> routes_;  // rest, most specific first
};

}  // namespace nimbus::aws
