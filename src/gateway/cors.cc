#include "gateway/cors.h"

#include <algorithm>

#include "core/strings.h"

namespace nimbus::gateway {
namespace {

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ",";
    out += i;
  }
  return out;
}

// The value of Access-Control-Allow-Origin for `origin`, or "" when not allowed.
std::string AllowedOrigin(const CorsConfig& cors, const std::string& origin) {
  for (const auto& allowed : cors.allow_origins) {
    if (allowed == "*") return cors.allow_credentials ? origin : "*";
    if (EqualsIgnoreCase(allowed, origin)) return origin;
    // "https://*.example.com": one wildcard label, so the star stands for
    // letters, digits and '-' only ("https://a.b.example.com" does not match).
    if (size_t star = allowed.find('*'); star != std::string::npos) {
      std::string_view prefix(allowed.data(), star), suffix(allowed.data() + star + 1);
      if (origin.size() > prefix.size() + suffix.size() && origin.starts_with(prefix) &&
          origin.ends_with(suffix)) {
        std::string_view label(origin.data() + prefix.size(),
                               origin.size() - prefix.size() - suffix.size());
        if (std::all_of(label.begin(), label.end(), [](char c) {
              return isalnum(static_cast<unsigned char>(c)) || c == '-';
            })) {
          return origin;
        }
      }
    }
  }
  return "";
}

}  // namespace

bool IsPreflight(const net::HttpRequest& req) {
  return req.method == "OPTIONS" && req.FindHeader("origin") &&
         req.FindHeader("access-control-request-method");
}

net::HttpResponse PreflightResponse(const CorsConfig& cors, const net::HttpRequest& req,
                                    const std::vector<std::string>& route_methods, bool rest) {
  net::HttpResponse r;
  r.status = rest ? 200 : 204;
  std::string origin = AllowedOrigin(cors, req.HeaderOr("origin"));
  if (origin.empty()) return r;  // not allowed: no CORS headers, the browser refuses
  r.headers.push_back({"Access-Control-Allow-Origin", origin});
  std::vector<std::string> methods = cors.allow_methods;
  if (methods.empty()) {
    methods.push_back("OPTIONS");
    for (const auto& m : route_methods) {
      if (m == "ANY") {
        methods = {"*"};
        break;
      }
      if (std::find(methods.begin(), methods.end(), m) == methods.end()) methods.push_back(m);
    }
  }
  r.headers.push_back({"Access-Control-Allow-Methods", JoinList(methods)});
  if (!cors.allow_headers.empty()) {
    r.headers.push_back({"Access-Control-Allow-Headers", JoinList(cors.allow_headers)});
  } else if (auto* asked = req.FindHeader("access-control-request-headers")) {
    r.headers.push_back({"Access-Control-Allow-Headers", *asked});
  }
  if (cors.allow_credentials) r.headers.push_back({"Access-Control-Allow-Credentials", "true"});
  if (cors.max_age >= 0) r.headers.push_back({"Access-Control-Max-Age", std::to_string(cors.max_age)});
  if (!rest) r.headers.push_back({"Vary", "Origin"});
  return r;
}

void AddCorsHeaders(const CorsConfig& cors, const net::HttpRequest& req, net::HttpResponse& resp) {
  const std::string* origin_header = req.FindHeader("origin");
  if (!origin_header) return;
  std::string origin = AllowedOrigin(cors, *origin_header);
  if (origin.empty()) return;
  resp.SetHeader("Access-Control-Allow-Origin", origin);
  if (cors.allow_credentials) resp.SetHeader("Access-Control-Allow-Credentials", "true");
  if (!cors.expose_headers.empty()) {
    resp.SetHeader("Access-Control-Expose-Headers", JoinList(cors.expose_headers));
  }
  if (origin != "*") resp.headers.push_back({"Vary", "Origin"});
}

}  // namespace nimbus::gateway
