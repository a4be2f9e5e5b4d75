// `nimbus logs NAME|-f FUNCTION [--tail]`: a function's log group through the
// CloudWatch Logs API (FilterLogEvents), polled when following.
#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "core/time.h"
#include "manifest/naming.h"

namespace nimbus::cli {
void AddLogsCommand(CLI::App& app) {
  auto co = std::make_shared<deploy::ClientOptions>();
  auto name = std::make_shared<std::string>();
  auto follow = std::make_shared<bool>(false);
  auto since = std::make_shared<std::string>("1h");
  auto filter = std::make_shared<std::string>();
  CLI::App* logs = app.add_subcommand("logs", "Print a function's logs");
  auto key = std::make_shared<std::string>();
  auto config = std::make_shared<std::string>("serverless.yml");
  auto stage = std::make_shared<std::string>();
  logs->add_option("name", *name, "Function name");
  logs->add_option("--function,-f", *key, "The function's key in serverless.yml (instead of NAME)");
  logs->add_option("--config,-c", *config, "The service's serverless.yml (with -f)")->capture_default_str();
  logs->add_option("--stage,-s", *stage, "Stage (with -f)");
  logs->add_flag("--tail,-t,--follow", *follow, "Keep printing new lines as they arrive");
  logs->add_option("--since", *since, "How far back to start (30s, 10m, 2h, 1d)")
      ->capture_default_str();
  logs->add_option("--filter", *filter, "CloudWatch filter pattern");
  AddClientOptions(logs, *co);
  logs->callback([=] {
    auto client = ClientOrExit(*co);
    int64_t start = NowEpochMillis() - ValueOrFail(ParseSince(*since));
    std::set<std::string> seen;  // event ids printed at the current start time
    std::string group = manifest::LogGroupName(ResolveFunctionName(*name, *key, *config, *stage));
    while (true) {
      std::string token;
      int64_t newest = start;
      do {
        json::object body{{"logGroupName", group}, {"startTime", start}, {"interleaved", true}};
        if (!filter->empty()) body["filterPattern"] = *filter;
        if (!token.empty()) body["nextToken"] = token;
        auto r = client.CallTarget("logs", "1.1", "Logs_20140328.FilterLogEvents", body);
        if (!r.ok()) {
          if (*follow && r.status().message().find("ResourceNotFoundException") != std::string::npos) {
            break;  // no logs yet: keep waiting
          }
          Fail(r.status().message());
        }
        for (const auto& e : r->at("events").as_array()) {
          const auto& o = e.as_object();
          std::string id(o.at("eventId").as_string());
          if (!seen.insert(id).second) continue;
          int64_t ts = o.at("timestamp").to_number<int64_t>();
          newest = std::max(newest, ts);
          std::printf("%s\n", o.at("message").as_string().c_str());
        }
        auto* next = r->as_object().if_contains("nextToken");
        token = next && next->is_string() ? std::string(next->get_string()) : "";
      } while (!token.empty());
      std::fflush(stdout);
      if (!*follow) break;
      start = newest;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
}

}  // namespace nimbus::cli
