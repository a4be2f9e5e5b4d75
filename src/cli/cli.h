// The `nimbus` command: `serve` runs the platform; the other subcommands are
// a client of its AWS endpoint (function, invoke, logs).
#pragma once

namespace nimbus::cli {

int Main(int argc, char** argv);

}  // namespace nimbus::cli
