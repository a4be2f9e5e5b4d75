// `nimbus dev [DIR]`: the everyday loop. Starts an embedded server, deploys
// the folder's serverless.yml with its API at the gateway's root, prints
// every function's log lines as they happen, and redeploys on every save:
// a function whose package changed gets a new instance on its next request,
// the others keep their warm ones.
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "aws/credential_store.h"
#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/fs.h"
#include "core/log.h"
#include "deploy/deployer.h"
#include "manifest/naming.h"

namespace nimbus::cli {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MillisSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// Folders whose changes do not concern the service's code.
bool Ignored(const std::string& name) {
  return name == "node_modules" || name == "__pycache__" || (!name.empty() && name[0] == '.');
}

// Watches a folder tree for changes (inotify), new subfolders included.
class TreeWatcher {
 public:
  explicit TreeWatcher(const std::string& root) : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    Add(root);
  }
  ~TreeWatcher() { ::close(fd_); }
  int fd() const { return fd_; }

  // Reads pending events; true when a file of interest changed.
  bool Drain() {
    alignas(inotify_event) char buf[16384];
    bool changed = false;
    while (true) {
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      for (char* p = buf; p < buf + n;) {
        auto* e = reinterpret_cast<inotify_event*>(p);
        p += sizeof(inotify_event) + e->len;
        std::string name = e->len ? e->name : "";
        if (Ignored(name) || name.ends_with("~") || name.ends_with(".swp")) continue;
        auto dir = dirs_.find(e->wd);
        if ((e->mask & IN_ISDIR) && (e->mask & (IN_CREATE | IN_MOVED_TO)) && dir != dirs_.end()) {
          Add(dir->second + "/" + name);
        }
        changed = true;
      }
    }
    return changed;
  }

 private:
  void Add(const std::string& dir) {
    int wd = inotify_add_watch(fd_, dir.c_str(),
                               IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB);
    if (wd < 0) return;
    dirs_[wd] = dir;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.is_directory(ec) && !entry.is_symlink(ec) && !Ignored(entry.path().filename().string())) {
        Add(entry.path().string());
      }
    }
  }

  int fd_;
  std::map<int, std::string> dirs_;
};

// Prints function log lines, each prefixed with its function's key in a
// colour of its own.
class LogPrinter {
 public:
  explicit LogPrinter(bool color) : color_(color) {}

  void SetFunctions(const manifest::Manifest& m) {
    std::lock_guard lock(mu_);
    names_.clear();
    for (const auto& f : m.functions) names_[manifest::LogGroupName(f.name)] = f.key;
  }

  void Print(const std::string& group, const std::string& message) {
    std::lock_guard lock(mu_);
    auto it = names_.find(group);
    std::string line = FormatLogLine(it != names_.end() ? it->second : group, message, color_);
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
  }

 private:
  bool color_;
  std::mutex mu_;
  std::map<std::string, std::string> names_;  // log group -> function key
};

struct DevArgs {
  std::string dir = ".";
  std::string config = "serverless.yml";
  std::string stage;
  std::string log_level = "warn";
};

void RunDev(server::ServerOptions options, const DevArgs& args) {
  auto started = Clock::now();
  log::Init(args.log_level);
  DevPaths paths = ResolveDevPaths(args.dir, args.config, options.data_dir);
  const std::string& dir = paths.dir;
  const std::string& config = paths.config;
  if (!std::filesystem::exists(config)) Fail("no " + config + ": nimbus dev runs a folder holding a serverless.yml");
  options.data_dir = paths.data_dir;

  sigset_t set = BlockStopSignals();
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);

  auto server = server::Server::Start(options);
  if (!server.ok()) Fail(server.status().message());
  auto text = ReadFile(options.data_dir + "/credentials");
  if (!text.ok()) Fail(text.status().message());
  auto ini = aws::CredentialStore::ParseIni(*text, "default");
  deploy::ClientOptions co;
  co.endpoint = (*server)->endpoint();
  co.data_dir = options.data_dir;
  co.region = options.region;
  co.access_key_id = ini["aws_access_key_id"];
  co.secret_access_key = ini["aws_secret_access_key"];
  deploy::AwsClient client(co);
  deploy::Deployer deployer(client);

  const char* no_color = std::getenv("NO_COLOR");
  LogPrinter printer(isatty(STDOUT_FILENO) && !(no_color && *no_color));
  (*server)->SetLogTap([&printer](const std::string& group, const std::string&, int64_t,
                                  const std::string& message) { printer.Print(group, message); });

  TreeWatcher watcher(dir);  // before the first deploy: no save goes unseen
  deploy::DeployOptions wanted;
  wanted.config = config;
  wanted.stage = args.stage;
  wanted.root = true;
  wanted.progress = [](const std::string& line) {
    if (line.starts_with("warning")) std::fprintf(stderr, "%s\n", line.c_str());
  };
  auto report = deployer.Deploy(wanted);
  if (!report.ok()) {
    std::fprintf(stderr, "error: %s\n", report.status().message().c_str());
  } else {
    printer.SetFunctions(report->manifest);
    std::fputs(FormatDevReady(*report, MillisSince(started), (*server)->gateway_url(),
                              (*server)->endpoint(), dir)
                   .c_str(),
               stdout);
    std::fflush(stdout);
  }

  while (true) {
    pollfd fds[2] = {{watcher.fd(), POLLIN, 0}, {sfd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents & POLLIN) break;
    if (!(fds[0].revents & POLLIN)) continue;
    auto changed_at = Clock::now();
    bool changed = watcher.Drain();
    // Editors write in bursts (temp file, rename, chmod): let it settle.
    while (::poll(fds, 1, 40) > 0) changed = watcher.Drain() || changed;
    if (!changed) continue;
    auto again = deployer.Deploy(wanted);
    if (!again.ok()) {
      std::fprintf(stderr, "error: %s\n", again.status().message().c_str());
      continue;
    }
    printer.SetFunctions(again->manifest);
    if (again->changes == 0) continue;
    std::string names = ReloadedFunctions(*again);
    std::printf("reloaded %s in %lld ms\n", names.empty() ? "the service" : names.c_str(),
                static_cast<long long>(MillisSince(changed_at)));
    std::fflush(stdout);
  }
  std::printf("nimbus dev: stopping\n");
  (*server)->Stop();
}

}  // namespace

void AddDevCommand(CLI::App& app) {
  auto opts = std::make_shared<server::ServerOptions>();
  auto args = std::make_shared<DevArgs>();
  opts->dev_credentials = true;
  CLI::App* dev = app.add_subcommand(
      "dev", "Run a serverless.yml service locally: serve, deploy, watch and stream logs");
  dev->add_option("dir", args->dir, "The service's folder")->capture_default_str();
  dev->add_option("--config,-c", args->config, "The serverless.yml, relative to DIR")->capture_default_str();
  dev->add_option("--stage,-s", args->stage, "Stage (default: provider.stage, else dev)");
  AddServerOptions(dev, *opts, args->log_level);
  dev->callback([opts, args] { RunDev(*opts, *args); });
}

}  // namespace nimbus::cli
