#include "cli/cli.h"

#include <cstdio>

#include "cli/commands.h"
#include "core/platform.h"

namespace nimbus::cli {

void Fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(1);
}

deploy::AwsClient ClientOrExit(const deploy::ClientOptions& options) {
  auto resolved = deploy::ResolveClientOptions(options);
  if (!resolved.ok()) Fail(resolved.status().message());
  return deploy::AwsClient(*resolved);
}

int Main(int argc, char** argv) {
  CLI::App app{"Nimbus: a serverless cloud you run yourself"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "nimbus " + std::string(kVersion));
  AddServeCommand(app);
  AddFunctionCommands(app);
  AddLogsCommand(app);
  AddDeployCommands(app);
  AddDevCommand(app);
  AddBenchCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace nimbus::cli
