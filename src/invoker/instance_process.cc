#include "invoker/instance_process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "core/platform.h"
#include "net/listener.h"
#include "net/peer_cred.h"
#include "runtime/instance_spec.h"
#include "runtime/runtime_api.h"

namespace nimbus::invoker {
namespace {

// How many connections an instance's AWS endpoint holds: an SDK's pool (50
// for the JS SDK v3, 10 for boto3) with room. With the body limit below, this
// bounds what one function can make the server buffer.
constexpr size_t kAwsEndpointConnections = 64;
// The Runtime API: one connection per invocation slot, and a few for
// batches, results and reconnects.
constexpr size_t kRuntimeApiSpareConnections = 8;

std::string Loopback(int port) {
  return "127.0.0.1:" + std::to_string(port);
}

// The options of a listener meant for one instance alone. In network mode
// host it sits on the host's loopback, where any process may connect: only
// connections from the instance's own host uid are kept.
net::HttpServerOptions InstanceListenerOptions(const InstanceEnvironment& env, bool host_network,
                                               uint32_t host_uid) {
  net::HttpServerOptions o;
  // A runtime's connection sits idle while its function runs (up to 900 s),
  // and an SDK keeps its pool between calls: only reading is timed here.
  o.idle_timeout = std::chrono::milliseconds(0);
  o.max_connections_per_peer = 0;  // every peer is the instance
  o.connection_budget = env.connections;
  if (host_network && host_uid != 0) {
    o.accept_filter = [host_uid](int fd) {
      auto uid = net::TcpPeerUid(fd);
      return uid.ok() && *uid == host_uid;
    };
  }
  return o;
}

}  // namespace

InstanceProcess::InstanceProcess(const InstanceEnvironment& env,
                                 const runtime::FunctionSpec& function,
                                 const runtime::RuntimeInfo* runtime, std::string id)
    : env_(env), function_(function), runtime_(runtime), id_(std::move(id)) {}

InstanceProcess::~InstanceProcess() = default;

Result<InstanceProcess::SpawnJob> InstanceProcess::Prepare(const std::string& log_stream,
                                                           UniqueFd& output_read) {
  if (runtime_ == nullptr) {
    return Status(Code::kInvalidArgument, "unsupported runtime " + function_.runtime,
                  "Runtime.InvalidRuntime");
  }
  if (runtime_->family == runtime::RuntimeFamily::kProvided) {
    std::string bootstrap = function_.code_dir + "/bootstrap";
    struct stat st;
    if (::stat(bootstrap.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
      return Status(Code::kFailedPrecondition,
                    "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
                    "Runtime.InvalidEntrypoint");
    }
  }

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(read_end.get(), F_SETPIPE_SZ, 1 << 20);

  isolated_net_ = function_.network == sandbox::NetworkMode::kNone;
  runtime::InstanceContext ctx;
  ctx.log_stream = log_stream;
  ctx.output_fd = write_end.get();
  credentials_ =
      env_.credentials->Issue({function_.arn, function_.name, function_.role, function_.region});
  ctx.access_key_id = credentials_.access_key_id;
  ctx.secret_access_key = credentials_.secret_access_key;
  ctx.session_token = credentials_.session_token;
  // In network mode host the instance's listeners sit on the host's loopback
  // on ports of their own; the AWS endpoint it reaches is still its own, so
  // its credentials are accepted there and nowhere else.
  if (isolated_net_) {
    ctx.runtime_api = Loopback(kSandboxRuntimeApiPort);
    ctx.aws_endpoint = "http://" + Loopback(kSandboxAwsPort);
  } else {
    ASSIGN_OR_RETURN(host_api_fd_, net::ListenTcp("127.0.0.1", 0));
    ASSIGN_OR_RETURN(int port, net::BoundPort(host_api_fd_.get()));
    ctx.runtime_api = Loopback(port);
    ctx.aws_endpoint = env_.host_aws_endpoint;
    if (env_.aws_handler) {
      ASSIGN_OR_RETURN(host_aws_fd_, net::ListenTcp("127.0.0.1", 0));
      ASSIGN_OR_RETURN(int aws_port, net::BoundPort(host_aws_fd_.get()));
      ctx.aws_endpoint = "http://" + Loopback(aws_port);
    }
  }
  if (env_.aws_handler) aws_listener_ = env_.aws_handler(credentials_.access_key_id);
  SpawnJob job;
  ASSIGN_OR_RETURN(job.spec, runtime::BuildInstanceSpec(function_, *runtime_, ctx, env_.rootfs));
  job.spawn = env_.spawn;
  job.name = id_;
  job.isolated_net = isolated_net_;
  job.output_write = std::move(write_end);
  output_read = std::move(read_end);
  return job;
}

InstanceProcess::Spawned InstanceProcess::Spawn(SpawnJob job) {
  Spawned out;
  out.spawned_at = Clock::now();
  auto process = job.spawn(job.spec, job.name);
  job.output_write.Reset();  // the sandbox holds its own copy
  if (!process.ok()) {
    out.status = process.status();
    return out;
  }
  out.process = std::move(*process);
  if (job.isolated_net) {
    // setns on this thread, not a loop's: a loop thread inside an instance's
    // network namespace would serve from the wrong one.
    auto listen = [&]() -> Status {
      ASSIGN_OR_RETURN(UniqueFd netns, out.process->process->OpenNetns());
      ASSIGN_OR_RETURN(out.api_fd,
                       net::ListenTcpInNetns(netns.get(), "127.0.0.1", kSandboxRuntimeApiPort));
      ASSIGN_OR_RETURN(out.aws_fd,
                       net::ListenTcpInNetns(netns.get(), "127.0.0.1", kSandboxAwsPort));
      return Status::Ok();
    };
    out.status = listen();
  }
  return out;
}

Status InstanceProcess::Attach(Spawned spawned, net::Handler runtime_api,
                               std::function<void()> on_exit) {
  uint32_t host_uid = 0;
  {
    std::lock_guard lock(mu_);
    process_ = std::move(spawned.process);
    if (process_) host_uid = process_->host_uid();
  }
  RETURN_IF_ERROR(spawned.status);

  net::HttpServerOptions api_options = InstanceListenerOptions(env_, !isolated_net_, host_uid);
  api_options.max_connections = function_.max_concurrency + kRuntimeApiSpareConnections;
  api_options.body_limit = 16 * 1024 * 1024;
  api_options.coalesce_answers = true;
  runtime_api_ = std::make_unique<net::HttpServer>(*env_.loop, std::move(runtime_api), api_options);
  // The largest request a function sends its AWS endpoint is a 16 MB
  // BatchWriteItem or a 6 MB Invoke; a larger one is refused unread.
  net::HttpServerOptions aws_options = InstanceListenerOptions(env_, !isolated_net_, host_uid);
  aws_options.max_connections = kAwsEndpointConnections;
  aws_options.body_limit = 17 * 1024 * 1024;
  if (env_.aws_handler) {
    aws_options.head_filter = std::move(aws_listener_.head_filter);
    aws_options.protocol_error = std::move(aws_listener_.protocol_error);
  }
  UniqueFd api_fd = isolated_net_ ? std::move(spawned.api_fd) : std::move(host_api_fd_);
  UniqueFd aws_fd = isolated_net_ ? std::move(spawned.aws_fd) : std::move(host_aws_fd_);
  RETURN_IF_ERROR(runtime_api_->Adopt(std::move(api_fd)));
  if (env_.aws_handler) {
    aws_endpoint_ = std::make_unique<net::HttpServer>(*env_.loop, std::move(aws_listener_.handler),
                                                      aws_options);
    RETURN_IF_ERROR(aws_endpoint_->Adopt(std::move(aws_fd)));
  }

  int pidfd = -1;
  {
    std::lock_guard lock(mu_);
    pidfd = process_->process->pidfd();
  }
  exit_watcher_ = env_.loop->WatchReadable(pidfd, std::move(on_exit));
  return Status::Ok();
}

Status InstanceProcess::Start() {
  std::lock_guard lock(mu_);
  if (!process_) return Internal("no process to start");
  if (kill_requested_) {
    process_->process->Kill();
    return Status::Ok();
  }
  return process_->process->Start();
}

void InstanceProcess::Kill() {
  std::lock_guard lock(mu_);
  kill_requested_ = true;
  if (process_) process_->process->Kill();
}

bool InstanceProcess::watching_exit() const {
  return exit_watcher_ != nullptr;
}

std::optional<sandbox::ExitInfo> InstanceProcess::Reap() {
  if (exit_watcher_) exit_watcher_->Stop();
  std::lock_guard lock(mu_);
  if (!process_) return std::nullopt;
  return process_->process->Reap();  // the pidfd is readable: no wait
}

bool InstanceProcess::OomKilled() {
  std::lock_guard lock(mu_);
  return process_ && process_->cgroup && process_->cgroup->OomKills() > 0;
}

uint64_t InstanceProcess::PeakMemoryMb(std::chrono::milliseconds max_age) {
  std::lock_guard lock(mu_);
  if (!process_ || !process_->cgroup) return 0;
  auto now = Clock::now();
  if (max_age.count() <= 0 || now - peak_read_at_ >= max_age) {
    peak_memory_mb_ = (process_->cgroup->PeakMemoryBytes() + (1 << 20) - 1) >> 20;
    peak_read_at_ = now;
  }
  return peak_memory_mb_;
}

std::unique_ptr<sandbox::SandboxedProcess> InstanceProcess::Teardown() {
  // The listeners first, so no request reaches a dead instance; then the
  // process and its cgroup, for the owner to release off the I/O threads.
  if (exit_watcher_) exit_watcher_->Stop();
  if (runtime_api_) runtime_api_->Close();
  if (aws_endpoint_) aws_endpoint_->Close();
  host_api_fd_.Reset();
  host_aws_fd_.Reset();
  std::unique_ptr<sandbox::SandboxedProcess> process;
  {
    std::lock_guard lock(mu_);
    process = std::move(process_);
  }
  if (!credentials_.access_key_id.empty()) {
    env_.credentials->Revoke(credentials_.access_key_id);
    credentials_.access_key_id.clear();
  }
  return process;
}

}  // namespace nimbus::invoker
