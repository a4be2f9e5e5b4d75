#include "gateway/router.h"

#include <algorithm>

#include "core/encoding.h"

namespace nimbus::gateway {
namespace {

bool ValidMethod(std::string_view m) {
  static constexpr std::string_view kMethods[] = {"GET",  "POST",    "PUT", "PATCH",
                                                  "DELETE", "HEAD", "OPTIONS", "ANY"};
  return std::find(std::begin(kMethods), std::end(kMethods), m) != std::end(kMethods);
}

bool ValidParamName(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string_view> Router::SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  if (path.empty()) return parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      parts.push_back(path.substr(start));
      break;
    }
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

Status ValidateRouteTemplate(std::string_view path) {
  if (path == "$default") return Status::Ok();
  if (path.empty() || path[0] != '/') {
    return InvalidArgument("route path '" + std::string(path) + "' must start with '/'");
  }
  if (path.size() > 1 && path.back() == '/') {
    return InvalidArgument("route path '" + std::string(path) + "' must not end with '/'");
  }
  std::string_view rest = path.substr(1);
  size_t index = 0;
  size_t count = rest.empty() ? 0 : static_cast<size_t>(std::count(rest.begin(), rest.end(), '/')) + 1;
  std::vector<std::string> names;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    ++index;
    if (seg.empty()) {
      return InvalidArgument("route path '" + std::string(path) + "' has an empty segment");
    }
    bool open = seg.front() == '{', close = seg.back() == '}';
    if (open != close || (!open && seg.find_first_of("{}") != std::string_view::npos)) {
      return InvalidArgument("route path '" + std::string(path) + "': segment '" +
                             std::string(seg) + "' must be a literal or a whole {parameter}");
    }
    if (!open) continue;
    std::string_view name = seg.substr(1, seg.size() - 2);
    if (name.ends_with('+')) {
      if (index != count) {
        return InvalidArgument("route path '" + std::string(path) +
                               "': a greedy {" + std::string(name) + "} must be the last segment");
      }
      name.remove_suffix(1);
    }
    if (!ValidParamName(name)) {
      return InvalidArgument("route path '" + std::string(path) + "': bad parameter name '" +
                             std::string(name) + "'");
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return InvalidArgument("route path '" + std::string(path) + "' repeats parameter '" +
                             std::string(name) + "'");
    }
    names.emplace_back(name);
  }
  return Status::Ok();
}

int Router::Compare(const Route& a, const Route& b) {
  if (a.is_default != b.is_default) return a.is_default ? 1 : -1;
  size_t n = std::min(a.segments.size(), b.segments.size());
  for (size_t i = 0; i < n; ++i) {
    if (a.segments[i].kind != b.segments[i].kind) {
      return a.segments[i].kind < b.segments[i].kind ? -1 : 1;
    }
  }
  if (a.segments.size() != b.segments.size()) return a.segments.size() > b.segments.size() ? -1 : 1;
  bool a_any = a.method == "ANY", b_any = b.method == "ANY";
  if (a_any != b_any) return a_any ? 1 : -1;
  return 0;
}

Status Router::Add(std::string_view method, std::string_view path) {
  std::string m(method);
  for (char& c : m) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  if (m == "*") m = "ANY";
  if (!ValidMethod(m)) return InvalidArgument("unsupported route method '" + std::string(method) + "'");
  RETURN_IF_ERROR(ValidateRouteTemplate(path));
  Route r;
  r.method = m;
  if (path == "$default") {
    r.is_default = true;
    r.method = "ANY";
  } else {
    for (std::string_view seg : SplitPath(path)) {
      Segment s;
      if (seg.front() == '{') {
        std::string_view name = seg.substr(1, seg.size() - 2);
        s.kind = name.ends_with('+') ? Segment::kGreedy : Segment::kParam;
        if (s.kind == Segment::kGreedy) name.remove_suffix(1);
        s.text = std::string(name);
      } else {
        s.text = std::string(seg);
      }
      r.segments.push_back(std::move(s));
    }
  }
  for (const Route& other : routes_) {
    if (other.method != r.method || other.is_default != r.is_default ||
        other.segments.size() != r.segments.size()) {
      continue;
    }
    bool same = true;
    for (size_t i = 0; i < r.segments.size() && same; ++i) {
      const Segment &x = other.segments[i], &y = r.segments[i];
      same = x.kind == y.kind && (x.kind != Segment::kLiteral || x.text == y.text);
    }
    if (same) {
      return Status(Code::kAlreadyExists,
                    "route " + r.method + " " + std::string(path) + " is declared twice");
    }
  }
  routes_.push_back(std::move(r));
  return Status::Ok();
}

bool Router::Matches(const Route& r, const std::vector<std::string_view>& parts,
                     std::map<std::string, std::string>* params) const {
  if (r.is_default) return true;
  size_t i = 0;
  for (; i < r.segments.size(); ++i) {
    const Segment& s = r.segments[i];
    if (s.kind == Segment::kGreedy) {
      if (i >= parts.size()) return false;
      std::string rest;
      for (size_t j = i; j < parts.size(); ++j) {
        if (j > i) rest += '/';
        rest += parts[j];
      }
      if (rest.empty()) return false;
      if (params) (*params)[s.text] = PercentDecode(rest);
      return true;
    }
    if (i >= parts.size() || parts[i].empty()) return false;
    if (s.kind == Segment::kLiteral) {
      if (parts[i] != s.text) return false;
    } else if (params) {
      (*params)[s.text] = PercentDecode(parts[i]);
    }
  }
  return i == parts.size();
}

std::optional<RouteMatch> Router::Match(std::string_view method, std::string_view path) const {
  auto parts = SplitPath(path);
  const Route* best = nullptr;
  size_t best_index = 0;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    if (r.method != "ANY" && r.method != method) continue;
    if (!Matches(r, parts, nullptr)) continue;
    if (!best || Compare(r, *best) < 0) {
      best = &r;
      best_index = i;
    }
  }
  if (!best) return std::nullopt;
  RouteMatch m;
  m.route = best_index;
  Matches(*best, parts, &m.path_parameters);
  return m;
}

std::vector<std::string> Router::MethodsFor(std::string_view path) const {
  auto parts = SplitPath(path);
  std::vector<std::string> methods;
  for (const Route& r : routes_) {
    if (r.is_default || !Matches(r, parts, nullptr)) continue;
    if (std::find(methods.begin(), methods.end(), r.method) == methods.end()) {
      methods.push_back(r.method);
    }
  }
  return methods;
}

}  // namespace nimbus::gateway
