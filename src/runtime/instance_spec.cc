#include "runtime/instance_spec.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

namespace nimbus::runtime {
namespace {

const std::set<std::string>& ReservedKeys() {
  static const std::set<std::string> kKeys = {
      "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
      "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
      "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
      "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
      "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"};
  return kKeys;
}

}  // namespace

bool IsReservedEnvironmentKey(const std::string& key) { return ReservedKeys().count(key) > 0; }

std::string LogGroupName(const std::string& function_name) {
  return "/aws/lambda/" + function_name;
}

Result<sandbox::SandboxSpec> BuildInstanceSpec(const FunctionSpec& fn, const RuntimeInfo& rt,
                                               const InstanceContext& inst,
                                               const sandbox::RootfsOptions& rootfs) {
  using sandbox::Mount;
  sandbox::SandboxSpec spec;
  spec.argv = rt.argv;
  if (rt.family == RuntimeFamily::kNode) {
    // Size V8's heap to the function's memory as Lambda's Node runtime does.
    uint32_t semi = std::max<uint32_t>(1, fn.memory_mb / 20);
    uint32_t old_space = fn.memory_mb - fn.memory_mb / 10;
    spec.argv.insert(spec.argv.begin() + 1,
                     {"--expose-gc", "--max-http-header-size=81920",
                      "--max-semi-space-size=" + std::to_string(semi),
                      "--max-old-space-size=" + std::to_string(old_space)});
  }
  spec.cwd = "/var/task";
  spec.uid = rootfs.uid;
  spec.gid = rootfs.gid;
  spec.network = fn.network;
  spec.output_fd = inst.output_fd;
  spec.limits.memory_mb = fn.memory_mb;
  spec.limits.pids = 1024;
  spec.limits.nofile = 1024;

  spec.mounts = sandbox::SystemMounts(rootfs);
  spec.mounts.push_back({Mount::Kind::kBind, fn.code_dir, "/var/task", true});
  if (!rt.runtime_dir.empty()) {
    spec.mounts.push_back({Mount::Kind::kBind, rt.runtime_dir, "/var/runtime", true});
  } else {
    spec.mounts.push_back({Mount::Kind::kDir, "", "/var/runtime", false, 0, 0755});
  }
  spec.mounts.push_back({Mount::Kind::kDir, "", "/opt", false, 0, 0755});
  spec.mounts.push_back({Mount::Kind::kTmpfs, "", "/tmp", false, fn.ephemeral_mb, 01777});
  if (rt.family == RuntimeFamily::kNode) {
    // ES modules resolve bare specifiers by walking up from the importing
    // file, not through NODE_PATH: this makes the runtime's SDK importable.
    spec.mounts.push_back({Mount::Kind::kSymlink, "/var/runtime/node_modules", "/node_modules"});
  }

  std::map<std::string, std::string> env;
  env["LANG"] = "en_US.UTF-8";
  env["PATH"] = "/usr/local/bin:/usr/bin/:/bin:/opt/bin";
  env["LD_LIBRARY_PATH"] =
      "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:"
      "/opt/lib";
  if (rt.family == RuntimeFamily::kNode) {
    std::string major = fn.runtime.size() > 6 ? fn.runtime.substr(6, 2) : "20";
    env["NODE_PATH"] = "/opt/nodejs/node" + major + "/node_modules:/opt/nodejs/node_modules:" +
                       "/var/runtime/node_modules:/var/runtime:/var/task";
    // The bundled SDK would otherwise warn on every cold start that it will
    // need a newer Node.js; the platform, not the function, picks Node.
    env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";
  }
  if (rt.family == RuntimeFamily::kPython) env["PYTHONPATH"] = "/var/runtime";
  for (const auto& [k, v] : fn.environment) env[k] = v;

  env["_HANDLER"] = fn.handler;
  env["AWS_REGION"] = fn.region;
  env["AWS_DEFAULT_REGION"] = fn.region;
  if (!rt.execution_env.empty()) env["AWS_EXECUTION_ENV"] = rt.execution_env;
  env["AWS_LAMBDA_FUNCTION_NAME"] = fn.name;
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(fn.memory_mb);
  if (fn.max_concurrency > 1)
    env["AWS_LAMBDA_MAX_CONCURRENCY"] = std::to_string(fn.max_concurrency);
  env["AWS_LAMBDA_FUNCTION_VERSION"] = fn.version;
  env["AWS_LAMBDA_INITIALIZATION_TYPE"] = inst.initialization_type;
  env["AWS_LAMBDA_LOG_GROUP_NAME"] = LogGroupName(fn.name);
  env["AWS_LAMBDA_LOG_STREAM_NAME"] = inst.log_stream;
  env["AWS_ACCESS_KEY_ID"] = inst.access_key_id;
  env["AWS_SECRET_ACCESS_KEY"] = inst.secret_access_key;
  if (!inst.session_token.empty()) env["AWS_SESSION_TOKEN"] = inst.session_token;
  env["AWS_LAMBDA_RUNTIME_API"] = inst.runtime_api;
  env["LAMBDA_TASK_ROOT"] = "/var/task";
  env["LAMBDA_RUNTIME_DIR"] = "/var/runtime";
  env["TZ"] = ":UTC";
  if (!inst.aws_endpoint.empty() && !fn.environment.count("AWS_ENDPOINT_URL")) {
    env["AWS_ENDPOINT_URL"] = inst.aws_endpoint;
  }
  for (const auto& [k, v] : env) spec.env.push_back(k + "=" + v);
  return spec;
}

}  // namespace nimbus::runtime
