#include "server/server.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <algorithm>
#include <filesystem>
#include <thread>
#include <spdlog/spdlog.h>

#include "aws/access.h"
#include "aws/credential_store.h"
#include "aws/dynamodb/dynamodb_frontend.h"
#include "aws/endpoint.h"
#include "aws/iam/iam_frontend.h"
#include "aws/lambda/lambda_frontend.h"
#include "aws/logs/logs_frontend.h"
#include "aws/nimbus/gateway_admin.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/fs.h"
#include "core/platform.h"
#include "core/strings.h"
#include "core/time.h"
#include "functions/code_store.h"
#include "functions/function_service.h"
#include "gateway/gateway.h"
#include "iam/iam_service.h"
#include "invoker/invoker.h"
#include "net/event_loop.h"
#include "net/http_server.h"
#include "observe/log_store.h"
#include "runtime/catalog.h"
#include "sandbox/cgroup.h"
#include "sandbox/sandboxer.h"
#include "store/kv_store.h"
#include "tables/table_service.h"
#include "triggers/function_invoker.h"

namespace nimbus::server {

std::string DefaultRuntimesDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto dir = exe.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
      if (std::filesystem::exists(dir / "runtimes" / "nodejs" / "bootstrap.mjs")) {
        return (dir / "runtimes").string();
      }
      if (std::filesystem::exists(dir / "share" / "nimbus" / "runtimes")) {
        return (dir / "share" / "nimbus" / "runtimes").string();
      }
    }
  }
  return "/usr/share/nimbus/runtimes";
}

struct Server::Impl {
  ServerOptions options;
  int64_t started_ms = NowEpochMillis();
  UniqueFd lock_file;
  std::unique_ptr<store::KvStore> kv;
  std::unique_ptr<aws::CredentialStore> credentials;
  std::unique_ptr<sandbox::Sandboxer> sandboxer;
  std::unique_ptr<runtime::RuntimeCatalog> catalog;
  std::unique_ptr<observe::LogStore> logs;
  std::unique_ptr<functions::CodeStore> code;
  std::unique_ptr<net::EventLoop> loop;     // the AWS endpoint
  std::unique_ptr<net::EventLoop> fn_loop;  // the gateway, the invoker and the Runtime API
  std::unique_ptr<aws::Endpoint> endpoint;
  std::unique_ptr<iam::IamService> iam;
  std::unique_ptr<aws::AccessControl> access;
  std::unique_ptr<aws::IamFrontend> iam_frontend;
  std::shared_ptr<invoker::Invoker> invoker;
  std::unique_ptr<functions::FunctionService> functions;
  std::unique_ptr<triggers::FunctionInvoker> function_invoker;  // outlives the gateway
  std::unique_ptr<aws::LambdaFrontend> lambda;
  std::unique_ptr<aws::LogsFrontend> logs_frontend;
  std::unique_ptr<tables::TableService> tables;
  std::unique_ptr<aws::DynamoDbFrontend> dynamodb;
  std::unique_ptr<gateway::Gateway> gateway;
  std::unique_ptr<aws::GatewayAdmin> gateway_admin;
  std::unique_ptr<net::HttpServer> api;
  std::unique_ptr<net::HttpServer> gateway_server;
  int api_port = 0;
  int gateway_port = 0;
  bool stopped = false;
  net::TimerPtr gc_timer;
  std::mutex gc_mu;

  // Removes function code that nothing uses any more, every 30 seconds.
  void ScheduleGarbageCollection() {
    std::lock_guard lock(gc_mu);
    if (stopped) return;
    gc_timer = loop->After(std::chrono::seconds(30), [this] {
      functions->CollectGarbage();
      ScheduleGarbageCollection();
    });
  }

  std::string CodeSignature(const std::string& sha, int64_t expires) const {
    return Hex(HmacSha256(credentials->root().secret_access_key, "code:" + sha + ":" +
                                                                     std::to_string(expires)));
  }

