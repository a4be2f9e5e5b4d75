// Builder: http and httpApi events, and route checks.
#include <set>
#include <string_view>

#include "core/strings.h"
#include "manifest/manifest_builder.h"

namespace nimbus::manifest {
namespace json = boost::json;
namespace {


std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "GET" for "get"; '*' and 'any' are ANY. "" when not an API Gateway method.
std::string NormalizeMethod(std::string_view method) {
  std::string m = Upper(method);
  if (m == "*") return "ANY";
  static const std::set<std::string> kMethods = {"GET",    "POST", "PUT",     "PATCH",
                                                 "DELETE", "HEAD", "OPTIONS", "ANY"};
  return kMethods.count(m) != 0 ? m : "";
}

}  // namespace

std::string RoutePathProblem(std::string_view path) {
  if (path.empty() || path[0] != '/') return "must start with '/'";
  if (path.find_first_of(" \t\r\n?#") != std::string_view::npos) {
    return "must not contain spaces, '?' or '#'";
  }
  if (path == "/") return "";
  std::set<std::string> params;
  std::vector<std::string_view> segments = Split(path.substr(1), '/');
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string_view seg = segments[i];
    if (seg.empty()) {
      if (i + 1 == segments.size()) continue;  // a trailing '/'
      return "has an empty segment ('//')";
    }
    bool braces = seg.find_first_of("{}") != std::string_view::npos;
    if (!braces) continue;
    // One whole parameter: "{name}", or "{name+}" (greedy).
    bool whole = seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
    bool greedy = whole && seg.size() > 3 && seg[seg.size() - 2] == '+';
    std::string_view name = whole ? seg.substr(1, seg.size() - (greedy ? 3 : 2)) : "";
    if (!OnlyWordCharacters(name, "._-")) {
      return "segment " + Quote(seg) + " must be a literal or one whole {parameter}";
    }
    if (greedy && i + 1 != segments.size()) {
      return "greedy parameter " + Quote(seg) + " must be the last segment";
    }
    if (!params.insert(std::string(name)).second) {
      return "repeats the parameter " + Quote(name);
    }
  }
  return "";
}

Status Builder::BuildEvents(const json::object& f, const std::string& path, FunctionDef* fn) {
  const json::value* ev = f.if_contains("events");
  if (ev == nullptr || ev->is_null()) return Status::Ok();
  std::string events_path = JoinKey(path, "events");
  if (!ev->is_array()) return Fail(events_path, events_path + " must be a list of events");
  const json::array& events = ev->get_array();
  for (size_t i = 0; i < events.size(); ++i) {
    std::string at = JoinIndex(events_path, i);
    if (!events[i].is_object() || events[i].get_object().size() != 1) {
      return Fail(at, "each event must be a mapping with one event type, e.g. - httpApi: GET /");
    }
    const auto& member = *events[i].get_object().begin();
    std::string type(member.key());
    std::string event_path = JoinKey(at, type);
    if (type == "httpApi") {
      ASSIGN_OR_RETURN(HttpEventDef e, HttpApiEvent(member.value(), event_path));
      fn->http_events.push_back(std::move(e));
    } else if (type == "http") {
      ASSIGN_OR_RETURN(HttpEventDef e, RestEvent(member.value(), event_path));
      fn->http_events.push_back(std::move(e));
    } else {
      Unsupported(event_path);
    }
  }
  return Status::Ok();
}

Result<Builder::MethodAndPath> Builder::ReadMethodAndPath(const json::value& v,
                                                          const std::string& path,
                                                          std::string_view kind,
                                                          std::string_view string_form,
                                                          std::string_view any_form) {
  MethodAndPath mp{"", "", path, path};
  if (v.is_string()) {
    std::string text(Trim(v.get_string()));
    size_t space = text.find_first_of(" \t");
    if (space == std::string::npos) {
      return Fail(path, std::string(kind) + " event must be " + std::string(string_form) +
                            ", got " + Quote(text));
    }
    mp.method = text.substr(0, space);
    mp.route = std::string(Trim(std::string_view(text).substr(space)));
    return mp;
  }
  if (!v.is_object()) {
    return Fail(path, std::string(kind) + " event must be " + std::string(any_form));
  }
  const json::object& o = v.get_object();
  ASSIGN_OR_RETURN(auto m, OptString(o, path, "method"));
  ASSIGN_OR_RETURN(auto p, OptString(o, path, "path"));
  if (!m || !p) return Fail(path, std::string(kind) + " event needs both method and path");
  mp.method = *m;
  mp.route = *p;
  mp.method_path = JoinKey(path, "method");
  mp.route_path = JoinKey(path, "path");
  return mp;
}

