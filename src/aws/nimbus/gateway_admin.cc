#include "aws/nimbus/gateway_admin.h"

#include <boost/json.hpp>

#include "core/json.h"

namespace nimbus::aws {
namespace {

namespace json = boost::json;

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

std::vector<std::string> ApiArn(const Call& c) { return {"arn:aws:nimbus:::api/" + c.Label("Id")}; }

}  // namespace

ServiceSpec GatewayAdminSpec() {
  ServiceSpec spec;
  spec.signing_name = "nimbus";
  spec.iam_prefix = "nimbus";
  spec.protocol = Protocol::kRestJson;
  spec.errors = ErrorTable({{Code::kNotFound, 404, "NotFoundException"},
                            {Code::kInternal, 500, "InternalFailure"},
                            {Code::kUnavailable, 500, "InternalFailure"}},
                           {Code::kInvalidArgument, 400, "BadRequestException"});
  spec.unknown_operation = [](const net::HttpRequest& req, std::string_view) {
    return AwsError{404, "NotFoundException",
                    "no such Nimbus API operation: " + req.method + " " + req.path};
  };
  return spec;
}

GatewayAdmin::GatewayAdmin(gateway::Gateway& gateway, std::function<std::string()> base_url)
    : ServiceFrontend(GatewayAdminSpec(), {}), gateway_(gateway), base_url_(std::move(base_url)) {
  SetOperations(Operations());
}

std::vector<Operation> GatewayAdmin::Operations() {
  Operation list{.name = "ListApis", .route = "GET /nimbus/apis"};
  list.handle = Sync([this](Call&) -> Result<json::value> {
    json::array apis;
    for (const auto& info : gateway_.List()) {
      auto config = gateway_.Get(info.id);
      if (config.ok()) apis.push_back(Describe(info, *config, base_url_()));
    }
    return json::object{{"apis", std::move(apis)}};
  });

  Operation put{.name = "PutApi", .route = "PUT /nimbus/apis/{Id}", .resources = ApiArn};
  put.handle = Sync([this](Call& c) -> Result<json::value> {
    const std::string& id = c.Label("Id");
    ASSIGN_OR_RETURN(gateway::ApiConfig config, gateway::ApiConfigFromJson(json::value(c.body)));
    if (config.id != id) {
      return InvalidArgument("the body's id '" + config.id + "' differs from the path's '" + id +
                             "'");
    }
    std::optional<bool> root;
    if (auto r = c.http.Query("root")) root = *r == "true";
    ASSIGN_OR_RETURN(gateway::ApiInfo info, gateway_.Put(std::move(config), root));
    ASSIGN_OR_RETURN(gateway::ApiConfig stored, gateway_.Get(id));
    return Describe(info, stored, base_url_());
  });

  Operation get{.name = "GetApi", .route = "GET /nimbus/apis/{Id}", .resources = ApiArn};
  get.handle = Sync([this](Call& c) -> Result<json::value> {
    ASSIGN_OR_RETURN(gateway::ApiConfig config, gateway_.Get(c.Label("Id")));
    return gateway::ToJson(config);
  });

  Operation del{.name = "DeleteApi", .route = "DELETE /nimbus/apis/{Id}", .resources = ApiArn};
  del.handle = [this](Call& c, Reply reply) {
    Status s = gateway_.Delete(c.Label("Id"));
    if (!s.ok()) return reply.Error(s);
    reply.Empty(204);
  };
  return {std::move(list), std::move(put), std::move(get), std::move(del)};
}

}  // namespace nimbus::aws
