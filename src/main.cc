// The `nimbus` binary: everything happens in src/cli.
#include "cli/cli.h"

int main(int argc, char** argv) { return nimbus::cli::Main(argc, argv); }
