#include "gateway/responses.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "core/encoding.h"
#include "core/json.h"
#include "core/strings.h"

namespace nimbus::gateway {
namespace {

// A header value as API Gateway accepts it: a string, number or boolean.
bool ScalarText(const json::value& v, std::string* out) {
  if (v.is_string()) {
    *out = std::string(v.get_string());
  } else if (v.is_int64()) {
    *out = std::to_string(v.get_int64());
  } else if (v.is_uint64()) {
    *out = std::to_string(v.get_uint64());
  } else if (v.is_double()) {
    *out = nimbus::ToJson(v);
  } else if (v.is_bool()) {
    *out = v.get_bool() ? "true" : "false";
  } else {
    return false;
  }
  return true;
}

bool ReadStatusCode(const json::value& v, int* status) {
  long long n = 0;
  if (v.is_int64()) {
    n = v.get_int64();
  } else if (v.is_uint64()) {
    n = static_cast<long long>(v.get_uint64());
  } else if (v.is_string() && ParseInt64(v.get_string(), &n)) {
  } else {
    return false;
  }
  if (n < 100 || n > 599) return false;
  *status = static_cast<int>(n);
  return true;
}

// Reads the fields shared by both formats' proxy responses into `out`.
// False when the document is malformed.
bool ReadProxyResponse(const json::object& o, net::HttpResponse* out, bool strict) {
  const json::value* status = o.if_contains("statusCode");
  if (status == nullptr || !ReadStatusCode(*status, &out->status)) return false;
  bool base64 = false;
  std::vector<net::Header> single, multi, cookies;
  for (const auto& [key, value] : o) {
    if (key == "statusCode") continue;
    if (key == "headers") {
      if (value.is_null()) continue;
      if (!value.is_object()) return false;
      for (const auto& [name, hv] : value.get_object()) {
        std::string text;
        if (!ScalarText(hv, &text)) return false;
        single.push_back({std::string(name), text});
      }
    } else if (key == "multiValueHeaders") {
      if (value.is_null()) continue;
      if (!value.is_object()) return false;
      for (const auto& [name, list] : value.get_object()) {
        if (!list.is_array()) return false;
        for (const auto& item : list.get_array()) {
          std::string text;
          if (!ScalarText(item, &text)) return false;
          multi.push_back({std::string(name), text});
        }
      }
    } else if (key == "body") {
      if (value.is_null()) continue;
      if (!value.is_string()) return false;
      out->body = std::string(value.get_string());
    } else if (key == "isBase64Encoded") {
      if (value.is_null()) continue;
      if (!value.is_bool()) return false;
      base64 = value.get_bool();
    } else if (key == "cookies" && !strict) {
      if (value.is_null()) continue;
      if (!value.is_array()) return false;
      for (const auto& c : value.get_array()) {
        if (!c.is_string()) return false;
        cookies.push_back({"Set-Cookie", std::string(c.get_string())});
      }
    } else if (strict) {
      return false;  // REST accepts exactly the proxy response's fields
    }
  }
  // On a name in both, the multi-value list wins, whichever of the two the
  // document lists first.
  std::erase_if(single, [&](const net::Header& h) {
    return std::any_of(multi.begin(), multi.end(),
                       [&](const net::Header& m) { return EqualsIgnoreCase(h.name, m.name); });
  });
  out->headers = std::move(single);
  out->headers.insert(out->headers.end(), multi.begin(), multi.end());
  out->headers.insert(out->headers.end(), cookies.begin(), cookies.end());
  if (base64) {
    auto decoded = Base64Decode(out->body);
    if (!decoded) return false;
    out->body = std::move(*decoded);
  }
  return true;
}

}  // namespace

net::HttpResponse GatewayError(int status, const std::string& message, const std::string& error_type) {
  net::HttpResponse r =
      net::HttpResponse::Json(status, nimbus::ToJson(json::object{{"message", message}}));
  if (!error_type.empty()) r.headers.push_back({"x-amzn-ErrorType", error_type});
  return r;
}

net::HttpResponse MapResponseV2(const invoker::InvokeResult& result) {
  if (!result.status.ok() || !result.function_error.empty()) {
    return GatewayError(500, "Internal Server Error");
  }
  auto parsed = ParseJson(result.payload);
  if (!parsed.ok()) {
    spdlog::info("gateway: the function returned a payload that is not JSON");
    return GatewayError(500, "Internal Server Error");
  }
  const json::value& v = *parsed;
  if (v.is_object() && v.get_object().contains("statusCode")) {
    net::HttpResponse r;
    if (!ReadProxyResponse(v.get_object(), &r, /*strict=*/false)) {
      spdlog::info("gateway: malformed Lambda proxy response");
      return GatewayError(500, "Internal Server Error");
    }
    if (!r.FindHeader("content-type") && !r.body.empty()) {
      r.headers.push_back({"Content-Type", "application/json"});
    }
    return r;
  }
  net::HttpResponse r;
  r.status = 200;
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = v.is_string() ? std::string(v.get_string()) : result.payload;
  return r;
}

net::HttpResponse MapResponseV1(const invoker::InvokeResult& result, bool rest) {
  if (!result.status.ok() || !result.function_error.empty()) {
    return rest ? GatewayError(502, "Internal server error")
                : GatewayError(500, "Internal Server Error");
  }
  auto parsed = ParseJson(result.payload);
  net::HttpResponse r;
  if (!parsed.ok() || !parsed->is_object() || !parsed->get_object().contains("statusCode") ||
      !ReadProxyResponse(parsed->get_object(), &r, /*strict=*/true)) {
    spdlog::info("gateway: malformed Lambda proxy response");
    return rest ? GatewayError(502, "Internal server error")
                : GatewayError(500, "Internal Server Error");
  }
  return r;
}

}  // namespace nimbus::gateway
