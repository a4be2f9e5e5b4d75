// Builder: provider and package.
#include <string_view>

#include "core/strings.h"
#include "manifest/manifest_builder.h"
#include "manifest/variable_resolver.h"
#include "observe/retention.h"

namespace nimbus::manifest {
namespace json = boost::json;
Status Builder::BuildProvider() {
  const json::object& root = doc_.root.get_object();
  const json::value* pv = root.if_contains("provider");
  if (pv == nullptr || pv->is_null()) {
    return Fail("", "provider is required (provider: {name: aws, runtime: nodejs20.x})");
  }
  if (!pv->is_object()) return Fail("provider", "provider must be a mapping");
  const json::object& p = pv->get_object();
  m_->provider = p;

  ASSIGN_OR_RETURN(auto name, OptString(p, "provider", "name"));
  if (!name) return Fail("provider", "provider.name is required and must be aws");
  if (*name != "aws") {
    return Fail("provider.name",
                "provider.name must be aws (Nimbus emulates AWS), got " + Quote(*name));
  }
  if (!OnlyWordCharacters(m_->stage, "-")) {
    return Fail(p.contains("stage") ? "provider.stage" : "",
                "stage " + Quote(m_->stage) + " is invalid: use letters, digits and '-'");
  }
  ASSIGN_OR_RETURN(auto runtime, OptString(p, "provider", "runtime"));
  provider_runtime_ = runtime.value_or("");
  ASSIGN_OR_RETURN(auto memory, OptInt(p, "provider", "memorySize", 128, 10240));
  provider_memory_ = static_cast<int>(memory.value_or(1024));
  ASSIGN_OR_RETURN(auto timeout, OptInt(p, "provider", "timeout", 1, 900));
  provider_timeout_ = static_cast<int>(timeout.value_or(6));
  ASSIGN_OR_RETURN(auto arch, OptString(p, "provider", "architecture"));
  if (arch && *arch != "x86_64" && *arch != "arm64") {
    return Fail("provider.architecture", "provider.architecture must be x86_64 or arm64");
  }
  provider_architecture_ = arch.value_or("x86_64");
  ASSIGN_OR_RETURN(provider_env_, Environment(p, "provider"));
  ASSIGN_OR_RETURN(provider_tags_, StringMap(p, "provider", "tags"));
  ASSIGN_OR_RETURN(auto stack_tags, StringMap(p, "provider", "stackTags"));
  (void)stack_tags;
  ASSIGN_OR_RETURN(auto version_functions, OptBool(p, "provider", "versionFunctions"));
  (void)version_functions;
  ASSIGN_OR_RETURN(auto retention, OptInt(p, "provider", "logRetentionInDays", 1, 3653));
  if (retention && !observe::IsRetentionPeriod(*retention)) {
    return Fail("provider.logRetentionInDays",
                "provider.logRetentionInDays must be one of CloudWatch's retention periods (" +
                    std::string(observe::kRetentionDaysText) + ")");
  }
  ASSIGN_OR_RETURN(const json::object* http_api, OptObject(p, "provider", "httpApi"));
  if (http_api != nullptr) RETURN_IF_ERROR(CheckHttpApi(*http_api, "provider.httpApi"));
  ASSIGN_OR_RETURN(const json::object* api_gateway, OptObject(p, "provider", "apiGateway"));
  if (api_gateway != nullptr) RETURN_IF_ERROR(CheckApiGateway(*api_gateway, "provider.apiGateway"));

  static const std::set<std::string, std::less<>> kSupported = {"name",
                                                                "runtime",
                                                                "stage",
                                                                "region",
                                                                "memorySize",
                                                                "timeout",
                                                                "environment",
                                                                "httpApi",
                                                                "apiGateway",
                                                                "architecture",
                                                                "logRetentionInDays",
                                                                "tags",
                                                                "stackTags",
                                                                "versionFunctions"};
  RETURN_IF_ERROR(BuildProviderIam(p));  // iam and its deprecated spellings (manifest_iam.cc)
  static const std::set<std::string, std::less<>> kIam = {"iam", "iamRoleStatements",
                                                          "iamManagedPolicies", "role"};
  static const std::set<std::string, std::less<>> kNotEnforced = {"rolePermissionsBoundary"};
  for (const auto& member : p) {
    std::string at = JoinKey("provider", member.key());
    if (kNotEnforced.count(member.key()) != 0) {
      Unsupported(at + " (not enforced)");
    } else if (kSupported.count(member.key()) == 0 && kIam.count(member.key()) == 0) {
      Unsupported(at);
    }
  }
  return Status::Ok();
}

Status Builder::CheckHttpApi(const json::object& h, const std::string& path) {
  if (const json::value* payload = h.if_contains("payload"); payload != nullptr) {
    std::optional<std::string> text = InterpolationText(*payload);
    if (!text || (*text != "1.0" && *text != "2.0" && *text != "1" && *text != "2")) {
      return Fail(JoinKey(path, "payload"), JoinKey(path, "payload") + " must be '1.0' or '2.0'");
    }
  }
  if (const json::value* cors = h.if_contains("cors");
      cors != nullptr && !cors->is_bool() && !cors->is_object() && !cors->is_null()) {
    return Fail(JoinKey(path, "cors"), JoinKey(path, "cors") + " must be true or a mapping");
  }
  ASSIGN_OR_RETURN(auto api_name, OptString(h, path, "name"));
  (void)api_name;
  ASSIGN_OR_RETURN(auto disable, OptBool(h, path, "disableDefaultEndpoint"));
  (void)disable;
  ASSIGN_OR_RETURN(const json::object* authorizers, OptObject(h, path, "authorizers"));
  if (authorizers != nullptr) {
    std::string base = JoinKey(path, "authorizers");
    for (const auto& member : *authorizers) {
      std::string at = JoinKey(base, member.key());
      if (!member.value().is_object()) return Fail(at, at + " must be a mapping");
      const json::object& a = member.value().get_object();
      ASSIGN_OR_RETURN(auto type, OptString(a, at, "type"));
      std::string kind = ToLower(type.value_or("jwt"));
      if (kind == "jwt") {
        // identitySource defaults to $request.header.Authorization.
        for (const char* required : {"issuerUrl", "audience"}) {
          if (!a.contains(required)) {
            return Fail(at, "JWT authorizer " + Quote(member.key()) + " needs " + required);
          }
        }
        ASSIGN_OR_RETURN(auto issuer, OptString(a, at, "issuerUrl"));
        ASSIGN_OR_RETURN(auto audience, StringList(a, at, "audience"));
        (void)issuer;
        (void)audience;
      } else if (kind == "request") {
        ASSIGN_OR_RETURN(auto fn, OptString(a, at, "functionName"));
        if (fn && function_values_.count(*fn) == 0) {
          return Fail(JoinKey(at, "functionName"),
                      "authorizer function " + Quote(*fn) + " is not a function of this service");
        }
        if (!fn && a.contains("functionArn")) {
          Unsupported(JoinKey(at, "functionArn") + " (authorizer outside the service)");
        } else if (!fn) {
          return Fail(at, "request authorizer " + Quote(member.key()) + " needs functionName");
        }
        ASSIGN_OR_RETURN(auto ttl, OptInt(a, at, "resultTtlInSeconds", 0, 3600));
        if (ttl.value_or(0) > 0 && !a.contains("identitySource")) {
          return Fail(at, "authorizer " + Quote(member.key()) +
                              " caches results (resultTtlInSeconds > 0) and so needs "
                              "identitySource");
        }
        ASSIGN_OR_RETURN(auto simple, OptBool(a, at, "enableSimpleResponses"));
        (void)simple;
        if (const json::value* pv = a.if_contains("payloadVersion"); pv != nullptr) {
          std::optional<std::string> text = InterpolationText(*pv);
          if (!text || (*text != "1.0" && *text != "2.0" && *text != "2" && *text != "1")) {
            return Fail(JoinKey(at, "payloadVersion"), "payloadVersion must be '1.0' or '2.0'");
          }
        }
      } else {
        return Fail(JoinKey(at, "type"),
                    "authorizer type must be jwt or request, got " + Quote(type.value_or("")));
      }
      http_authorizers_[std::string(member.key())] = kind;
    }
  }
  for (const auto& member : h) {
    if (member.key() != "payload" && member.key() != "cors" && member.key() != "authorizers" &&
        member.key() != "name" && member.key() != "disableDefaultEndpoint") {
      Unsupported(JoinKey(path, member.key()));
    }
  }
  return Status::Ok();
}

Status Builder::CheckApiGateway(const json::object& a, const std::string& path) {
  if (const json::value* keys = a.if_contains("apiKeys"); keys != nullptr && !keys->is_null()) {
    std::string at = JoinKey(path, "apiKeys");
    if (!keys->is_array()) return Fail(at, at + " must be a list");
    const json::array& list = keys->get_array();
    for (size_t i = 0; i < list.size(); ++i) {
      std::string item = JoinIndex(at, i);
      if (list[i].is_string()) continue;
      if (!list[i].is_object()) return Fail(item, item + " must be a key name or a mapping");
      const json::object& key = list[i].get_object();
      if (key.contains("name") || key.contains("value")) {
        ASSIGN_OR_RETURN(auto value, OptString(key, item, "value"));
        if (value && value->size() < 20) {
          return Fail(JoinKey(item, "value"), "API key values must be at least 20 characters");
        }
      }
    }
  }
  ASSIGN_OR_RETURN(auto source, OptString(a, path, "apiKeySourceType"));
  if (source && *source != "HEADER" && *source != "AUTHORIZER") {
    return Fail(JoinKey(path, "apiKeySourceType"), "apiKeySourceType must be HEADER or AUTHORIZER");
  }
  ASSIGN_OR_RETURN(auto binary, StringList(a, path, "binaryMediaTypes"));
  (void)binary;
  ASSIGN_OR_RETURN(auto start, OptBool(a, path, "shouldStartNameWithService"));
  (void)start;
  if (const json::value* plan = a.if_contains("usagePlan");
      plan != nullptr && !plan->is_object() && !plan->is_array() && !plan->is_null()) {
    return Fail(JoinKey(path, "usagePlan"), "usagePlan must be a mapping or a list of plans");
  }
  for (const auto& member : a) {
    if (member.key() != "apiKeys" && member.key() != "usagePlan" &&
        member.key() != "apiKeySourceType" && member.key() != "binaryMediaTypes" &&
        member.key() != "shouldStartNameWithService") {
      Unsupported(JoinKey(path, member.key()));
    }
  }
  return Status::Ok();
}

Status Builder::BuildPackage(const json::object& pkg, const std::string& path,
                             std::vector<std::string>* patterns, bool* individually) {
  // The deprecated exclude/include lists still work in v3; they come before
  // patterns, excludes first.
  ASSIGN_OR_RETURN(auto exclude, StringList(pkg, path, "exclude"));
  ASSIGN_OR_RETURN(auto include, StringList(pkg, path, "include"));
  ASSIGN_OR_RETURN(auto list, StringList(pkg, path, "patterns"));
  for (const std::string& e : exclude) patterns->push_back("!" + e);
  patterns->insert(patterns->end(), include.begin(), include.end());
  patterns->insert(patterns->end(), list.begin(), list.end());
  ASSIGN_OR_RETURN(auto each, OptBool(pkg, path, "individually"));
  *individually = each.value_or(false);
  for (const auto& member : pkg) {
    if (member.key() != "patterns" && member.key() != "individually" && member.key() != "include" &&
        member.key() != "exclude") {
      Unsupported(JoinKey(path, member.key()));
    }
  }
  return Status::Ok();
}

}  // namespace nimbus::manifest
