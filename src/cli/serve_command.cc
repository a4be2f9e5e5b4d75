// `nimbus serve`: runs the server until SIGTERM or SIGINT.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "core/log.h"
#include "server/server.h"

namespace nimbus::cli {

void AddServeCommand(CLI::App& app) {
  auto opts = std::make_shared<server::ServerOptions>();
  auto log_level = std::make_shared<std::string>("info");
  CLI::App* serve = app.add_subcommand("serve", "Run Nimbus: the AWS endpoint and the function runtime");
  serve->add_option("--data-dir", opts->data_dir, "State directory (created if missing)")
      ->capture_default_str();
  serve->add_option("--host", opts->host, "Address to listen on")->capture_default_str();
  serve->add_option("--api-port", opts->api_port, "Port of the AWS-compatible endpoint")
      ->capture_default_str();
  serve->add_option("--threads", opts->threads, "I/O threads")->capture_default_str();
  serve->add_flag("--dev-credentials", opts->dev_credentials,
                  "Also accept the local access key test/test");
  serve->add_flag("--allow-weak-isolation", opts->allow_weak_isolation,
                  "Start even if the host cannot enforce every isolation feature");
  serve->add_option("--concurrency", opts->account_concurrency,
                    "Account concurrency limit (concurrent invocations)")
      ->capture_default_str();
  serve->add_option("--keep-alive", opts->keep_alive_s,
                    "Seconds an idle instance stays warm before it is stopped")
      ->capture_default_str();
  serve->add_option("--function-network", opts->function_network,
                    "Network of function instances: none (loopback only) or host")
      ->check(CLI::IsMember({"none", "host"}))
      ->capture_default_str();
  serve->add_option("--runtimes-dir", opts->runtimes_dir, "Folder holding the runtime bootstraps");
  serve->add_option("--region", opts->region, "Region in ARNs")->capture_default_str();
  serve->add_option("--shutdown-grace", opts->shutdown_grace_s,
                    "Seconds to let in-flight invocations finish on shutdown")
      ->capture_default_str();
  serve->add_option("--log-level", *log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  serve->callback([opts, log_level] {
    log::Init(*log_level);
    // Signals are taken by this thread with sigwait; block them before any
    // other thread starts so that none of them receives one.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
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
