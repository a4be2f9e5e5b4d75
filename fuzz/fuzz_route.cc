// Fuzzes the gateway's route table: template validation, Router::Add and
// Router::Match, and checks what every outcome must satisfy.
//
// Input: lines of text. The lines before the first empty line are routes
// ("METHOD /template"; a line without a space is a template for ANY), the
// lines after it are requests ("METHOD /raw/path"). Every line is also fed to
// ValidateRouteTemplate as a whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/router.h"

namespace nimbus::gateway {
namespace {

// Bounds the quadratic work (Add compares with every route, Match tries every
// route) so that each input stays fast.
constexpr size_t kMaxRoutes = 64;
constexpr size_t kMaxRequests = 64;

void Check(bool ok) {
  if (!ok) std::abort();
}

struct Line {
  std::string method;
  std::string path;
};

Line SplitLine(std::string_view line) {
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return {"ANY", std::string(line)};
  return {std::string(line.substr(0, space)), std::string(line.substr(space + 1))};
}

std::string Normalised(std::string method) {
  for (char& c : method) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return method == "*" ? "ANY" : method;
}

// The parameter names of a valid template, in order ("proxy" for "{proxy+}").
std::vector<std::string> ParamNames(std::string_view path) {
  std::vector<std::string> names;
  size_t open = 0;
  while ((open = path.find('{', open)) != std::string_view::npos) {
    size_t close = path.find('}', open);
    std::string_view name = path.substr(open + 1, close - open - 1);
    if (name.ends_with('+')) name.remove_suffix(1);
    names.emplace_back(name);
    open = close;
  }
  return names;
}

// How specific a route is, written out again from router.h's contract as
// an oracle: segment kinds from the left (0 literal, 1 {param}, 2 greedy; at
// the first difference the lower kind wins), then more segments, then a
// method over ANY; $default last. Negative when `a` is more specific.
int Specificity(const Line& a, const Line& b) {
  auto kinds = [](const Line& route) {
    std::vector<int> out;
    std::string_view path = route.path;
    while (path.size() > 1) {
      path.remove_prefix(1);
      std::string_view segment = path.substr(0, path.find('/'));
      path.remove_prefix(segment.size());
      out.push_back(segment.front() != '{' ? 0 : segment.ends_with("+}") ? 2 : 1);
    }
    return out;
  };
  bool a_default = a.path == "$default", b_default = b.path == "$default";
  if (a_default != b_default) return a_default ? 1 : -1;
  std::vector<int> ka = kinds(a), kb = kinds(b);
  for (size_t i = 0; i < ka.size() && i < kb.size(); ++i) {
    if (ka[i] != kb[i]) return ka[i] < kb[i] ? -1 : 1;
  }
  if (ka.size() != kb.size()) return ka.size() > kb.size() ? -1 : 1;
  if ((a.method == "ANY") != (b.method == "ANY")) return a.method == "ANY" ? 1 : -1;
  return 0;
}

void FuzzOne(std::string_view input) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    lines.push_back(input.substr(start, end - start));
    start = end + 1;
  }

  Router router;
  std::vector<Line> added;    // in the router's order
  std::vector<Router> alone;  // each added route in a router of its own
  size_t i = 0;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    ValidateRouteTemplate(lines[i]).IgnoreError();
    if (added.size() >= kMaxRoutes) continue;
    Line route = SplitLine(lines[i]);
    bool valid = ValidateRouteTemplate(route.path).ok();
    Status status = router.Add(route.method, route.path);
    // Add validates exactly as ValidateRouteTemplate does.
    Check(!status.ok() || valid);
    if (!status.ok()) {
      Check(!status.message().empty());
      Check(status.code() == Code::kInvalidArgument || status.code() == Code::kAlreadyExists);
      continue;
    }
    // $default catches every method, whatever method it was declared with.
    route.method = route.path == "$default" ? "ANY" : Normalised(route.method);
    added.push_back(route);
    Check(router.size() == added.size());
    alone.emplace_back();
    Check(alone.back().Add(route.method, route.path).ok());
    // The same route again is a duplicate.
    Check(router.Add(route.method, route.path).code() == Code::kAlreadyExists);
    Check(router.size() == added.size());
  }

  // A template of literal segments only is matched by its own path, and
  // nothing beats a literal: the winner is this template (maybe for a more
  // specific method).
  for (const Line& route : added) {
    if (route.path == "$default" || route.path.find('{') != std::string::npos) continue;
    std::string method = route.method == "ANY" ? "GET" : route.method;
    std::optional<RouteMatch> m = router.Match(method, route.path);
    Check(m.has_value() && added[m->route].path == route.path);
  }

  size_t requests = 0;
  for (++i; i < lines.size() && requests < kMaxRequests; ++i, ++requests) {
    ValidateRouteTemplate(lines[i]).IgnoreError();
    Line request = SplitLine(lines[i]);
    std::optional<RouteMatch> m = router.Match(request.method, request.path);
    std::vector<std::string> methods = router.MethodsFor(request.path);
    // The winner is the most specific of the routes that match on their own.
    std::optional<size_t> best;
    for (size_t k = 0; k < added.size(); ++k) {
      if (!alone[k].Match(request.method, request.path)) continue;
      if (!best || Specificity(added[k], added[*best]) < 0) best = k;
    }
    Check(m.has_value() == best.has_value());
    if (!m) continue;
    Check(alone[m->route].Match(request.method, request.path).has_value());
    Check(Specificity(added[*best], added[m->route]) == 0);
    Check(m->route < added.size());
    const Line& route = added[m->route];
    Check(route.method == "ANY" || route.method == request.method);
    std::vector<std::string> names = ParamNames(route.path);
    Check(m->path_parameters.size() == (route.path == "$default" ? 0 : names.size()));
    for (const std::string& name : names) Check(m->path_parameters.count(name) == 1);
    if (route.path != "$default") {
      bool listed = false;
      for (const std::string& method : methods) listed = listed || method == route.method;
      Check(listed);
    }
    // Matching is deterministic.
    std::optional<RouteMatch> again = router.Match(request.method, request.path);
    Check(again.has_value() && again->route == m->route &&
          again->path_parameters == m->path_parameters);
  }
}

}  // namespace
}  // namespace nimbus::gateway

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nimbus::gateway::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
