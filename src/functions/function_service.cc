#include "functions/function_service.h"

#include <set>

#include "core/ids.h"
#include "core/time.h"
#include "runtime/instance_spec.h"
#include "store/keyspace.h"

namespace nimbus::functions {
namespace {

constexpr std::string_view kKeyPrefix = store::keyspace::kFunctions;

std::string Key(const std::string& name) { return std::string(kKeyPrefix) + name; }

bool ValidEnvKey(const std::string& k) {
  if (k.size() < 2) return false;
  if (!std::isalpha(static_cast<unsigned char>(k[0]))) return false;
  for (char c : k) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

Status Constraint(const std::string& value, const std::string& field, const std::string& rule) {
  return InvalidArgument("1 validation error detected: Value '" + value + "' at '" + field +
                         "' failed to satisfy constraint: " + rule);
}

}  // namespace

FunctionService::FunctionService(store::KvStore& store, CodeStore& code,
                                 const runtime::RuntimeCatalog& catalog,
                                 invoker::Invoker* invoker, FunctionServiceOptions options)
    : store_(store), code_(code), catalog_(catalog), invoker_(invoker), options_(std::move(options)) {}

std::string FunctionService::FunctionArn(const std::string& name) const {
  return options_.platform.FunctionArn(name);
}

Status FunctionService::NotFoundFor(const FunctionRef& ref) const {
  std::string arn = FunctionArn(ref.name);
  if (!ref.qualifier.empty()) arn += ":" + ref.qualifier;
  return NotFound("Function not found: " + arn);
}

Status FunctionService::Load() {
  std::unique_lock lock(mu_);
  Status bad;
  Status s = store_.Scan(kKeyPrefix, "", [&](std::string_view, std::string_view value) {
    auto config = FunctionConfig::FromStored(value);
    if (!config.ok()) {
      bad = config.status();
      return false;
    }
    Entry e{*config, nullptr};
    e.spec = MakeSpec(e.config);
    functions_[config->name] = std::move(e);
    return true;
  });
  RETURN_IF_ERROR(s);
  RETURN_IF_ERROR(bad);
  lock.unlock();
  CollectGarbage();  // code left behind by changes before the last shutdown
  return Status::Ok();
}

size_t FunctionService::count() const {
  std::shared_lock lock(mu_);
  return functions_.size();
}

Status FunctionService::Validate(const FunctionConfig& c) const {
  if (!IsValidFunctionName(c.name)) {
    return Constraint(c.name, "functionName",
                      "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have "
                      "length less than or equal to 64");
  }
  const runtime::RuntimeInfo* rt = catalog_.Find(c.runtime);
  if (rt == nullptr) {
    std::string names;
    for (const auto& n : catalog_.Names()) names += (names.empty() ? "" : ", ") + n;
    return InvalidArgument("Value " + (c.runtime.empty() ? std::string("null") : c.runtime) +
                           " at 'runtime' failed to satisfy constraint: Member must satisfy enum "
                           "value set: [" + names + "]");
  }
  if (rt->handler_required && c.handler.empty()) {
    return InvalidArgument("Handler is required for runtime " + c.runtime);
  }
  if (c.handler.size() > 128 || c.handler.find_first_of(" \t\n") != std::string::npos) {
    return Constraint(c.handler, "handler",
                      "Member must have length less than or equal to 128 and contain no "
                      "whitespace");
  }
  using namespace lambda_limits;
  auto between = [](int low, int high) {
    return "Member must have value between " + std::to_string(low) + " and " +
           std::to_string(high);
  };
  if (c.timeout_s < 1 || c.timeout_s > kMaxTimeoutSeconds) {
    return Constraint(std::to_string(c.timeout_s), "timeout", between(1, kMaxTimeoutSeconds));
  }
  if (c.memory_mb < kMinMemoryMb || c.memory_mb > kMaxMemoryMb) {
    return Constraint(std::to_string(c.memory_mb), "memorySize",
                      between(kMinMemoryMb, kMaxMemoryMb));
  }
  if (c.max_concurrency < 1 || c.max_concurrency > 1600) {
    return Constraint(std::to_string(c.max_concurrency), "perExecutionEnvironmentMaxConcurrency",
                      "Member must have value between 1 and 1600");
  }
  if (c.max_concurrency > 1 && rt->family == runtime::RuntimeFamily::kPython) {
    return InvalidArgument("Nimbus's " + c.runtime +
                           " runtime runs one invocation at a time "
                           "per instance: PerExecutionEnvironmentMaxConcurrency must be 1 (use "
                           "a Node.js or provided runtime for several at once)");
  }
  if (c.ephemeral_mb < kMinEphemeralMb || c.ephemeral_mb > kMaxEphemeralMb) {
    return Constraint(std::to_string(c.ephemeral_mb), "ephemeralStorage.size",
                      between(kMinEphemeralMb, kMaxEphemeralMb));
  }
  if (c.description.size() > 256) {
    return Constraint("...", "description", "Member must have length less than or equal to 256");
  }
  if (c.role.rfind("arn:", 0) != 0 || c.role.find(":iam::") == std::string::npos ||
      c.role.find(":role/") == std::string::npos) {
    return Constraint(c.role, "role",
                      "Member must satisfy regular expression pattern: "
                      "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
  }
  size_t env_size = 0;
  for (const auto& [k, v] : c.environment) {
    if (!ValidEnvKey(k)) {
      return Constraint(k, "environment.variables",
                        "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+");
    }
    if (runtime::IsReservedEnvironmentKey(k)) {
      return InvalidArgument("Lambda was unable to configure your environment variables because "
                             "the environment variables you have provided contains reserved keys "
                             "that are currently not supported for modification. Reserved keys "
                             "used in this request: " + k);
    }
    env_size += k.size() + v.size();
  }
  if (env_size > 4096) {
    return InvalidArgument("Lambda was unable to configure your environment variables because "
                           "the environment variables you have provided exceeded the 4KB limit. "
                           "String measured: " + std::to_string(env_size) + " bytes");
  }
  if (c.architecture != "x86_64" && c.architecture != "arm64") {
    return Constraint(c.architecture, "architectures",
                      "Member must satisfy enum value set: [x86_64, arm64]");
  }
  if (c.tracing_mode != "PassThrough" && c.tracing_mode != "Active") {
    return Constraint(c.tracing_mode, "tracingConfig.mode",
                      "Member must satisfy enum value set: [Active, PassThrough]");
  }
  if (!c.network.empty() && c.network != "none" && c.network != "host") {
    return InvalidArgument("the tag nimbus:network must be none or host, not " + c.network);
  }
  return Status::Ok();
}

std::shared_ptr<const runtime::FunctionSpec> FunctionService::MakeSpec(
    const FunctionConfig& c) {
  auto spec = std::make_shared<runtime::FunctionSpec>();
  spec->name = c.name;
  spec->version = "$LATEST";
  spec->arn = FunctionArn(c.name);
  spec->revision = c.revision_id;
  spec->runtime = c.runtime;
  spec->handler = c.handler;
  spec->role = c.role;
  spec->code_dir = code_.Get(c.code_sha256_hex).ok() ? code_.Get(c.code_sha256_hex)->dir : "";
  spec->region = options_.platform.region;
  spec->memory_mb = c.memory_mb;
  spec->timeout_s = c.timeout_s;
  spec->ephemeral_mb = c.ephemeral_mb;
  spec->environment = c.environment;
  spec->network = c.network.empty() ? options_.default_network
                  : c.network == "host" ? sandbox::NetworkMode::kHost
                                        : sandbox::NetworkMode::kNone;
  spec->reserved_concurrency = c.reserved_concurrency;
  spec->max_concurrency = c.max_concurrency;
  std::lock_guard lock(specs_mu_);
  specs_.emplace_back(c.code_sha256_hex, spec);
  return spec;
}

Result<const FunctionService::Entry*> FunctionService::FindLocked(const FunctionRef& ref) const {
  auto it = functions_.find(ref.name);
  if (it == functions_.end() || !ref.qualifier.empty()) return NotFoundFor(ref);
  return &it->second;
}

Status FunctionService::PersistLocked(Entry& entry) {
  entry.config.revision_id = NewUuid();
  entry.config.last_modified_ms = NowEpochMillis();
  RETURN_IF_ERROR(store_.Put(Key(entry.config.name), entry.config.ToStored(), /*sync=*/true));
  entry.spec = MakeSpec(entry.config);
  return Status::Ok();
}

void FunctionService::CollectGarbage() {
  std::lock_guard writer(write_mu_);  // no upload is half-way
  std::set<std::string> used;
  {
    std::shared_lock lock(mu_);
    for (const auto& [name, e] : functions_) used.insert(e.config.code_sha256_hex);
  }
  {
    std::lock_guard lock(specs_mu_);
    std::erase_if(specs_, [](const auto& s) { return s.second.expired(); });
    for (const auto& [sha, spec] : specs_) used.insert(sha);
  }
  for (const std::string& sha : code_.List()) {
    if (!used.count(sha)) code_.Remove(sha).IgnoreError();
  }
}

Result<FunctionConfig> FunctionService::Create(FunctionConfig config, std::string_view zip) {
  auto net = config.tags.find("nimbus:network");
  if (net != config.tags.end()) config.network = net->second;
  RETURN_IF_ERROR(Validate(config));
  std::lock_guard writer(write_mu_);
  {
    std::shared_lock lock(mu_);
    if (functions_.count(config.name)) {
      return Status(Code::kAlreadyExists, "Function already exist: " + config.name);
    }
  }
  ASSIGN_OR_RETURN(StoredCode code, code_.Put(zip));
  config.code_sha256_hex = code.sha256_hex;
  config.code_sha256_base64 = code.sha256_base64;
  config.code_size = code.size;
  Entry entry{std::move(config), nullptr};
  RETURN_IF_ERROR(PersistLocked(entry));
  FunctionConfig out = entry.config;
  std::unique_lock lock(mu_);
  functions_[out.name] = std::move(entry);
  return out;
}

Result<FunctionConfig> FunctionService::Get(const FunctionRef& ref) const {
  std::shared_lock lock(mu_);
  ASSIGN_OR_RETURN(const Entry* e, FindLocked(ref));
  return e->config;
}

Result<ListPage> FunctionService::List(const std::string& marker, int max_items) const {
  if (max_items <= 0 || max_items > 50) max_items = 50;
  std::shared_lock lock(mu_);
  ListPage page;
  auto it = marker.empty() ? functions_.begin() : functions_.upper_bound(marker);
  for (; it != functions_.end(); ++it) {
    if (static_cast<int>(page.functions.size()) == max_items) {
      page.next_marker = page.functions.back().name;
      break;
    }
    page.functions.push_back(it->second.config);
  }
  return page;
}

Result<FunctionConfig> FunctionService::UpdateCode(const FunctionRef& ref, std::string_view zip,
                                                   const std::optional<std::string>& revision_id) {
  std::lock_guard writer(write_mu_);
  Entry entry;
  {
    std::shared_lock lock(mu_);
    ASSIGN_OR_RETURN(const Entry* e, FindLocked(ref));
    entry = *e;
  }
  if (revision_id && *revision_id != entry.config.revision_id) {
    return FailedPrecondition("The Revision Id provided does not match the latest Revision Id. "
                              "Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
  }
  ASSIGN_OR_RETURN(StoredCode code, code_.Put(zip));
  entry.config.code_sha256_hex = code.sha256_hex;
  entry.config.code_sha256_base64 = code.sha256_base64;
  entry.config.code_size = code.size;
  RETURN_IF_ERROR(PersistLocked(entry));
  FunctionConfig out = entry.config;
  {
    std::unique_lock lock(mu_);
    functions_[out.name] = std::move(entry);
  }
  if (invoker_) invoker_->Retire(out.name, out.revision_id);
  return out;
}

Result<FunctionConfig> FunctionService::UpdateConfiguration(const FunctionRef& ref,
                                                            const ConfigUpdate& u) {
  std::lock_guard writer(write_mu_);
  Entry entry;
  {
    std::shared_lock lock(mu_);
    ASSIGN_OR_RETURN(const Entry* e, FindLocked(ref));
    entry = *e;
  }
  if (u.revision_id && *u.revision_id != entry.config.revision_id) {
    return FailedPrecondition("The Revision Id provided does not match the latest Revision Id. "
                              "Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
  }
  FunctionConfig& c = entry.config;
  if (u.runtime) c.runtime = *u.runtime;
  if (u.role) c.role = *u.role;
  if (u.handler) c.handler = *u.handler;
  if (u.description) c.description = *u.description;
  if (u.timeout_s) c.timeout_s = *u.timeout_s;
  if (u.memory_mb) c.memory_mb = *u.memory_mb;
  if (u.ephemeral_mb) c.ephemeral_mb = *u.ephemeral_mb;
  if (u.max_concurrency) c.max_concurrency = *u.max_concurrency;
  if (u.reserved_concurrency) c.reserved_concurrency = *u.reserved_concurrency;
  if (u.environment) c.environment = *u.environment;
  if (u.tracing_mode) c.tracing_mode = *u.tracing_mode;
  if (u.dead_letter_target) c.dead_letter_target = *u.dead_letter_target;
  RETURN_IF_ERROR(Validate(c));
  RETURN_IF_ERROR(PersistLocked(entry));
  FunctionConfig out = entry.config;
  {
    std::unique_lock lock(mu_);
    functions_[out.name] = std::move(entry);
  }
  if (invoker_) invoker_->Retire(out.name, out.revision_id);
  return out;
}

Status FunctionService::Delete(const FunctionRef& ref) {
  std::lock_guard writer(write_mu_);
  {
    std::shared_lock lock(mu_);
    if (!ref.qualifier.empty()) {
      return InvalidArgument("Deleting a version other than $LATEST is not supported yet: "
                             "versions are not published by this server");
    }
    RETURN_IF_ERROR(FindLocked(ref).status());
  }
  RETURN_IF_ERROR(store_.Delete(Key(ref.name), /*sync=*/true));
  {
    std::unique_lock lock(mu_);
    functions_.erase(ref.name);
  }
  if (invoker_) invoker_->Retire(ref.name);
  return Status::Ok();
}

Status FunctionService::CheckInvocable(const FunctionRef& ref) const {
  std::shared_lock lock(mu_);
  return FindLocked(ref).status();
}

Result<std::shared_ptr<const runtime::FunctionSpec>> FunctionService::Spec(
    const FunctionRef& ref) const {
  std::shared_lock lock(mu_);
  ASSIGN_OR_RETURN(const Entry* e, FindLocked(ref));
  return e->spec;
}

void FunctionService::Invoke(const FunctionRef& ref, InvokeInput input,
                             invoker::InvokeCallback done) {
  auto spec = Spec(ref);
  if (!spec.ok()) {
    invoker::InvokeResult r;
    r.status = spec.status();
    done(std::move(r));
    return;
  }
  invoker::InvokeRequest req;
  req.function = std::move(*spec);
  req.payload = std::move(input.payload);
  req.invoked_arn = req.function->arn;
  req.client_context = std::move(input.client_context);
  req.trace_id = std::move(input.trace_id);
  invoker_->Invoke(std::move(req), std::move(done));
}

}  // namespace nimbus::functions