Result<HttpEventDef> Builder::HttpApiEvent(const json::value& v, const std::string& path) {
  HttpEventDef e;
  e.pos = Pos(path);
  if (v.is_string() && Trim(v.get_string()) == "*") {
    e.method = "ANY";
    return e;
  }
  ASSIGN_OR_RETURN(MethodAndPath mp,
                   ReadMethodAndPath(v, path, "httpApi", "'*' or 'METHOD /path'",
                                     "'METHOD /path', '*' or a mapping with method and path"));
  auto& [method, route, method_path, route_path] = mp;
  if (v.is_object()) {
    const json::object& o = v.get_object();
    e.settings = o;
    for (const auto& member : o) {
      if (member.key() != "method" && member.key() != "path" && member.key() != "authorizer") {
        Unsupported(JoinKey(path, member.key()));
      }
    }
  }
  e.method = NormalizeMethod(method);
  if (e.method.empty()) {
    return Fail(method_path, "invalid method " + Quote(method) +
                                 " (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or '*')");
  }
  if (route == "*") {
    if (e.method != "ANY") return Fail(route_path, "path '*' is only valid with method '*'");
    return e;  // the $default route
  }
  if (std::string problem = RoutePathProblem(route); !problem.empty()) {
    return Fail(route_path, "httpApi path " + Quote(route) + " " + problem);
  }
  e.path = route;

  if (json::value* auth = e.settings.if_contains("authorizer"); auth != nullptr) {
    std::string at = JoinKey(path, "authorizer");
    if (auth->is_string()) *auth = json::object{{"name", auth->get_string()}};
    if (!auth->is_object()) return Fail(at, "authorizer must be a name or a mapping");
    const json::object& a = auth->get_object();
    ASSIGN_OR_RETURN(auto name, OptString(a, at, "name"));
    ASSIGN_OR_RETURN(auto type, OptString(a, at, "type"));
    ASSIGN_OR_RETURN(auto scopes, StringList(a, at, "scopes"));
    if (name) {
      auto it = http_authorizers_.find(*name);
      if (it == http_authorizers_.end()) {
        return Fail(
            a.contains("name") ? JoinKey(at, "name") : at,
            "authorizer " + Quote(*name) + " is not defined under provider.httpApi.authorizers");
      }
      if (!scopes.empty() && it->second != "jwt") {
        return Fail(JoinKey(at, "scopes"), "scopes apply only to JWT authorizers");
      }
    } else if (a.contains("id")) {
      Unsupported(JoinKey(at, "id") + " (authorizer outside the service)");
    } else if (ToLower(type.value_or("")) != "aws_iam") {
      return Fail(at,
                  "authorizer needs name (a provider.httpApi.authorizers key) or type: aws_iam");
    }
  }
  return e;
}

