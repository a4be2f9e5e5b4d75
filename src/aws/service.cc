#include "aws/service.h"

#include <algorithm>
#include <set>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "aws/access.h"

namespace nimbus::aws {
namespace {

const std::string kEmpty;

AwsError DefaultUnknown(Protocol protocol, const net::HttpRequest& req, std::string_view name) {
  switch (protocol) {
    case Protocol::kQuery:
      if (name.empty()) {
        return {400, "MissingAction", "The request must contain the parameter Action."};
      }
      return {400, "InvalidAction",
              "The action " + std::string(name) + " is not valid for this web service."};
    case Protocol::kRestXml:
      return {501, "NotImplemented",
              "A header or query you provided implies functionality that is not implemented"};
    case Protocol::kRestJson:
      return {404, "UnknownOperationException",
              "Nimbus does not implement " + req.method + " " + req.path + " yet"};
    case Protocol::kJson:
    default: return {400, "UnknownOperationException", ""};
  }
}

}  // namespace

const std::string& Call::Label(const std::string& name) const {
  auto it = labels.find(name);
  return it == labels.end() ? kEmpty : it->second;
}

const std::string& Call::Field(const std::string& name) const {
  auto it = form.find(name);
  return it == form.end() ? kEmpty : it->second;
}

Reply::Reply(net::Responder respond, std::shared_ptr<const ServiceSpec> spec,
             std::string request_id, std::string operation)
    : respond_(std::move(respond)), spec_(std::move(spec)), request_id_(std::move(request_id)),
      operation_(std::move(operation)) {}

net::HttpResponse Reply::Base(int status) const {
  net::HttpResponse r;
  r.status = status;
  r.headers.reserve(3);
  r.headers.push_back({spec_->protocol == Protocol::kRestXml ? "x-amz-request-id"
                                                             : "x-amzn-RequestId",
                       request_id_});
  return r;
}

void Reply::Json(const boost::json::value& body, int status, std::vector<net::Header> headers) {
  JsonText(boost::json::serialize(body), status, std::move(headers));
}

void Reply::JsonText(std::string body, int status, std::vector<net::Header> headers) {
  net::HttpResponse r;
  r.status = status;
  r.headers.reserve(2 + headers.size());
  if (spec_->protocol == Protocol::kJson) {
    r.headers.push_back({"Content-Type", spec_->style.json_version == "1.0"
                                             ? "application/x-amz-json-1.0"
                                             : "application/x-amz-json-1.1"});
  } else {
    r.headers.push_back({"Content-Type", "application/json"});
  }
  r.headers.push_back({"x-amzn-RequestId", request_id_});
  for (auto& h : headers) r.headers.push_back(std::move(h));
  r.body = std::move(body);
  respond_(std::move(r));
}

void Reply::Query(const std::function<void(pugi::xml_node result)>& fill) {
  XmlDocument doc(operation_ + "Response", spec_->style.xml_namespace);
  if (fill) fill(doc.root().append_child((operation_ + "Result").c_str()));
  AddText(doc.root().append_child("ResponseMetadata"), "RequestId", request_id_);
  net::HttpResponse r = Base(200);
  r.headers.push_back({"Content-Type", "text/xml"});
  r.body = doc.Serialize();
  respond_(std::move(r));
}

void Reply::Xml(std::string_view root, const std::function<void(pugi::xml_node root)>& fill,
                int status, std::vector<net::Header> headers) {
  XmlDocument doc(root, spec_->style.xml_namespace);
  if (fill) fill(doc.root());
  net::HttpResponse r = Base(status);
  r.headers.push_back({"Content-Type", "application/xml"});
  for (auto& h : headers) r.headers.push_back(std::move(h));
  r.body = doc.Serialize(true);
  respond_(std::move(r));
}

void Reply::Empty(int status, std::vector<net::Header> headers) {
  net::HttpResponse r = Base(status);
  for (auto& h : headers) r.headers.push_back(std::move(h));
  respond_(std::move(r));
}

void Reply::Raw(net::HttpResponse response) {
  net::HttpResponse base = Base(response.status);
  // A response naming its own request id (an invocation's) keeps it.
  if (response.FindHeader(base.headers.front().name) != nullptr) return respond_(std::move(response));
  response.headers.insert(response.headers.begin(), base.headers.begin(), base.headers.end());
  respond_(std::move(response));
}

void Reply::Error(const AwsError& error) {
  respond_(RenderError(spec_->protocol, error, request_id_, spec_->style));
}

void Reply::Error(const Status& status) { Error(spec_->errors.Map(status)); }

ServiceFrontend::ServiceFrontend(ServiceSpec spec, std::vector<Operation> operations)
    : spec_(std::make_shared<const ServiceSpec>(std::move(spec))) {
  SetOperations(std::move(operations));
}

void ServiceFrontend::SetOperations(std::vector<Operation> operations) {
  operations_ = std::move(operations);
  by_name_.clear();
  routes_.clear();
  for (size_t i = 0; i < operations_.size(); ++i) {
    const Operation& op = operations_[i];
    by_name_.emplace(op.name, i);
    if (spec_->protocol == Protocol::kRestJson || spec_->protocol == Protocol::kRestXml) {
      auto route = RestRoute::Parse(op.route);
      if (!route.ok()) {
        // A programming error in a frontend's table: fail loudly at start.
        spdlog::critical("{} {}: bad route '{}': {}", spec_->signing_name, op.name, op.route,
                         route.status().message());
        std::abort();
      }
      routes_.emplace_back(std::move(*route), i);
    }
  }
  std::stable_sort(routes_.begin(), routes_.end(), [](const auto& a, const auto& b) {
    return a.first.specificity() > b.first.specificity();
  });
}

const Operation* ServiceFrontend::Route(const net::HttpRequest& req,
                                        std::map<std::string, std::string>* labels,
                                        std::string* named) const {
  switch (spec_->protocol) {
    case Protocol::kJson: {
      auto op = JsonTarget(req, spec_->json_targets);
      *named = op ? *op : req.HeaderOr("X-Amz-Target");
      if (!op) return nullptr;
      auto it = by_name_.find(*op);
      return it == by_name_.end() ? nullptr : &operations_[it->second];
    }
    case Protocol::kQuery:
      return nullptr;  // decided once the form is read (Handle)
    case Protocol::kRestJson:
    case Protocol::kRestXml:
      *named = req.method + " " + req.path;
      for (const auto& [route, index] : routes_) {
        if (auto m = route.Match(req)) {
          *labels = std::move(*m);
          return &operations_[index];
        }
      }
      return nullptr;
  }
  return nullptr;
}

std::optional<AwsError> ServiceFrontend::Authorize(const Call& call) const {
  if (!call.ctx.is_instance()) return std::nullopt;  // the account's keys may do everything
  if (call.op.authorize) return call.op.authorize(call);
  std::string action =
      call.op.action.empty() ? spec_->iam_prefix + ":" + call.op.name : call.op.action;
  if (!call.op.resources) return call.ctx.Authorize(action, "*");
  std::set<std::string> seen;
  for (const std::string& resource : call.op.resources(call)) {
    if (!seen.insert(resource).second) continue;
    if (auto denied = call.ctx.Authorize(action, resource)) return denied;
  }
  return std::nullopt;
}

void ServiceFrontend::Handle(net::HttpRequest&& req, const RequestContext& ctx,
                             net::Responder respond) {
  std::map<std::string, std::string> labels;
  std::string named;
  FormFields form;
  const Operation* op = nullptr;
  if (spec_->protocol == Protocol::kQuery) {
    if (req.body_too_large) {
      return Reply(std::move(respond), spec_, ctx.request_id, "").Error(spec_->body_too_large);
    }
    form = DecodeForm(req);
    auto action = form.find("Action");
    named = action == form.end() ? std::string() : action->second;
    auto it = by_name_.find(named);
    if (it != by_name_.end()) op = &operations_[it->second];
  } else {
    op = Route(req, &labels, &named);
  }
  if (op == nullptr) {
    Reply reply(std::move(respond), spec_, ctx.request_id, named);
    return reply.Error(spec_->unknown_operation ? spec_->unknown_operation(req, named)
                                                : DefaultUnknown(spec_->protocol, req, named));
  }
  Reply reply(std::move(respond), spec_, ctx.request_id, op->name);
  Call call(ctx, req, *op);
  call.labels = std::move(labels);
  call.form = std::move(form);
  if (!op->raw_body) {
    if (req.body_too_large) return reply.Error(spec_->body_too_large);
    if (spec_->protocol == Protocol::kJson || spec_->protocol == Protocol::kRestJson) {
      auto body = DecodeJsonObject(req.body);
      if (!body.ok()) return reply.Error(body.status());
      call.body = std::move(*body);
    }
  }
  if (auto denied = Authorize(call)) return reply.Error(*denied);
  op->handle(call, std::move(reply));
}

}  // namespace nimbus::aws
