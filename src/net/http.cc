#include "net/http.h"

#include "core/encoding.h"
#include "core/strings.h"

namespace nimbus::net {

const std::string* HttpRequest::FindHeader(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

std::string HttpRequest::HeaderOr(std::string_view name, std::string_view fallback) const {
  const std::string* v = FindHeader(name);
  return v ? *v : std::string(fallback);
}

std::vector<std::pair<std::string, std::string>> HttpRequest::QueryParams() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (query.empty()) return out;
  for (std::string_view item : Split(query, '&')) {
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(PercentDecode(item), "");
    } else {
      out.emplace_back(PercentDecode(item.substr(0, eq)), PercentDecode(item.substr(eq + 1)));
    }
  }
  return out;
}

std::optional<std::string> HttpRequest::Query(std::string_view name) const {
  for (auto& [k, v] : QueryParams()) {
    if (k == name) return std::move(v);
  }
  return std::nullopt;
}

void HttpRequest::SplitTarget() {
  size_t q = target.find('?');
  if (q == std::string::npos) {
    path = target;
    query.clear();
  } else {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
}

void HttpResponse::SetHeader(std::string_view name, std::string value) {
  std::erase_if(headers, [&](const Header& h) { return EqualsIgnoreCase(h.name, name); });
  headers.push_back({std::string(name), std::move(value)});
}

const std::string* HttpResponse::FindHeader(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  r.body = std::move(body);
  return r;
}

}  // namespace nimbus::net