  void Health(net::HttpRequest&&, net::Responder respond) {
    auto stats = invoker->Stats();
    boost::json::object o{{"status", "ok"},
                          {"version", kVersion},
                          {"uptime_ms", NowEpochMillis() - started_ms},
                          {"isolation", sandboxer->Describe()},
                          {"functions", functions->count()},
                          {"tables", [&] {
                             bool more = false;
                             return tables->ListTables("", 100000, &more).size();
                           }()},
                          {"apis", gateway->List().size()},
                          {"instances", stats.instances},
                          {"idle_instances", stats.idle_instances},
                          {"in_flight", stats.in_flight},
                          {"invocations", stats.invocations},
                          {"cold_starts", stats.cold_starts},
                          {"throttles", stats.throttles}};
    respond(net::HttpResponse::Json(200, boost::json::serialize(o)));
  }

  // GET /_nimbus/code/<sha>.zip?expires=E&signature=S — GetFunction's Code.Location.
  void CodeDownload(net::HttpRequest&& req, net::Responder respond) {
    std::string_view name = std::string_view(req.path).substr(strlen("/_nimbus/code/"));
    long long expires = 0;
    auto e = req.Query("expires");
    auto sig = req.Query("signature");
    if (!name.ends_with(".zip") || !e || !sig || !ParseInt64(*e, &expires)) {
      return respond(net::HttpResponse::Text(403, "AccessDenied"));
    }
    std::string sha(name.substr(0, name.size() - 4));
    if (expires < NowEpochMillis() / 1000 || !ConstantTimeEquals(*sig, CodeSignature(sha, expires))) {
      return respond(net::HttpResponse::Text(403, "AccessDenied: the code URL expired or is invalid"));
    }
    auto data = ReadFile(code->ZipPath(sha));
    if (!data.ok()) return respond(net::HttpResponse::Text(404, "NoSuchKey"));
    net::HttpResponse r;
    r.headers.push_back({"Content-Type", "application/zip"});
    r.body = std::move(*data);
    respond(std::move(r));
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

int Server::api_port() const { return impl_->api_port; }
int Server::gateway_port() const { return impl_->gateway_port; }

void Server::SetLogTap(observe::LogStore::Tap tap) { impl_->logs->SetTap(std::move(tap)); }

std::string Server::gateway_url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->gateway_port);
}

