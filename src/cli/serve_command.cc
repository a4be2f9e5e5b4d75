// `nimbus serve`: runs the server until SIGTERM or SIGINT.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "core/log.h"
#include "server/server.h"

namespace nimbus::cli {

void AddServerOptions(CLI::App* serve, server::ServerOptions& o, std::string& log_level) {
  serve->add_option("--data-dir", o.data_dir, "State directory (created if missing)")
      ->capture_default_str();
  serve->add_option("--host", o.host, "Address to listen on")->capture_default_str();
  serve->add_option("--api-port", o.api_port, "Port of the AWS-compatible endpoint")
      ->capture_default_str();
  serve->add_option("--gateway-port", o.gateway_port,
                    "Port of the HTTP gateway serving the deployed APIs (0: any free port, "
                    "-1: none)")
      ->capture_default_str();
  serve->add_option("--gateway-timeout-ms", o.gateway_timeout_ms,
                    "Integration timeout of the gateway (API Gateway's is 30 s)")
      ->capture_default_str();
  serve->add_option("--threads", o.threads, "I/O threads of the AWS endpoint")
      ->capture_default_str();
  serve->add_option("--function-threads", o.function_threads,
                    "I/O threads of the gateway and the functions' Runtime API (one keeps a "
                    "gateway request and the instance answering it on the same thread)")
      ->capture_default_str();
  serve->add_flag("--dev-credentials", o.dev_credentials,
                  "Also accept the local access key test/test");
  serve->add_flag("--allow-weak-isolation", o.allow_weak_isolation,
                  "Start even if the host cannot enforce every isolation feature");
  serve->add_option("--concurrency", o.account_concurrency,
                    "Account concurrency limit (concurrent invocations)")
      ->capture_default_str();
  serve->add_option("--keep-alive", o.keep_alive_s,
                    "Seconds an idle instance stays warm before it is stopped")
      ->capture_default_str();
  serve->add_option("--scale-out-delay-ms", o.scale_out_delay_ms,
                    "How long an invocation waits for a busy warm instance before a new one "
                    "starts (-1: adaptive, waiting only when a warm instance should be free "
                    "sooner than a new one could start; 0: at once, as Lambda)")
      ->capture_default_str();
  serve->add_option("--max-concurrent-starts", o.max_concurrent_starts,
                    "Instances of one function that may initialise at the same time; more "
                    "invocations wait for a free instance or a finished start (-1: two per "
                    "CPU core, 0: no limit)")
      ->capture_default_str();
  serve->add_option("--function-network", o.function_network,
                    "Network of function instances: none (loopback only) or host")
      ->check(CLI::IsMember({"none", "host"}))
      ->capture_default_str();
  serve->add_option("--runtimes-dir", o.runtimes_dir, "Folder holding the runtime bootstraps");
  serve->add_option("--region", o.region, "Region in ARNs")->capture_default_str();
  serve->add_option("--shutdown-grace", o.shutdown_grace_s,
                    "Seconds to let in-flight invocations finish on shutdown")
      ->capture_default_str();
  serve->add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
}

sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return set;
}

void AddServeCommand(CLI::App& app) {
  auto opts = std::make_shared<server::ServerOptions>();
  auto log_level = std::make_shared<std::string>("info");
  CLI::App* serve = app.add_subcommand("serve", "Run Nimbus: the AWS endpoint, the gateway and the function runtime");
  AddServerOptions(serve, *opts, *log_level);
  serve->callback([opts, log_level] {
    log::Init(*log_level);
    sigset_t set = BlockStopSignals();
    auto server = server::Server::Start(*opts);
    if (!server.ok()) {
      spdlog::error("{}", server.status().message());
      throw CLI::RuntimeError(1);
    }
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("received {}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    (*server)->Stop();
  });
}

}  // namespace nimbus::cli
