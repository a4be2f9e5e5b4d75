#include "cli/output.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <iterator>

namespace nimbus::cli {
namespace {

// printf into a string.
[[gnu::format(printf, 1, 2)]] std::string Printf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, format, again);
  va_end(again);
  return out;
}

std::string Text(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

const json::array& ArrayAt(const json::object& o, std::string_view key) {
  static const json::array kEmpty;
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? v->get_array() : kEmpty;
}

}  // namespace

std::string PrettyJson(const json::value& v, int indent) {
  std::string pad(static_cast<size_t>(indent + 2), ' ');
  std::string close(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) return "{}";
    std::string out = "{\n";
    size_t i = 0;
    for (const auto& [k, val] : o) {
      out += pad + json::serialize(json::value(k)) + ": " + PrettyJson(val, indent + 2);
      out += ++i < o.size() ? ",\n" : "\n";
    }
    return out + close + "}";
  }
  if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.empty()) return "[]";
    std::string out = "[\n";
    for (size_t i = 0; i < a.size(); ++i) {
      out += pad + PrettyJson(a[i], indent + 2) + (i + 1 < a.size() ? ",\n" : "\n");
    }
    return out + close + "]";
  }
  return json::serialize(v);
}

std::string FormatApi(const json::value& api) {
  if (!api.is_object()) return "";
  const json::object& o = api.get_object();
  std::string out = "endpoints:\n";
  for (const auto& u : ArrayAt(o, "urls")) out += "  " + Text(u) + "\n";
  const json::array& routes = ArrayAt(o, "routes");
  if (!routes.empty()) out += "routes:\n";
  for (const auto& r : routes) out += "  " + Text(r) + "\n";
  return out;
}

std::string FormatDeploySummary(const deploy::DeployReport& report, int64_t elapsed_ms) {
  std::string changes =
      report.changes == 0 ? "no changes" : std::to_string(report.changes) + " changes";
  return "service " + report.manifest.service + " (stage " + report.manifest.stage +
         ") deployed in " + std::to_string(elapsed_ms) + " ms: " + changes + "\n" +
         FormatApi(report.api);
}

std::string FormatServiceInfo(const manifest::Manifest& m, const json::value& api,
                              const json::value& deployed) {
  std::string out =
      "service: " + m.service + "\nstage: " + m.stage + "\nregion: " + m.region + "\n";
  out += FormatApi(api);
  out += "functions:\n";
  for (const auto& f : m.functions) out += "  " + f.key + ": " + f.name + "\n";
  static const json::array kNone;
  const json::array& tables =
      deployed.is_object() ? ArrayAt(deployed.get_object(), "tables") : kNone;
  if (!tables.empty()) out += "tables:\n";
  for (const auto& t : tables) out += "  " + Text(t) + "\n";
  return out;
}

std::string FormatDevReady(const deploy::DeployReport& report, int64_t elapsed_ms,
                           const std::string& gateway_url, const std::string& endpoint,
                           const std::string& dir) {
  std::string out = "nimbus dev: " + report.manifest.service + " (stage " + report.manifest.stage +
                    ") ready in " + std::to_string(elapsed_ms) + " ms\n";
  out += "  gateway  " + gateway_url + "\n  aws      " + endpoint +
         " (key test/test works with --dev-credentials)\n";
  if (report.api.is_object()) {
    for (const auto& r : ArrayAt(report.api.get_object(), "routes")) {
      out += "  route    " + Text(r) + "\n";
    }
  }
  return out + "watching " + dir + " for changes (Ctrl-C stops)\n";
}

std::string ReloadedFunctions(const deploy::DeployReport& report) {
  std::string names;
  for (const auto& fn : report.manifest.functions) {
    for (const auto& u : report.updated_functions) {
      if (u == fn.name) names += (names.empty() ? "" : ", ") + fn.key;
    }
  }
  return names;
}

std::string FormatLogLine(const std::string& label, std::string text, bool color) {
  static constexpr const char* kColors[] = {"36", "35", "33", "32", "34", "91", "96", "95"};
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (!color) return label + " │ " + text + "\n";
  const char* code = kColors[std::hash<std::string>{}(label) % std::size(kColors)];
  return std::string("\033[") + code + "m" + label + "\033[0m │ " + text + "\n";
}

std::string FunctionListHeader() {
  return Printf("%-40s %-16s %7s %8s  %s\n", "NAME", "RUNTIME", "MEMORY", "TIMEOUT",
                "LAST MODIFIED");
}

std::string FormatFunctionRow(const json::object& f) {
  auto text = [&](const char* key) {
    const json::value* v = f.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  auto number = [&](const char* key) {
    const json::value* v = f.if_contains(key);
    return v != nullptr && v->is_number() ? static_cast<long long>(v->to_number<int64_t>()) : 0LL;
  };
  return Printf("%-40s %-16s %7lld %8lld  %s\n", text("FunctionName").c_str(),
                text("Runtime").c_str(), number("MemorySize"), number("Timeout"),
                text("LastModified").c_str());
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

std::string FormatBenchReport(const BenchSummary& s) {
  const auto& lat = s.latencies_ms;
  int64_t errors = 0;
  for (const auto& [kind, n] : s.errors) errors += n;
  std::string out = "target       " + s.target + "\n";
  out += Printf("connections  %d\n", s.connections);
  out += Printf("requests     %zu in %.2f s (%lld errors)\n", lat.size(), s.elapsed_s,
                static_cast<long long>(errors));
  out += Printf("throughput   %.0f requests/s\n", static_cast<double>(lat.size()) / s.elapsed_s);
  out += Printf("latency ms   p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", Percentile(lat, 50),
                Percentile(lat, 90), Percentile(lat, 99), lat.empty() ? 0.0 : lat.back());
  if (s.cold_starts >= 0) {
    out += Printf("cold starts  %lld\n", static_cast<long long>(s.cold_starts));
  } else {
    out += "cold starts  unknown (no Nimbus health endpoint at " + s.endpoint + ")\n";
  }
  for (const auto& [kind, n] : s.errors) {
    out += Printf("error        %lld × %s\n", static_cast<long long>(n), kind.c_str());
  }
  return out;
}

}  // namespace nimbus::cli
