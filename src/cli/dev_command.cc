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
#include "cli/commands.h"
#include "cli/deployer.h"
#include "core/fs.h"
#include "core/log.h"

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
    for (const auto& f : m.functions) names_["/aws/lambda/" + f.name] = f.key;
  }

  void Print(const std::string& group, const std::string& message) {
    static constexpr const char* kColors[] = {"36", "35", "33", "32", "34", "91", "96", "95"};
    std::lock_guard lock(mu_);
    auto it = names_.find(group);
    std::string label = it != names_.end() ? it->second : group;
    size_t color = std::hash<std::string>{}(label) % std::size(kColors);
    std::string text = message;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (color_) {
      std::fprintf(stdout, "\033[%sm%s\033[0m │ %s\n", kColors[color], label.c_str(), text.c_str());
    } else {
      std::fprintf(stdout, "%s │ %s\n", label.c_str(), text.c_str());
    }
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
  std::error_code ec;
  std::string dir = std::filesystem::absolute(args.dir, ec).lexically_normal().string();
  while (dir.size() > 1 && dir.ends_with('/')) dir.pop_back();
  std::string config = args.config.starts_with("/") ? args.config : dir + "/" + args.config;
  if (!std::filesystem::exists(config)) Fail("no " + config + ": nimbus dev runs a folder holding a serverless.yml");
  if (options.data_dir == ".nimbus") options.data_dir = dir + "/.nimbus";

  sigset_t set = BlockStopSignals();
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);

  auto server = server::Server::Start(options);
  if (!server.ok()) Fail(server.status().message());
  auto text = ReadFile(options.data_dir + "/credentials");
  if (!text.ok()) Fail(text.status().message());
  auto ini = aws::CredentialStore::ParseIni(*text, "default");
  ClientOptions co;
  co.endpoint = (*server)->endpoint();
  co.data_dir = options.data_dir;
  co.region = options.region;
  co.access_key_id = ini["aws_access_key_id"];
  co.secret_access_key = ini["aws_secret_access_key"];
  AwsClient client(co);
  Deployer deployer(client);

  const char* no_color = std::getenv("NO_COLOR");
  LogPrinter printer(isatty(STDOUT_FILENO) && !(no_color && *no_color));
  (*server)->SetLogTap([&printer](const std::string& group, const std::string&, int64_t,
                                  const std::string& message) { printer.Print(group, message); });

  TreeWatcher watcher(dir);  // before the first deploy: no save goes unseen
  DeployOptions deploy;
  deploy.config = config;
  deploy.stage = args.stage;
  deploy.root = true;
  deploy.progress = [](const std::string& line) {
    if (line.starts_with("warning")) std::fprintf(stderr, "%s\n", line.c_str());
  };
  auto report = deployer.Deploy(deploy);
  if (!report.ok()) {
    std::fprintf(stderr, "error: %s\n", report.status().message().c_str());
  } else {
    printer.SetFunctions(report->manifest);
    std::printf("nimbus dev: %s (stage %s) ready in %lld ms\n", report->manifest.service.c_str(),
                report->manifest.stage.c_str(), static_cast<long long>(MillisSince(started)));
    std::printf("  gateway  %s\n  aws      %s (key test/test works with --dev-credentials)\n",
                (*server)->gateway_url().c_str(), (*server)->endpoint().c_str());
    if (report->api.is_object()) {
      for (const auto& r : report->api.at("routes").get_array()) {
        std::printf("  route    %s\n", std::string(r.get_string()).c_str());
      }
    }
    std::printf("watching %s for changes (Ctrl-C stops)\n", dir.c_str());
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
    auto again = deployer.Deploy(deploy);
    if (!again.ok()) {
      std::fprintf(stderr, "error: %s\n", again.status().message().c_str());
      continue;
    }
    printer.SetFunctions(again->manifest);
    if (again->changes == 0) continue;
    std::string names;
    for (const auto& fn : again->manifest.functions) {
      for (const auto& u : again->updated_functions) {
        if (u == fn.name) names += (names.empty() ? "" : ", ") + fn.key;
      }
    }
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
