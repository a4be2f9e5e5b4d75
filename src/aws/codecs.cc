#include "aws/codecs.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "core/encoding.h"
#include "core/json.h"
#include "core/strings.h"

namespace nimbus::aws {

std::optional<std::string> JsonTarget(const net::HttpRequest& req,
                                      const std::vector<std::string>& prefixes) {
  const std::string* target = req.FindHeader("X-Amz-Target");
  if (target == nullptr) return std::nullopt;
  std::string_view t = *target;
  for (const std::string& prefix : prefixes) {
    if (t.size() > prefix.size() + 1 && t.starts_with(prefix) && t[prefix.size()] == '.') {
      return std::string(t.substr(prefix.size() + 1));
    }
  }
  return std::nullopt;
}

Result<boost::json::object> DecodeJsonObject(std::string_view body) {
  if (body.empty()) return boost::json::object{};
  auto parsed = ParseJson(body);
  if (!parsed.ok()) {
    return Status(Code::kInvalidArgument, parsed.status().message(),
                  std::string(kSerializationReason));
  }
  if (!parsed->is_object()) {
    return Status(Code::kInvalidArgument, "Start of structure or map found where not expected.",
                  std::string(kSerializationReason));
  }
  return std::move(parsed->get_object());
}

namespace {

template <typename T>
Result<T> Serialization(Result<T> r) {
  if (r.ok()) return r;
  return Status(Code::kInvalidArgument, r.status().message(), std::string(kSerializationReason));
}

}  // namespace

JsonMembers::JsonMembers(const boost::json::object& object, std::string context)
    : object_(object), context_(std::move(context)) {}

Result<std::optional<std::string>> JsonMembers::String(std::string_view key) const {
  return Serialization(JsonObjectReader(object_, context_).String(key));
}

Result<std::string> JsonMembers::String(std::string_view key, std::string fallback) const {
  ASSIGN_OR_RETURN(auto v, String(key));
  return v ? std::move(*v) : std::move(fallback);
}

Result<std::optional<int64_t>> JsonMembers::Int(std::string_view key) const {
  return Serialization(JsonObjectReader(object_, context_).Int(key));
}

Result<int64_t> JsonMembers::Int(std::string_view key, int64_t fallback) const {
  ASSIGN_OR_RETURN(auto v, Int(key));
  return v.value_or(fallback);
}

Result<std::optional<bool>> JsonMembers::Bool(std::string_view key) const {
  return Serialization(JsonObjectReader(object_, context_).Bool(key));
}

Result<bool> JsonMembers::Bool(std::string_view key, bool fallback) const {
  ASSIGN_OR_RETURN(auto v, Bool(key));
  return v.value_or(fallback);
}

Result<const boost::json::object*> JsonMembers::Object(std::string_view key) const {
  return Serialization(JsonObjectReader(object_, context_).Object(key));
}

Result<const boost::json::array*> JsonMembers::Array(std::string_view key) const {
  return Serialization(JsonObjectReader(object_, context_).Array(key));
}

Result<std::vector<std::string>> JsonMembers::Strings(std::string_view key) const {
  ASSIGN_OR_RETURN(const boost::json::array* a, Array(key));
  std::vector<std::string> out;
  if (a == nullptr) return out;
  for (const auto& v : *a) {
    if (!v.is_string()) {
      return Status(Code::kInvalidArgument,
                    "member " + (context_.empty() ? "" : context_ + ".") + std::string(key) +
                        " must be an array of strings",
                    std::string(kSerializationReason));
    }
    out.emplace_back(v.get_string());
  }
  return out;
}

bool JsonMembers::Has(std::string_view key) const {
  return JsonObjectReader(object_, context_).Has(key);
}

Result<RestRoute> RestRoute::Parse(std::string_view spec) {
  RestRoute r;
  size_t space = spec.find(' ');
  if (space == std::string_view::npos) return InvalidArgument("a route is 'METHOD /path'");
  r.method_ = std::string(spec.substr(0, space));
  std::string_view rest = spec.substr(space + 1);
  size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  if (q != std::string_view::npos) {
    for (std::string_view key : Split(rest.substr(q + 1), '&')) {
      if (!key.empty()) r.query_keys_.emplace_back(key.substr(0, key.find('=')));
    }
  }
  if (!path.starts_with('/')) return InvalidArgument("a route's path starts with '/'");
  path.remove_prefix(1);
  if (path.empty()) return r;
  for (std::string_view seg : Split(path, '/')) {
    Segment s;
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      s.label = true;
      seg = seg.substr(1, seg.size() - 2);
      if (seg.ends_with('+')) {
        s.greedy = true;
        seg.remove_suffix(1);
      }
    } else {
      ++r.specificity_;
    }
    s.text = std::string(seg);
    r.segments_.push_back(std::move(s));
  }
  r.specificity_ = r.specificity_ * 8 + static_cast<int>(r.query_keys_.size());
  return r;
}

std::optional<std::map<std::string, std::string>> RestRoute::Match(
    const net::HttpRequest& req) const {
  if (req.method != method_) return std::nullopt;
  for (const std::string& key : query_keys_) {
    if (!req.Query(key)) return std::nullopt;
  }
  std::string_view path = req.path;
  if (!path.starts_with('/')) return std::nullopt;
  path.remove_prefix(1);
  // "/a/b/" matches the route "/a/b".
  if (path.ends_with('/') && !(segments_.size() && segments_.back().greedy)) path.remove_suffix(1);
  std::vector<std::string_view> parts;
  if (!path.empty()) parts = Split(path, '/');
  std::map<std::string, std::string> labels;
  size_t i = 0;
  for (const Segment& s : segments_) {
    if (s.greedy) {
      if (i >= parts.size()) return std::nullopt;
      std::string_view tail = path.substr(parts[i].data() - path.data());
      if (tail.empty()) return std::nullopt;
      labels[s.text] = PercentDecode(tail);
      return labels;
    }
    if (i >= parts.size()) return std::nullopt;
    if (s.label) {
      if (parts[i].empty()) return std::nullopt;
      labels[s.text] = PercentDecode(parts[i]);
    } else if (parts[i] != s.text) {
      return std::nullopt;
    }
    ++i;
  }
  if (i != parts.size()) return std::nullopt;
  return labels;
}

FormFields DecodeForm(const net::HttpRequest& req) {
  FormFields out;
  for (auto& [k, v] : req.QueryParams()) out[k] = v;
  if (!req.body.empty()) {
    for (std::string_view pair : Split(req.body, '&')) {
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      std::string key = FormDecode(pair.substr(0, eq));
      out[key] = eq == std::string_view::npos ? std::string() : FormDecode(pair.substr(eq + 1));
    }
  }
  return out;
}

std::vector<std::string> FormList(const FormFields& form, std::string_view prefix,
                                  std::string_view field) {
  std::vector<std::string> out;
  for (int i = 1;; ++i) {
    std::string key = field.empty() ? fmt::format("{}.{}", prefix, i)
                                    : fmt::format("{}.{}.{}", prefix, i, field);
    auto it = form.find(key);
    if (it == form.end()) break;
    out.push_back(it->second);
  }
  return out;
}

}  // namespace nimbus::aws
