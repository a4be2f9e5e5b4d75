#include "gateway/events.h"

#include <ctime>

#include "core/encoding.h"
#include "core/strings.h"

namespace nimbus::gateway {
namespace {

std::string SourceIp(const net::HttpRequest& r) {
  std::string_view peer = r.peer;
  size_t colon = peer.rfind(':');
  return std::string(colon == std::string_view::npos ? peer : peer.substr(0, colon));
}

// Query parameters in order, decoded; "+" is a space as in forms.
std::vector<std::pair<std::string, std::string>> QueryPairs(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string_view part : Split(query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key = FormDecode(part.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : FormDecode(part.substr(eq + 1));
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

std::string ContentType(const net::HttpRequest& r) { return r.HeaderOr("content-type"); }

json::value BodyV1(const EventInput& in, bool* base64) {
  const std::string& body = in.request->body;
  *base64 = false;
  if (body.empty()) return nullptr;
  if (IsBinaryForRest(ContentType(*in.request), in.binary_media_types)) {
    *base64 = true;
    return json::string(Base64Encode(body));
  }
  return json::string(body);
}

json::object RequestContextV1(const EventInput& in) {
  const net::HttpRequest& r = *in.request;
  std::string stage_path = in.stage == "$default" ? in.path : "/" + in.stage + in.path;
  json::object identity{{"sourceIp", SourceIp(r)},
                        {"userAgent", r.HeaderOr("user-agent")},
                        {"apiKey", in.api_key.empty() ? json::value(nullptr) : json::value(in.api_key)},
                        {"apiKeyId", in.api_key_id.empty() ? json::value(nullptr) : json::value(in.api_key_id)},
                        {"accessKey", nullptr},
                        {"accountId", nullptr},
                        {"caller", nullptr},
                        {"cognitoAuthenticationProvider", nullptr},
                        {"cognitoAuthenticationType", nullptr},
                        {"cognitoIdentityId", nullptr},
                        {"cognitoIdentityPoolId", nullptr},
                        {"principalOrgId", nullptr},
                        {"user", nullptr},
                        {"userArn", nullptr},
                        {"clientCert", nullptr}};
  json::object ctx{{"accountId", in.account_id},
                   {"apiId", in.api_id},
                   {"resourceId", in.api_id.substr(0, 6)},
                   {"stage", in.stage},
                   {"domainName", in.domain_name},
                   {"domainPrefix", in.domain_name.substr(0, in.domain_name.find('.'))},
                   {"requestId", in.request_id},
                   {"extendedRequestId", in.request_id},
                   {"resourcePath", in.resource},
                   {"httpMethod", r.method},
                   {"path", stage_path},
                   {"protocol", "HTTP/1.1"},
                   {"requestTime", FormatRequestTime(in.time_ms)},
                   {"requestTimeEpoch", in.time_ms},
                   {"identity", std::move(identity)}};
  if (!in.authorizer.is_null()) ctx["authorizer"] = in.authorizer;
  return ctx;
}

void AddHeadersV1(const net::HttpRequest& r, json::object& event) {
  json::object headers, multi;
  for (const auto& h : r.headers) {
    headers[h.name] = h.value;  // the last value wins
    auto& list = multi[h.name];
    if (list.is_null()) list = json::array();
    list.get_array().emplace_back(h.value);
  }
  event["headers"] = headers.empty() ? json::value(nullptr) : json::value(std::move(headers));
  event["multiValueHeaders"] = multi.empty() ? json::value(nullptr) : json::value(std::move(multi));
}

void AddQueryV1(const net::HttpRequest& r, json::object& event) {
  json::object single, multi;
  for (auto& [k, v] : QueryPairs(r.query)) {
    single[k] = v;
    auto& list = multi[k];
    if (list.is_null()) list = json::array();
    list.get_array().emplace_back(v);
  }
  event["queryStringParameters"] = single.empty() ? json::value(nullptr) : json::value(std::move(single));
  event["multiValueQueryStringParameters"] =
      multi.empty() ? json::value(nullptr) : json::value(std::move(multi));
}

json::value PathParams(const EventInput& in) {
  if (in.path_parameters.empty()) return nullptr;
  json::object o;
  for (const auto& [k, v] : in.path_parameters) o[k] = v;
  return o;
}

}  // namespace

std::string FormatRequestTime(int64_t epoch_ms) {
  time_t t = static_cast<time_t>(epoch_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[40];
  strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return buf;
}

bool IsTextContentType(std::string_view content_type) {
  std::string ct = ToLower(Trim(content_type.substr(0, content_type.find(';'))));
  if (ct.empty()) return true;  // no declared type: API Gateway passes text
  if (ct.starts_with("text/")) return true;
  static constexpr std::string_view kText[] = {
      "application/json",       "application/xml",          "application/javascript",
      "application/ecmascript", "application/x-www-form-urlencoded", "application/graphql",
      "application/yaml",       "application/x-yaml",       "application/ld+json"};
  for (auto t : kText) {
    if (ct == t) return true;
  }
  return ct.ends_with("+json") || ct.ends_with("+xml");
}

bool IsBinaryForRest(std::string_view content_type, const std::vector<std::string>& binary_types) {
  std::string ct = ToLower(Trim(content_type.substr(0, content_type.find(';'))));
  for (const std::string& pattern : binary_types) {
    std::string p = ToLower(pattern);
    if (p == "*/*" || p == ct) return true;
    if (p.ends_with("/*") && ct.starts_with(p.substr(0, p.size() - 1))) return true;
  }
  return false;
}

json::object BuildEventV2(const EventInput& in) {
  const net::HttpRequest& r = *in.request;
  json::object headers;
  json::array cookies;
  for (const auto& h : r.headers) {
    std::string name = ToLower(h.name);
    if (name == "cookie") {
      for (std::string_view c : Split(h.value, ';')) {
        c = Trim(c);
        if (!c.empty()) cookies.emplace_back(c);
      }
      continue;
    }
    auto it = headers.find(name);
    if (it == headers.end()) {
      headers[name] = h.value;
    } else {
      it->value() = json::string(std::string(it->value().get_string()) + "," + h.value);
    }
  }
  json::object event{{"version", "2.0"},
                     {"routeKey", in.route_key},
                     {"rawPath", in.path},
                     {"rawQueryString", r.query}};
  if (!cookies.empty()) event["cookies"] = std::move(cookies);
  event["headers"] = std::move(headers);
  json::object query;
  for (auto& [k, v] : QueryPairs(r.query)) {
    auto it = query.find(k);
    if (it == query.end()) {
      query[k] = v;
    } else {
      it->value() = json::string(std::string(it->value().get_string()) + "," + v);
    }
  }
  if (!query.empty()) event["queryStringParameters"] = std::move(query);
  if (!in.path_parameters.empty()) event["pathParameters"] = PathParams(in);
  json::object http{{"method", r.method},
                    {"path", in.path},
                    {"protocol", "HTTP/1.1"},
                    {"sourceIp", SourceIp(r)},
                    {"userAgent", r.HeaderOr("user-agent")}};
  json::object ctx{{"accountId", in.account_id},
                   {"apiId", in.api_id},
                   {"domainName", in.domain_name},
                   {"domainPrefix", in.domain_name.substr(0, in.domain_name.find('.'))},
                   {"http", std::move(http)},
                   {"requestId", in.request_id},
                   {"routeKey", in.route_key},
                   {"stage", in.stage},
                   {"time", FormatRequestTime(in.time_ms)},
                   {"timeEpoch", in.time_ms}};
  if (!in.authorizer.is_null()) ctx["authorizer"] = in.authorizer;
  event["requestContext"] = std::move(ctx);
  if (!r.body.empty()) {
    bool text = IsTextContentType(ContentType(r));
    event["body"] = text ? r.body : Base64Encode(r.body);
    event["isBase64Encoded"] = !text;
  } else {
    event["isBase64Encoded"] = false;
  }
  return event;
}

json::object BuildEventV1(const EventInput& in) {
  const net::HttpRequest& r = *in.request;
  json::object event;
  if (in.stage == "$default") event["version"] = "1.0";  // HTTP API 1.0; REST events have none
  event["resource"] = in.resource;
  event["path"] = in.path;
  event["httpMethod"] = r.method;
  AddHeadersV1(r, event);
  AddQueryV1(r, event);
  event["pathParameters"] = PathParams(in);
  event["stageVariables"] = nullptr;
  event["requestContext"] = RequestContextV1(in);
  bool base64 = false;
  event["body"] = BodyV1(in, &base64);
  event["isBase64Encoded"] = base64;
  return event;
}

json::object BuildAuthorizerEventV2(const EventInput& in, const std::vector<std::string>& identity,
                                    const std::string& route_arn) {
  json::object event = BuildEventV2(in);
  event.erase("body");
  event.erase("isBase64Encoded");
  event["type"] = "REQUEST";
  event["routeArn"] = route_arn;
  json::array ids;
  for (const auto& i : identity) ids.emplace_back(i);
  event["identitySource"] = std::move(ids);
  return event;
}

json::object BuildTokenAuthorizerEvent(const std::string& token, const std::string& method_arn) {
  return {{"type", "TOKEN"}, {"authorizationToken", token}, {"methodArn", method_arn}};
}

json::object BuildRequestAuthorizerEventV1(const EventInput& in, const std::string& method_arn) {
  json::object event = BuildEventV1(in);
  event.erase("body");
  event.erase("isBase64Encoded");
  event.erase("version");
  event["type"] = "REQUEST";
  event["methodArn"] = method_arn;
  return event;
}

}  // namespace nimbus::gateway
