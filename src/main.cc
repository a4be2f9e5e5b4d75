// The `nimbus` binary: everything happens in src/cli.
#include <spdlog/spdlog.h>

#include "cli/cli.h"
#include "net/listener.h"

int main(int argc, char** argv) {
  // Every connection takes a descriptor: the usual soft limit of 1024 would
  // run out long before the servers' own connection caps are reached.
  if (auto limit = nimbus::net::RaiseDescriptorLimit(); !limit.ok()) {
    spdlog::warn("cannot raise the open-file limit: {}", limit.status().ToString());
  }
  return nimbus::cli::Main(argc, argv);
}
