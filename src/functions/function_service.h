// The functions service: Lambda's control plane (create, read, list, update,
// delete) and the entry point of an invocation, on the key-value store and
// the code store. It validates every value as Lambda does and keeps the
// current configurations in memory for the invoke path. Wire formats are
// the frontends' business.
//
// Ownership: the server owns it. It borrows the store, the code store, the
// runtime catalog and the invoker, which must outlive it; the invoker may be
// null where nothing is invoked (control-plane tests and tools).
//
// Threads: Load is called once, on the starting thread, before serving;
// every other method on any thread (the AWS endpoint's I/O threads for the
// Lambda API, the gateway's for its invocations, the endpoint's timer for
// CollectGarbage). Configurations sit behind one reader-writer lock that is
// never held across I/O: Get, List, Spec and Invoke's lookup read memory only.
// Create, UpdateCode, UpdateConfiguration, Delete and CollectGarbage are
// serialised among themselves by a second lock and block the calling thread
// on disk (code extraction, a synced store write).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/platform.h"
#include "core/status.h"
#include "functions/code_store.h"
#include "functions/function_config.h"
#include "invoker/invoker.h"
#include "runtime/catalog.h"
#include "runtime/function_spec.h"
#include "store/kv_store.h"

namespace nimbus::functions {

struct FunctionServiceOptions {
  Platform platform;  // the account and region functions' ARNs name
  sandbox::NetworkMode default_network = sandbox::NetworkMode::kNone;
};

struct InvokeInput {
  std::string payload;
  std::string client_context;  // decoded JSON
  std::string trace_id;
};

struct ListPage {
  std::vector<FunctionConfig> functions;
  std::string next_marker;  // empty on the last page
};

class FunctionService {
 public:
  FunctionService(store::KvStore& store, CodeStore& code, const runtime::RuntimeCatalog& catalog,
                  invoker::Invoker* invoker, FunctionServiceOptions options);

  // Loads the stored functions; call once before serving.
  Status Load();

  Result<FunctionConfig> Create(FunctionConfig config, std::string_view zip);
  Result<FunctionConfig> Get(const FunctionRef& ref) const;
  Result<ListPage> List(const std::string& marker, int max_items) const;
  Result<FunctionConfig> UpdateCode(const FunctionRef& ref, std::string_view zip,
                                    const std::optional<std::string>& revision_id);
  Result<FunctionConfig> UpdateConfiguration(const FunctionRef& ref, const ConfigUpdate& update);
  Status Delete(const FunctionRef& ref);

  // Validates the target, then runs the invocation. `done` gets a platform
  // error as a non-ok status in the result. It runs exactly once: on the
  // calling thread before Invoke returns when the function is not found (or
  // its instance cannot start), else on the invoker's event-loop threads.
  void Invoke(const FunctionRef& ref, InvokeInput input, invoker::InvokeCallback done);
  // What the invoker runs for `ref`; holding it keeps its code on disk.
  Result<std::shared_ptr<const runtime::FunctionSpec>> Spec(const FunctionRef& ref) const;
  // Checks that `ref` names an invocable function (DryRun).
  Status CheckInvocable(const FunctionRef& ref) const;

  std::string FunctionArn(const std::string& name) const;
  std::string ZipPath(const FunctionConfig& config) const { return code_.ZipPath(config.code_sha256_hex); }
  const FunctionServiceOptions& options() const { return options_; }
  size_t count() const;

  // Removes stored code that no function uses and no running instance still
  // runs (an update or delete leaves the old code in place until its last
  // instance is gone). Called after changes and periodically by the server.
  void CollectGarbage();

  // Checks every configurable value as Lambda does.
  Status Validate(const FunctionConfig& config) const;

 private:
  struct Entry {
    FunctionConfig config;
    std::shared_ptr<const runtime::FunctionSpec> spec;
  };

  Result<const Entry*> FindLocked(const FunctionRef& ref) const;
  Status PersistLocked(Entry& entry);
  std::shared_ptr<const runtime::FunctionSpec> MakeSpec(const FunctionConfig& c);
  Status NotFoundFor(const FunctionRef& ref) const;

  store::KvStore& store_;
  CodeStore& code_;
  const runtime::RuntimeCatalog& catalog_;
  invoker::Invoker* invoker_;
  FunctionServiceOptions options_;

  mutable std::shared_mutex mu_;
  std::map<std::string, Entry> functions_;
  std::mutex write_mu_;  // serialises control-plane writes
  // Every spec handed out, by code hash: instances keep theirs alive.
  std::mutex specs_mu_;
  std::vector<std::pair<std::string, std::weak_ptr<const runtime::FunctionSpec>>> specs_;
};

}  // namespace nimbus::functions