std::string Server::endpoint() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->api_port);
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  Impl& s = *impl;
  // The account and region every service names its resources with.
  const Platform platform{options.region, options.account_id};
  const std::string& dir = options.data_dir;
  RETURN_IF_ERROR(MakeDirs(dir, 0700));
  s.lock_file = UniqueFd(::open((dir + "/LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!s.lock_file.valid() || ::flock(s.lock_file.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status(Code::kFailedPrecondition,
                  "another Nimbus server is using the data directory " + dir);
  }

  ASSIGN_OR_RETURN(s.kv, store::OpenRocksDb(dir + "/db"));
  bool created = false;
  ASSIGN_OR_RETURN(s.credentials,
                   aws::CredentialStore::Open(dir + "/credentials", options.dev_credentials, &created));
  if (created) {
    // Printed once: the file in the data directory is the only other copy.
    fmt::print(stderr,
               "Created the root access key (stored in {}/credentials, mode 0600):\n"
               "  AWS_ACCESS_KEY_ID={}\n  AWS_SECRET_ACCESS_KEY={}\n",
               dir, s.credentials->root().access_key_id, s.credentials->root().secret_access_key);
  }
  if (options.dev_credentials) {
    spdlog::warn("--dev-credentials: also accepting the local access key test/test");
  }

  sandbox::SandboxerOptions so;
  so.state_dir = dir + "/run";
  so.scope = sandbox::NewCgroupScope();
  so.allow_weak_isolation = options.allow_weak_isolation;
  ASSIGN_OR_RETURN(s.sandboxer, sandbox::Sandboxer::Create(so));
  if (!s.sandboxer->missing().empty()) {
    for (const auto& m : s.sandboxer->missing()) {
      spdlog::warn("weak isolation accepted: this host lacks {}", m);
    }
  }

  std::string runtimes = options.runtimes_dir.empty() ? DefaultRuntimesDir() : options.runtimes_dir;
  s.catalog = std::make_unique<runtime::RuntimeCatalog>(runtime::CatalogOptions{runtimes});
  for (const auto& problem : s.catalog->Check()) spdlog::warn("runtimes: {}", problem);

  s.logs = std::make_unique<observe::LogStore>(*s.kv);
  RETURN_IF_ERROR(s.logs->Open());
  s.code = std::make_unique<functions::CodeStore>(dir + "/code");
  s.loop = std::make_unique<net::EventLoop>(options.threads);
  s.fn_loop = std::make_unique<net::EventLoop>(options.function_threads);
  s.endpoint = std::make_unique<aws::Endpoint>(*s.credentials);
  s.iam = std::make_unique<iam::IamService>(*s.kv, iam::IamOptions{platform});
  RETURN_IF_ERROR(s.iam->Open());
  s.access = std::make_unique<aws::AccessControl>(*s.iam, options.account_id);
  s.endpoint->SetAccessControl(s.access.get());
  s.iam_frontend = std::make_unique<aws::IamFrontend>(*s.iam);

  invoker::InvokerOptions io;
  io.account_concurrency = options.account_concurrency;
  io.keep_alive = std::chrono::seconds(options.keep_alive_s);
  io.scale_out_delay = std::chrono::milliseconds(options.scale_out_delay_ms);
  io.max_concurrent_starts =
      options.max_concurrent_starts >= 0
          ? options.max_concurrent_starts
          : 2 * std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  io.host_aws_endpoint = "http://" + options.host + ":" + std::to_string(options.api_port);
  aws::Endpoint* endpoint = s.endpoint.get();
  s.invoker = std::make_shared<invoker::Invoker>(
      *s.fn_loop, *s.sandboxer, *s.catalog, *s.logs, *s.credentials,
      [endpoint](const std::string& key) {
        return invoker::AwsListener{endpoint->InstanceHandler(key), endpoint->HeadFilter(key),
                                    &aws::Endpoint::ProtocolError};
      },
      io);

  functions::FunctionServiceOptions fo;
  fo.platform = platform;
  if (options.function_network == "host") {
    fo.default_network = sandbox::NetworkMode::kHost;
  } else if (options.function_network != "none") {
    return InvalidArgument("--function-network must be none or host");
  }
  s.functions = std::make_unique<functions::FunctionService>(*s.kv, *s.code, *s.catalog,
                                                             s.invoker.get(), fo);
  RETURN_IF_ERROR(s.functions->Load());

  Impl* self = impl.get();
  s.lambda = std::make_unique<aws::LambdaFrontend>(
      *s.functions,
      [self](const std::string& host, const std::string& sha) {
        int64_t expires = NowEpochMillis() / 1000 + 600;
        std::string h = host.empty() ? self->options.host + ":" + std::to_string(self->api_port) : host;
        return "http://" + h + "/_nimbus/code/" + sha + ".zip?expires=" + std::to_string(expires) +
               "&signature=" + self->CodeSignature(sha, expires);
      },
      options.account_concurrency, s.iam.get(), options.dev_credentials);
  s.logs_frontend = std::make_unique<aws::LogsFrontend>(*s.logs, platform);
  tables::TableServiceOptions to;
  to.region = platform.region;
  to.account_id = platform.account_id;
  s.tables = std::make_unique<tables::TableService>(*s.kv, to);
  RETURN_IF_ERROR(s.tables->Open());
  s.dynamodb = std::make_unique<aws::DynamoDbFrontend>(
      *s.tables, platform);
  gateway::GatewayOptions go;
  go.platform = platform;
  go.integration_timeout = std::chrono::milliseconds(options.gateway_timeout_ms);
  s.function_invoker = std::make_unique<triggers::FunctionInvoker>(*s.functions);
  s.gateway = std::make_unique<gateway::Gateway>(*s.kv, *s.fn_loop,
                                                 s.function_invoker->ForGateway(), go);
  RETURN_IF_ERROR(s.gateway->Load());
  s.gateway_admin = std::make_unique<aws::GatewayAdmin>(*s.gateway, [self] {
    return "http://" + self->options.host + ":" + std::to_string(self->gateway_port);
  });
  s.endpoint->Register("nimbus", s.gateway_admin.get());
  s.endpoint->Register("dynamodb", s.dynamodb.get());
  s.endpoint->Register("lambda", s.lambda.get());
  s.endpoint->Register("logs", s.logs_frontend.get());
  s.endpoint->Register("iam", s.iam_frontend.get());
  s.endpoint->RegisterInternal("/_nimbus/health", [self](net::HttpRequest&& r, net::Responder w) {
    self->Health(std::move(r), std::move(w));
  });
  s.endpoint->RegisterInternal("/_nimbus/code/", [self](net::HttpRequest&& r, net::Responder w) {
    self->CodeDownload(std::move(r), std::move(w));
  });

  s.loop->Start();
  s.fn_loop->Start();
  s.invoker->Start();
  s.ScheduleGarbageCollection();
  net::HttpServerOptions ho;
  ho.body_limit = 96 * 1024 * 1024;  // base64 of a 50 MB zip, with room
  ho.protocol_error = &aws::Endpoint::ProtocolError;
  ho.head_filter = s.endpoint->HeadFilter("");
  // The public listeners together keep half the descriptors; the instances'
  // listeners share the other half (see the invoker).
  auto public_budget = std::make_shared<net::ConnectionBudget>(net::DefaultConnectionBudget() / 2);
  ho.connection_budget = public_budget;
  s.api = std::make_unique<net::HttpServer>(*s.loop, s.endpoint->handler(), ho);
  auto port = s.api->Listen(options.host, options.api_port);
  if (!port.ok()) {
    s.invoker->Shutdown(std::chrono::milliseconds(0));
    s.fn_loop->Stop();
    s.loop->Stop();
    return port.status();
  }
  s.api_port = *port;
  if (options.gateway_port >= 0) {
    net::HttpServerOptions gho;
    gho.body_limit = 10 * 1024 * 1024;  // API Gateway's payload limit: larger gets 413
    gho.connection_budget = public_budget;
    gho.protocol_error = [](int status, const std::string&) {
      return net::HttpResponse::Json(status, status == 431   ? R"({"message":"Request Header Fields Too Large"})"
                                             : status == 503 ? R"({"message":"Service Unavailable"})"
                                                             : R"({"message":"Bad Request"})");
    };
    s.gateway_server = std::make_unique<net::HttpServer>(
        *s.fn_loop, [self](net::HttpRequest&& r, net::Responder w) { self->gateway->Handle(std::move(r), std::move(w)); },
        gho);
    auto gport = s.gateway_server->Listen(options.host, options.gateway_port);
    if (!gport.ok()) {
      s.api->Close();
      s.invoker->Shutdown(std::chrono::milliseconds(0));
      s.fn_loop->Stop();
      s.loop->Stop();
      return Status(gport.status().code(), "the gateway cannot listen on " + options.host + ":" +
                                               std::to_string(options.gateway_port) + ": " +
                                               gport.status().message() +
                                               " (choose another with --gateway-port)");
    }
    s.gateway_port = *gport;
  }

  boost::json::object info{{"endpoint", "http://" + options.host + ":" + std::to_string(*port)},
                           {"gateway", s.gateway_port ? "http://" + options.host + ":" +
                                                            std::to_string(s.gateway_port)
                                                      : std::string()},
                           {"pid", ::getpid()},
                           {"region", options.region}};
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/server.json", boost::json::serialize(info), 0600));
  spdlog::info("Nimbus serving the AWS endpoint on http://{}:{} (data in {}, isolation: {})",
               options.host, *port, dir, s.sandboxer->Describe());
  if (s.gateway_port) spdlog::info("Gateway on http://{}:{}", options.host, s.gateway_port);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.gc_mu);
    if (s.stopped) return;
    s.stopped = true;
    if (s.gc_timer) s.gc_timer->Cancel();
  }
  spdlog::info("Nimbus stopping");
  s.api->StopAccepting();
  if (s.gateway_server) s.gateway_server->StopAccepting();
  s.invoker->Shutdown(std::chrono::seconds(s.options.shutdown_grace_s));
  s.api->Close();
  if (s.gateway_server) s.gateway_server->Close();
  s.fn_loop->Stop();
  s.loop->Stop();
  s.logs->Flush();
  ::unlink((s.options.data_dir + "/server.json").c_str());
  spdlog::info("Nimbus stopped");
}

}  // namespace nimbus::server
