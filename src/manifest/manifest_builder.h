// Internal to src/manifest: reads a resolved Document into a Manifest,
// checking each setting Nimbus uses. Split over manifest_builder.cc (helpers,
// root keys), manifest_provider.cc (provider, package), manifest_functions.cc
// (functions), manifest_events.cc (http/httpApi events) and
// manifest_resources.cc (resources). One Builder per load, one thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "manifest/document.h"
#include "manifest/manifest.h"

namespace nimbus::manifest {

class Builder {
 public:
  // `doc` is resolved; `out` has dir, file, stage, region and document set.
  Builder(const Document& doc, Manifest* out) : doc_(doc), m_(out) {}

  Status Build();

 private:
  // --- helpers (manifest_builder.cc) ---
  SourcePos Pos(std::string_view path) const { return doc_.positions.Find(path); }
  Status Fail(std::string_view path, std::string_view message) const {
    return ErrorAt(Pos(path), message);
  }
  void Unsupported(std::string entry) { m_->unsupported.push_back(std::move(entry)); }

  // Optional members of `obj` (at `path`): nullopt / nullptr when absent or
  // null, a positioned error when present with the wrong type.
  Result<std::optional<std::string>> OptString(const boost::json::object& obj,
                                               std::string_view path, std::string_view key) const;
  // Integers; numeric strings ("512") are accepted, as CloudFormation does.
  Result<std::optional<int64_t>> OptInt(const boost::json::object& obj, std::string_view path,
                                        std::string_view key, int64_t min, int64_t max) const;
  Result<std::optional<bool>> OptBool(const boost::json::object& obj, std::string_view path,
                                      std::string_view key) const;
  Result<const boost::json::object*> OptObject(const boost::json::object& obj,
                                               std::string_view path, std::string_view key) const;
  // A list of strings (a single string counts as a list of one).
  Result<std::vector<std::string>> StringList(const boost::json::object& obj, std::string_view path,
                                              std::string_view key) const;
  // A string -> scalar map (tags): numbers and booleans become strings.
  Result<std::map<std::string, std::string>> StringMap(const boost::json::object& obj,
                                                       std::string_view path,
                                                       std::string_view key) const;

  // --- sections ---
  Status BuildRoot();
  // manifest_provider.cc
  Status BuildProvider();
  Status CheckHttpApi(const boost::json::object& http_api, const std::string& path);
  Status CheckApiGateway(const boost::json::object& api, const std::string& path);
  Status BuildPackage(const boost::json::object& pkg, const std::string& path,
                      std::vector<std::string>* patterns, bool* individually);
  Result<std::map<std::string, boost::json::value>> Environment(const boost::json::object& obj,
                                                                const std::string& path) const;

  // manifest_functions.cc
  Status CollectFunctions();
  Status BuildFunctions();
  Status BuildFunction(const std::string& key, const boost::json::value& value,
                       const std::string& path);
  // functions.<key>.capacityProvider: a capacity provider's name, or a mapping
  // of `name` and `maxConcurrency`.
  Status BuildCapacityProvider(const boost::json::object& fn, const std::string& path,
                               FunctionDef* out);
  // manifest_events.cc
  Status BuildEvents(const boost::json::object& fn, const std::string& path, FunctionDef* out);
  // An event's method and route, written as "METHOD path" or as a mapping
  // with method and path, and where each was written; `kind` ("httpApi",
  // "http") and the two forms word the errors.
  struct MethodAndPath {
    std::string method, route, method_path, route_path;
  };
  Result<MethodAndPath> ReadMethodAndPath(const boost::json::value& v, const std::string& path,
                                          std::string_view kind, std::string_view string_form,
                                          std::string_view any_form);
  Result<HttpEventDef> HttpApiEvent(const boost::json::value& v, const std::string& path);
  Result<HttpEventDef> RestEvent(const boost::json::value& v, const std::string& path);
  Status CheckRoutes() const;

  // manifest_resources.cc
  Status BuildResources();
  Status BuildResourceSet(const boost::json::object& set, const std::string& path);
  Status BuildTable(const std::string& id, const boost::json::object& res, const std::string& path);

  const Document& doc_;
  Manifest* m_;

  // Gathered before the functions are read.
  std::vector<std::pair<std::string, std::string>> function_entries_;  // key, path
  std::map<std::string, const boost::json::value*> function_values_;
  std::map<std::string, std::string> http_authorizers_;  // name -> "jwt" | "request"
  std::map<std::string, boost::json::value> provider_env_;
  std::map<std::string, std::string> provider_tags_;
  std::string provider_runtime_;
  std::string provider_architecture_ = "x86_64";
  int provider_memory_ = 1024;
  int provider_timeout_ = 6;
};

// "\"text\"", for messages.
inline std::string Quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}
// "a string", "a mapping", "a list", ... for messages.
const char* TypeName(const boost::json::value& v);

// Checks an API route path such as "/users/{id}" or "/files/{proxy+}"; returns
// what is wrong, or "" when it is fine.
std::string RoutePathProblem(std::string_view path);

}  // namespace nimbus::manifest
