// `nimbus logs NAME|-f FUNCTION [--tail]`: a function's log group through the
// CloudWatch Logs API (FilterLogEvents), polled when following.
#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "core/strings.h"
#include "core/time.h"

namespace nimbus::cli {
namespace {

// "10m", "2h", "30s", "1d" → milliseconds.
int64_t ParseSince(const std::string& s) {
  if (s.empty()) return 0;
  long long n = 0;
  char unit = s.back();
  if (!ParseInt64(std::string_view(s).substr(0, s.size() - 1), &n)) Fail("bad --since " + s);
  switch (unit) {
    case 's': return n * 1000;
    case 'm': return n * 60 * 1000;
    case 'h': return n * 3600 * 1000;
    case 'd': return n * 86400 * 1000;
  }
  Fail("--since takes a number with s, m, h or d: " + s);
}

}  // namespace

void AddLogsCommand(CLI::App& app) {
  auto co = std::make_shared<ClientOptions>();
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
    int64_t start = NowEpochMillis() - ParseSince(*since);
    std::set<std::string> seen;  // event ids printed at the current start time
    std::string group = "/aws/lambda/" + ResolveFunctionName(*name, *key, *config, *stage);
    while (true) {
      std::string token;
      int64_t newest = start;
      do {
        json::object body{{"logGroupName", group}, {"startTime", start}, {"interleaved", true}};
        if (!filter->empty()) body["filterPattern"] = *filter;
        if (!token.empty()) body["nextToken"] = token;
        auto r = client.CallJson("logs", "POST", "/",
                                 {{"Content-Type", "application/x-amz-json-1.1"},
                                  {"X-Amz-Target", "Logs_20140328.FilterLogEvents"}},
                                 json::serialize(body));
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
