#include "deploy/client.h"

#include <boost/json.hpp>
#include <cstdlib>

#include "aws/credential_store.h"
#include "aws/sigv4.h"
#include "core/fs.h"
#include "core/platform.h"
#include "core/strings.h"
#include "core/time.h"

namespace nimbus::deploy {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

const std::string* AwsReply::Header(std::string_view name) const {
  for (const auto& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

Result<ClientOptions> ResolveClientOptions(ClientOptions o) {
  if (o.endpoint.empty()) o.endpoint = Env("AWS_ENDPOINT_URL");
  if (o.endpoint.empty()) {
    auto info = ReadFile(o.data_dir + "/server.json");
    if (info.ok()) {
      auto v = ParseJson(*info);
      if (v.ok() && v->is_object()) {
        if (auto* e = v->get_object().if_contains("endpoint"); e && e->is_string()) {
          o.endpoint = std::string(e->get_string());
        }
      }
    }
  }
  if (o.endpoint.empty()) o.endpoint = "http://127.0.0.1:" + std::to_string(kDefaultApiPort);
  if (o.region.empty()) o.region = Env("AWS_REGION");
  if (o.region.empty()) o.region = Env("AWS_DEFAULT_REGION");
  if (o.region.empty()) o.region = std::string(kDefaultRegion);
  if (o.access_key_id.empty()) {
    o.access_key_id = Env("AWS_ACCESS_KEY_ID");
    o.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
    o.session_token = Env("AWS_SESSION_TOKEN");
  }
  if (o.access_key_id.empty()) {
    auto text = ReadFile(o.data_dir + "/credentials");
    if (text.ok()) {
      auto kv = aws::CredentialStore::ParseIni(*text, "default");
      o.access_key_id = kv["aws_access_key_id"];
      o.secret_access_key = kv["aws_secret_access_key"];
    }
  }
  if (o.access_key_id.empty() || o.secret_access_key.empty()) {
    return Status(Code::kUnauthenticated,
                  "no credentials: pass --access-key/--secret-key, set AWS_ACCESS_KEY_ID and "
                  "AWS_SECRET_ACCESS_KEY, or run where " +
                      o.data_dir + "/credentials is readable");
  }
  return o;
}

AwsClient::AwsClient(ClientOptions options) : options_(std::move(options)) {
  auto ep = net::ParseHttpEndpoint(options_.endpoint);
  if (ep.ok()) {
    host_ = ep->first;
    port_ = ep->second;
  }
  http_ = std::make_unique<net::HttpClient>(host_, port_);
}

Result<AwsReply> AwsClient::Call(const std::string& service, const std::string& method,
                                 const std::string& target, std::vector<net::Header> headers,
                                 std::string body) {
  if (host_.empty()) return InvalidArgument("bad endpoint " + options_.endpoint);
  net::HttpRequest req;
  req.method = method;
  req.target = target;
  req.headers = std::move(headers);
  req.headers.push_back({"Host", host_ + ":" + std::to_string(port_)});
  req.body = std::move(body);
  aws::SignRequest(req, options_.access_key_id, options_.secret_access_key, options_.session_token,
                   options_.region, service, NowEpochMillis() / 1000);
  ASSIGN_OR_RETURN(net::HttpResponse resp, http_->Send(req, std::chrono::seconds(960)));
  return AwsReply{resp.status, std::move(resp.headers), std::move(resp.body)};
}

std::string DescribeAwsError(const AwsReply& reply) {
  std::string type, message;
  if (const std::string* t = reply.Header("x-amzn-ErrorType")) type = *t;
  auto v = ParseJson(reply.body);
  if (v.ok() && v->is_object()) {
    const auto& o = v->get_object();
    for (const char* k : {"message", "Message"}) {
      if (auto* m = o.if_contains(k); m && m->is_string()) message = std::string(m->get_string());
    }
    if (type.empty()) {
      if (auto* t = o.if_contains("__type"); t && t->is_string())
        type = std::string(t->get_string());
    }
  }
  if (type.empty()) type = "HTTP " + std::to_string(reply.status);
  return type + ": " + (message.empty() ? reply.body : message);
}

Result<json::value> AwsClient::CallJson(const std::string& service, const std::string& method,
                                        const std::string& target, std::vector<net::Header> headers,
                                        std::string body) {
  ASSIGN_OR_RETURN(AwsReply reply,
                   Call(service, method, target, std::move(headers), std::move(body)));
  if (reply.status >= 300) return Status(Code::kFailedPrecondition, DescribeAwsError(reply));
  if (reply.body.empty()) return json::value(json::object{});
  return ParseJson(reply.body);
}

Result<json::value> AwsClient::CallTarget(const std::string& service,
                                          const std::string& json_version,
                                          const std::string& target, const json::object& body) {
  return CallJson(
      service, "POST", "/",
      {{"Content-Type", "application/x-amz-json-" + json_version}, {"X-Amz-Target", target}},
      json::serialize(body));
}

bool IsNotFound(const Status& s) {
  return s.code() == Code::kNotFound || s.message().find("NotFoundException") != std::string::npos;
}

}  // namespace nimbus::deploy
