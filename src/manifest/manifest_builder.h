// Internal to src/manifest: reads a resolved Document into a Manifest,
// checking each setting Nimbus uses. Split over manifest_builder.cc (helpers,
// root keys), manifest_provider.cc (provider, package), manifest_functions.cc
// (functions), manifest_events.cc (http/httpApi events),
// manifest_resources.cc (resources) and manifest_iam.cc (execution roles).
// One Builder per load, one thread.
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
  Status BuildResourceSets();
  Status BuildResourceSet(const boost::json::object& set, const std::string& path);
  Status BuildTable(const std::string& id, const boost::json::object& res, const std::string& path);

  // manifest_iam.cc
  // provider.iam (role, deploymentRole) and the deprecated provider.role,
  // iamRoleStatements and iamManagedPolicies.
  Status BuildProviderIam(const boost::json::object& provider);
  // functions.<key>.role and the plugin's iamRoleStatements(-Name, -Inherit).
  Status BuildFunctionIam(const std::string& key, const boost::json::object& fn,
                          const std::string& path);
  // An AWS::IAM::Role under resources.Resources.
  Status BuildRoleResource(const std::string& id, const boost::json::object& res,
                           const std::string& path);
  // Once functions and resources are read: each function's role, the
  // generated role and the per-function roles.
  Status BuildRoles();
  // A role reference (functions.<key>.role, provider.iam.role as a string,
  // provider.role) applied to `fn`: an ARN, a logical id or an intrinsic.
  Status ApplyRoleRef(const boost::json::value& ref, const std::string& path, FunctionDef* fn);
  // An IAM policy document and its statements; `trust` for trust policies
  // (Principal instead of Resource).
  Status CheckPolicyDocument(const boost::json::value& doc, const std::string& path,
                             bool trust) const;
  Status CheckStatements(const boost::json::value& list, const std::string& path,
                         bool trust) const;
  Status CheckStatement(const boost::json::value& s, const std::string& path, bool trust) const;
  // A list of managed policy ARNs (strings or intrinsics).
  Result<std::vector<boost::json::value>> PolicyArnList(const boost::json::object& obj,
                                                        const std::string& path,
                                                        std::string_view key) const;

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

  // Execution role settings (manifest_iam.cc).
  struct FunctionIam {
    const boost::json::value* role = nullptr;  // functions.<key>.role
    std::string role_path;
    const boost::json::value* statements = nullptr;  // iamRoleStatements
    std::string statements_path;
    std::string role_name;            // iamRoleStatementsName
    std::optional<bool> inherit;      // iamRoleStatementsInherit
    bool disable_logs = false;
    bool vpc = false;
  };
  struct ProviderIam {
    const boost::json::value* existing_role = nullptr;  // iam.role as an ARN/intrinsic, or role
    std::string existing_role_path;
    std::string role_name;  // iam.role.name
    std::string role_name_path;
    std::string role_path = "/";  // iam.role.path
    const boost::json::value* statements = nullptr;  // iam.role.statements or iamRoleStatements
    std::string statements_path;
    // What the plugin inherits: iam.role.statements when provider.iam is
    // set, else iamRoleStatements.
    const boost::json::value* inherited_statements = nullptr;
    std::vector<boost::json::value> managed_policies;
    std::map<std::string, std::string> tags;
    bool vpc = false;
    bool per_function_plugin = false;  // plugins lists serverless-iam-roles-per-function
    bool default_inherit = false;      // custom.serverless-iam-roles-per-function.defaultInherit
  };
  ProviderIam iam_;
  std::map<std::string, FunctionIam> function_iam_;  // by function key
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
