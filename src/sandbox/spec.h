// What a sandboxed process is given: its command, environment, file system
// view, resource limits and network mode. Built by the execution layer from a
// function's configuration; consumed by Spawn() (process.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nimbus::sandbox {

enum class NetworkMode {
  kNone,  // a private network namespace with only loopback (the default)
  kHost,  // the host's network namespace
};

struct Mount {
  enum class Kind { kBind, kTmpfs, kSymlink, kFile, kDir };
  Kind kind = Kind::kBind;
  std::string source;  // host path (bind), link target (symlink) or contents (file); unused for dir
  std::string target;  // absolute path inside the sandbox
  bool read_only = true;
  uint64_t size_mb = 0;  // tmpfs size
  int mode = 0755;       // tmpfs root mode, or file mode
  // A read-only directory bind is shown through an overlay, so that its host
  // path stays out of the sandbox's /proc/self/mountinfo (the host tree's own
  // sub-mounts are then not included). False binds the tree as it is, every
  // sub-mount read-only too; for host system directories such as /usr.
  bool hide_source = true;
};

struct Limits {
  uint64_t memory_mb = 128;  // hard limit, no swap
  uint64_t pids = 1024;      // processes and threads
  uint32_t cpu_weight = 0;   // relative CPU share; 0 derives it from memory
  uint64_t nofile = 1024;    // open file descriptors
};

struct SandboxSpec {
  std::vector<std::string> argv;  // argv[0] is an absolute path inside the sandbox
  std::vector<std::string> env;   // "NAME=value"
  std::string cwd = "/";
  std::vector<Mount> mounts;      // applied in order inside a fresh read-only root
  Limits limits;
  NetworkMode network = NetworkMode::kNone;
  uint32_t uid = 993;
  uint32_t gid = 993;
  std::string hostname = "nimbus";
  int output_fd = -1;  // the child's stdout and stderr (typically a pipe's write end)
};

}  // namespace nimbus::sandbox
