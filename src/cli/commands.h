// Subcommand registration for the `nimbus` command line.
#pragma once

#include <signal.h>

#include <CLI/CLI.hpp>

#include "deploy/client.h"
#include "server/server.h"

namespace nimbus::cli {

void AddServeCommand(CLI::App& app);
void AddFunctionCommands(CLI::App& app);
void AddLogsCommand(CLI::App& app);
void AddDeployCommands(CLI::App& app);
void AddDevCommand(CLI::App& app);
void AddBenchCommand(CLI::App& app);

// A function's Lambda name: `name` itself, or the function `key` of the
// serverless.yml at `config` (exits with a message when neither works).
std::string ResolveFunctionName(const std::string& name, const std::string& key,
                                const std::string& config, const std::string& stage);

// Blocks SIGTERM and SIGINT in the calling thread (and the threads it starts
// later, which inherit the mask) so that the caller alone takes them, with
// sigwait or a signalfd; ignores SIGPIPE. Call before starting any thread.
sigset_t BlockStopSignals();

// The flags of `serve`, shared with `dev`.
void AddServerOptions(CLI::App* cmd, server::ServerOptions& options, std::string& log_level);

// Resolves options and returns a client, or prints the error and exits.
deploy::AwsClient ClientOrExit(const deploy::ClientOptions& options);
// Prints "error: MESSAGE" to stderr and exits with status 1.
[[noreturn]] void Fail(const std::string& message);
// The value of `r`, or Fail with its error.
template <typename T>
T ValueOrFail(Result<T> r) {
  if (!r.ok()) Fail(r.status().message());
  return std::move(*r);
}

}  // namespace nimbus::cli