Result<HttpEventDef> Builder::RestEvent(const json::value& v, const std::string& path) {
  HttpEventDef e;
  e.rest = true;
  e.pos = Pos(path);
  ASSIGN_OR_RETURN(MethodAndPath mp,
                   ReadMethodAndPath(v, path, "http", "'METHOD path'",
                                     "'METHOD path' or a mapping with method and path"));
  auto& [method, route, method_path, route_path] = mp;
  if (v.is_object()) {
    const json::object& o = v.get_object();
    e.settings = o;
    ASSIGN_OR_RETURN(auto is_private, OptBool(o, path, "private"));
    ASSIGN_OR_RETURN(auto async, OptBool(o, path, "async"));
    (void)is_private;
    (void)async;
    if (const json::value* cors = o.if_contains("cors");
        cors != nullptr && !cors->is_bool() && !cors->is_object() && !cors->is_null()) {
      return Fail(JoinKey(path, "cors"), "cors must be true or a mapping");
    }
    ASSIGN_OR_RETURN(auto integration, OptString(o, path, "integration"));
    if (integration) {
      std::string kind = ToLower(*integration);
      if (kind == "lambda" || kind == "aws" || kind == "http" || kind == "http-proxy" ||
          kind == "http_proxy" || kind == "mock") {
        Unsupported(JoinKey(path, "integration") + " (" + kind + ")");
      } else if (kind != "lambda-proxy" && kind != "aws-proxy" && kind != "aws_proxy") {
        return Fail(JoinKey(path, "integration"), "unknown integration " + Quote(*integration));
      }
    }
    static const std::set<std::string, std::less<>> kKnown = {
        "path", "method", "cors", "private", "async", "integration", "authorizer", "request"};
    for (const auto& member : o) {
      if (kKnown.count(member.key()) == 0) Unsupported(JoinKey(path, member.key()));
    }
  }
  e.method = NormalizeMethod(method);
  if (e.method.empty()) {
    return Fail(method_path, "invalid method " + Quote(method) +
                                 " (get, post, put, patch, delete, head, options or any)");
  }
  // REST paths are written with or without the leading '/'.
  std::string normal = route.empty() || route[0] != '/' ? "/" + route : route;
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  if (std::string problem = RoutePathProblem(normal); !problem.empty()) {
    return Fail(route_path, "http path " + Quote(route) + " " + problem);
  }
  e.path = normal;

  if (json::value* auth = e.settings.if_contains("authorizer"); auth != nullptr) {
    std::string at = JoinKey(path, "authorizer");
    if (auth->is_string()) {
      std::string s(auth->get_string());
      if (ToLower(s) == "aws_iam") {
        *auth = json::object{{"type", "aws_iam"}};
      } else {
        *auth = json::object{{s.rfind("arn:", 0) == 0 ? "arn" : "name", s}};
      }
    }
    if (!auth->is_object()) return Fail(at, "authorizer must be a name, an ARN or a mapping");
    const json::object& a = auth->get_object();
    ASSIGN_OR_RETURN(auto name, OptString(a, at, "name"));
    ASSIGN_OR_RETURN(auto arn, OptString(a, at, "arn"));
    ASSIGN_OR_RETURN(auto type, OptString(a, at, "type"));
    std::string kind = ToLower(type.value_or("token"));
    if (kind != "token" && kind != "request" && kind != "cognito_user_pools" && kind != "aws_iam") {
      return Fail(JoinKey(at, "type"),
                  "authorizer type must be token, request, COGNITO_USER_POOLS or aws_iam");
    }
    if (arn) {
      Unsupported(JoinKey(at, "arn") + " (authorizer outside the service)");
    } else if (kind != "aws_iam") {
      if (!name) return Fail(at, "authorizer needs name (a function of this service) or arn");
      if (function_values_.count(*name) == 0) {
        return Fail(a.contains("name") ? JoinKey(at, "name") : at,
                    "authorizer function " + Quote(*name) + " is not a function of this service");
      }
    }
    ASSIGN_OR_RETURN(auto ttl, OptInt(a, at, "resultTtlInSeconds", 0, 3600));
    (void)ttl;
  }
  return e;
}

Status Builder::CheckRoutes() const {
  // API Gateway refuses two integrations for one route.
  std::map<std::string, SourcePos> seen;
  for (const FunctionDef& fn : m_->functions) {
    for (const HttpEventDef& e : fn.http_events) {
      std::string route = std::string(e.rest ? "http " : "httpApi ") + e.method + " " +
                          (e.path.empty() ? "*" : e.path);
      auto [it, inserted] = seen.emplace(route, e.pos);
      if (!inserted) {
        return ErrorAt(e.pos, "route " + route.substr(route.find(' ') + 1) +
                                  " is declared twice (also at " + it->second.ToString() + ")");
      }
    }
  }
  return Status::Ok();
}

}  // namespace nimbus::manifest
