#include "server/gateway_admin.h"

#include "core/json.h"

namespace nimbus::server {
namespace {

net::HttpResponse Error(const Status& s, const std::string& request_id) {
  aws::AwsError e;
  switch (s.code()) {
    case Code::kNotFound:
      e.status = 404;
      e.type = "NotFoundException";
      break;
    case Code::kInternal:
    case Code::kUnavailable:
      e.status = 500;
      e.type = "InternalFailure";
      break;
    default:
      e.status = 400;
      e.type = "BadRequestException";
  }
  e.message = s.message();
  return aws::RenderError(aws::Protocol::kRestJson, e, request_id);
}

json::object Describe(const gateway::ApiInfo& info, const gateway::ApiConfig& config,
                      const std::string& base_url) {
  // Where clients reach the API: by host name, by path prefix, and at the
  // root when it is the root API.
  std::string port = base_url.substr(base_url.rfind(':'));
  json::array urls;
  if (info.root) urls.emplace_back(base_url);
  urls.emplace_back("http://" + config.id + ".localhost" + port);
  urls.emplace_back(base_url + "/_api/" + config.id);
  json::array routes;
  for (const auto& r : info.routes) routes.emplace_back(r);
  return {{"id", info.id},
          {"root", info.root},
          {"http_api_id", config.http_api_id},
          {"rest_api_id", config.rest_api_id},
          {"stage", config.stage},
          {"urls", std::move(urls)},
          {"routes", std::move(routes)}};
}

}  // namespace

void GatewayAdmin::Handle(net::HttpRequest&& req, const aws::RequestContext& ctx,
                          net::Responder respond) {
  constexpr std::string_view kBase = "/nimbus/apis";
  std::string_view path = req.path;
  if (!path.starts_with(kBase)) {
    return respond(Error(NotFound("no such Nimbus API operation: " + req.method + " " + req.path),
                         ctx.request_id));
  }
  path.remove_prefix(kBase.size());
  std::string id = path.starts_with("/") ? std::string(path.substr(1)) : std::string();
  // The gateway's APIs are the administrator's: a function's credentials
  // reach them only when its role grants nimbus:<Method>Api on the API.
  std::string verb = req.method == "PUT"      ? "PutApi"
                     : req.method == "DELETE" ? "DeleteApi"
                     : id.empty()             ? "ListApis"
                                              : "GetApi";
  if (auto denied = ctx.Authorize("nimbus:" + verb,
                                  id.empty() ? "*" : "arn:aws:nimbus:::api/" + id)) {
    return respond(aws::RenderError(aws::Protocol::kRestJson, *denied, ctx.request_id));
  }
  if (id.empty() && req.method == "GET") {
    json::array apis;
    for (const auto& info : gateway_.List()) {
      auto config = gateway_.Get(info.id);
      if (config.ok()) apis.push_back(Describe(info, *config, base_url_()));
    }
    return respond(aws::JsonResponse(200, ToJson(json::object{{"apis", std::move(apis)}}),
                                     ctx.request_id));
  }
  if (id.empty() || id.find('/') != std::string::npos) {
    return respond(Error(InvalidArgument("expected /nimbus/apis/{id}"), ctx.request_id));
  }
  if (req.method == "PUT") {
    auto doc = ParseJson(req.body);
    if (!doc.ok()) return respond(Error(doc.status(), ctx.request_id));
    auto config = gateway::ApiConfigFromJson(*doc);
    if (!config.ok()) return respond(Error(config.status(), ctx.request_id));
    if (config->id != id) {
      return respond(Error(InvalidArgument("the body's id '" + config->id +
                                           "' differs from the path's '" + id + "'"),
                           ctx.request_id));
    }
    std::optional<bool> root;
    if (auto r = req.Query("root")) root = *r == "true";
    auto info = gateway_.Put(std::move(*config), root);
    if (!info.ok()) return respond(Error(info.status(), ctx.request_id));
    auto stored = gateway_.Get(id);
    return respond(aws::JsonResponse(200, ToJson(Describe(*info, *stored, base_url_())), ctx.request_id));
  }
  if (req.method == "GET") {
    auto config = gateway_.Get(id);
    if (!config.ok()) return respond(Error(config.status(), ctx.request_id));
    return respond(aws::JsonResponse(200, ToJson(gateway::ToJson(*config)), ctx.request_id));
  }
  if (req.method == "DELETE") {
    Status s = gateway_.Delete(id);
    if (!s.ok()) return respond(Error(s, ctx.request_id));
    net::HttpResponse r;
    r.status = 204;
    return respond(std::move(r));
  }
  respond(Error(InvalidArgument("unsupported method " + req.method), ctx.request_id));
}

}  // namespace nimbus::server
