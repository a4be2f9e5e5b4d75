#include "deploy/function_deployer.h"

#include <boost/json.hpp>

#include "core/crypto.h"
#include "core/encoding.h"
#include "deploy/naming.h"
#include "deploy/plan.h"
#include "manifest/naming.h"

namespace nimbus::deploy {
namespace {

const std::vector<net::Header> kJson = {{"Content-Type", "application/json"}};

}  // namespace

Result<bool> FunctionDeployer::Apply(const manifest::FunctionDef& fn, const std::string& zip,
                                     const json::object& config) {
  const std::string path = LambdaFunctionPath(fn.name);
  auto current = client_.CallJson("lambda", "GET", path, {}, "");
  if (!current.ok()) {
    if (!IsNotFound(current.status())) return current.status();
    json::object body = config;
    body["FunctionName"] = fn.name;
    body["Code"] = {{"ZipFile", Base64Encode(zip)}};
    RETURN_IF_ERROR(
        client_.CallJson("lambda", "POST", "/2015-03-31/functions", kJson, json::serialize(body))
            .status());
    Say("function " + fn.key + ": created (" + fn.name + ")");
    RETURN_IF_ERROR(ApplyReservedConcurrency(fn, -1).status());
    return true;
  }
  const json::object& have = current->at("Configuration").get_object();
  bool changed = false;
  std::string sha = Base64Encode(Sha256(zip));
  const json::value* have_sha = have.if_contains("CodeSha256");
  if (have_sha == nullptr || !have_sha->is_string() || have_sha->get_string() != sha) {
    RETURN_IF_ERROR(client_
                        .CallJson("lambda", "PUT", path + "/code", kJson,
                                  json::serialize(json::object{{"ZipFile", Base64Encode(zip)}}))
                        .status());
    Say("function " + fn.key + ": code updated");
    changed = true;
  }
  if (ConfigurationDiffers(have, config)) {
    RETURN_IF_ERROR(
        client_.CallJson("lambda", "PUT", path + "/configuration", kJson, json::serialize(config))
            .status());
    Say("function " + fn.key + ": configuration updated");
    changed = true;
  }
  ASSIGN_OR_RETURN(bool concurrency, ApplyReservedConcurrency(fn, ReservedConcurrency(*current)));
  return changed || concurrency;
}

Result<bool> FunctionDeployer::ApplyReservedConcurrency(const manifest::FunctionDef& fn,
                                                        int64_t current) {
  if (fn.reserved_concurrency == current) return false;
  const std::string path = LambdaConcurrencyPath(fn.name);
  if (fn.reserved_concurrency >= 0) {
    json::object body{{"ReservedConcurrentExecutions", fn.reserved_concurrency}};
    RETURN_IF_ERROR(client_.CallJson("lambda", "PUT", path, kJson, json::serialize(body)).status());
  } else {
    RETURN_IF_ERROR(client_.CallJson("lambda", "DELETE", path, {}, "").status());
  }
  Say("function " + fn.key + ": reserved concurrency " +
      (fn.reserved_concurrency >= 0 ? std::to_string(fn.reserved_concurrency)
                                    : std::string("removed")));
  return true;
}

Result<json::value> FunctionDeployer::Logs(const std::string& operation, const json::object& body) {
  return client_.CallTarget("logs", "1.1", "Logs_20140328." + operation, body);
}

Result<bool> FunctionDeployer::ApplyLogRetention(const manifest::FunctionDef& fn, int64_t days) {
  const std::string group = manifest::LogGroupName(fn.name);
  ASSIGN_OR_RETURN(json::value listed,
                   Logs("DescribeLogGroups", json::object{{"logGroupNamePrefix", group}}));
  LogGroupState have = FindLogGroup(listed, group);
  if (days == have.retention_days) return false;
  if (days > 0) {
    if (!have.exists) {
      RETURN_IF_ERROR(Logs("CreateLogGroup", json::object{{"logGroupName", group}}).status());
    }
    RETURN_IF_ERROR(
        Logs("PutRetentionPolicy", json::object{{"logGroupName", group}, {"retentionInDays", days}})
            .status());
  } else {
    RETURN_IF_ERROR(Logs("DeleteRetentionPolicy", json::object{{"logGroupName", group}}).status());
  }
  Say("function " + fn.key + ": log retention " +
      (days > 0 ? std::to_string(days) + " days" : std::string("removed")));
  return true;
}

}  // namespace nimbus::deploy
