// What the `nimbus` commands print, as text built by pure functions (the
// commands write it out): indented JSON, a deployed API's endpoints and
// routes, the summaries of deploy, info and dev, `function list`'s table,
// `nimbus dev`'s log lines and `nimbus bench`'s report. Any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/json.h"
#include "deploy/deployer.h"
#include "manifest/manifest.h"

namespace nimbus::cli {

// A JSON value indented by two spaces a level, for people.
std::string PrettyJson(const json::value& v, int indent = 0);

// "endpoints:\n  URL\n…routes:\n  ROUTE\n…" of the gateway's description of an
// API (GET /nimbus/apis); "" when `api` is not an object.
std::string FormatApi(const json::value& api);

// "service S (stage T) deployed in N ms: no changes|K changes\n", then the API.
std::string FormatDeploySummary(const deploy::DeployReport& report, int64_t elapsed_ms);

// `nimbus info`: the service, its API (`api`, an entry of GET /nimbus/apis,
// or null), its functions and the tables of its deployed record (`deployed`,
// GET /nimbus/apis/ID).
std::string FormatServiceInfo(const manifest::Manifest& m, const json::value& api,
                              const json::value& deployed);

// `nimbus dev`'s banner once the first deploy is done.
std::string FormatDevReady(const deploy::DeployReport& report, int64_t elapsed_ms,
                           const std::string& gateway_url, const std::string& endpoint,
                           const std::string& dir);
// The keys of the functions a redeploy updated, in file order ("a, b"); ""
// when none was.
std::string ReloadedFunctions(const deploy::DeployReport& report);
// One log line of `nimbus dev`: "LABEL │ TEXT\n", the label in one of eight
// terminal colours (chosen by the label) when `color`; trailing newlines of
// `text` dropped.
std::string FormatLogLine(const std::string& label, std::string text, bool color);

// `nimbus function list`: the header, and one row of a ListFunctions entry.
std::string FunctionListHeader();
std::string FormatFunctionRow(const json::object& function);

// `nimbus bench`'s report.
struct BenchSummary {
  std::string target;  // the URL, or "function NAME"
  int connections = 0;
  double elapsed_s = 0;
  std::vector<double> latencies_ms;       // sorted
  std::map<std::string, int64_t> errors;  // kind -> count
  int64_t cold_starts = -1;               // -1: unknown
  std::string endpoint;                   // where the cold starts were asked for
};
// The p-th percentile (0-100) of sorted values, nearest rank; 0 when empty.
double Percentile(const std::vector<double>& sorted, double p);
std::string FormatBenchReport(const BenchSummary& s);

}  // namespace nimbus::cli
