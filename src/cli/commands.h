// Subcommand registration for the `nimbus` command line.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/client.h"

namespace nimbus::cli {

void AddServeCommand(CLI::App& app);
void AddFunctionCommands(CLI::App& app);
void AddLogsCommand(CLI::App& app);

// The options every client subcommand takes.
void AddClientOptions(CLI::App* cmd, ClientOptions& options);
// Resolves options and returns a client, or prints the error and exits.
AwsClient ClientOrExit(const ClientOptions& options);
// Prints a JSON value indented, for people.
std::string PrettyJson(const json::value& v, int indent = 0);
[[noreturn]] void Fail(const std::string& message);

}  // namespace nimbus::cli
