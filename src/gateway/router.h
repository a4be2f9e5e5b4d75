// Route matching as API Gateway does it. A route is a method ("GET", ...,
// or "ANY") and a path template of literal segments, `{param}` segments and
// a final greedy `{name+}` segment; the `$default` route catches whatever
// nothing else matches.
//
// Precedence, most specific first: a literal segment beats a `{param}`, which
// beats a greedy `{proxy+}`, compared segment by segment from the left; for
// the same path a method route beats `ANY`; `$default` comes last. Matching
// is on the raw path split at '/'; parameter values are percent-decoded.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace nimbus::gateway {

struct RouteMatch {
  size_t route = 0;  // index of the route in the order it was added
  std::map<std::string, std::string> path_parameters;
};

class Router {
 public:
  // Adds a route; `path` is "$default" or starts with '/'. Errors name the
  // problem: a bad template, a greedy segment that is not last, a duplicate.
  Status Add(std::string_view method, std::string_view path);

  // The best route for `method` and the raw (still percent-encoded) `path`.
  std::optional<RouteMatch> Match(std::string_view method, std::string_view path) const;

  // Methods of the routes whose template matches `path` (for CORS preflight
  // answers): "ANY" when an ANY route matches.
  std::vector<std::string> MethodsFor(std::string_view path) const;

  size_t size() const { return routes_.size(); }

 private:
  struct Segment {
    enum Kind { kLiteral, kParam, kGreedy } kind = kLiteral;
    std::string text;  // the literal, or the parameter's name
  };
  struct Route {
    std::string method;
    bool is_default = false;
    std::vector<Segment> segments;
  };

  static std::vector<std::string_view> SplitPath(std::string_view path);
  bool Matches(const Route& r, const std::vector<std::string_view>& parts,
               std::map<std::string, std::string>* params) const;
  // Negative when `a` is more specific than `b`.
  static int Compare(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

// Checks a path template without adding it (deploy-time validation).
Status ValidateRouteTemplate(std::string_view path);

}  // namespace nimbus::gateway
