// What every instance of the invoker shares: its owner (the Invoker), the
// event loop its listeners and timers run on, the way sandboxes are spawned,
// and the services an instance uses. Built once by the Invoker, copied into
// each Instance; every pointer outlives the instances (the Invoker waits for
// them in Shutdown).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "invoker/interfaces.h"
#include "invoker/invocation.h"
#include "net/connection_caps.h"
#include "net/event_loop.h"
#include "runtime/catalog.h"
#include "runtime/function_spec.h"
#include "sandbox/rootfs.h"
#include "sandbox/sandboxer.h"

namespace nimbus::invoker {

class Instance;
class SpawnPool;

// The invoker's side of an instance's life. Called from any thread (mostly
// the instance's event loop), never under the instance's mutex; the owner
// may call back into the instance from these.
class InstanceOwner {
 public:
  virtual ~InstanceOwner() = default;
  // The instance finished initialising (its runtime asked for the first event).
  virtual void OnInstanceReady(const std::shared_ptr<Instance>& instance) = 0;
  // The instance finished an invocation and can take another.
  virtual void OnInstanceFree(const std::shared_ptr<Instance>& instance) = 0;
  // The instance is gone (exited, killed, failed to start).
  virtual void OnInstanceDead(const std::shared_ptr<Instance>& instance) = 0;
  // An invocation ended, in any way; `done` must be called by the owner.
  virtual void OnInvocationDone(const runtime::FunctionSpec& fn, InvokeCallback done,
                                InvokeResult result) = 0;
  // Takes resources to release off the I/O threads.
  virtual void Dispose(std::unique_ptr<sandbox::SandboxedProcess> process) = 0;
};

// Spawns one sandbox (sandbox::Sandboxer::Spawn, or a test's stand-in).
// Blocks; called on a SpawnPool thread, several at once.
using SpawnFunction = std::function<Result<std::unique_ptr<sandbox::SandboxedProcess>>(
    const sandbox::SandboxSpec& spec, const std::string& name)>;

struct InstanceEnvironment {
  net::EventLoop* loop = nullptr;
  SpawnFunction spawn;
  SpawnPool* spawner = nullptr;  // where `spawn` runs
  const runtime::RuntimeCatalog* catalog = nullptr;
  LogSink* logs = nullptr;
  CredentialIssuer* credentials = nullptr;
  InstanceOwner* owner = nullptr;
  AwsHandlerFactory aws_handler;  // serves the AWS endpoint an instance reaches
  std::string host_aws_endpoint;  // AWS_ENDPOINT_URL in network mode host
  // Connections of every instance's listeners together: however many
  // instances run, they cannot take every descriptor of the server.
  std::shared_ptr<net::ConnectionBudget> connections;
  sandbox::RootfsOptions rootfs;
  std::chrono::milliseconds init_timeout{10000};
};

}  // namespace nimbus::invoker
