#include "aws/logs_frontend.h"

#include <boost/json.hpp>

#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "observe/retention.h"

namespace nimbus::aws {
namespace {

constexpr std::string_view kTargetPrefix = "Logs_20140328.";

AwsError Invalid(std::string m) { return {400, "InvalidParameterException", std::move(m)}; }

AwsError FromStatus(const Status& s) {
  switch (s.code()) {
    case Code::kNotFound: return {400, "ResourceNotFoundException", s.message()};
    case Code::kAlreadyExists: return {400, "ResourceAlreadyExistsException", s.message()};
    case Code::kInvalidArgument: return Invalid(s.message());
    default: return {500, "ServiceUnavailableException", s.message()};
  }
}

std::optional<int64_t> OptInt(const JsonObjectReader& r, const char* key) {
  auto v = r.Int(key);
  return v.ok() ? *v : std::nullopt;
}

}  // namespace

LogsFrontend::LogsFrontend(observe::LogStore& logs, std::string account_id)
    : logs_(logs), account_id_(std::move(account_id)) {}

void LogsFrontend::Handle(net::HttpRequest&& req, const RequestContext& ctx,
                          net::Responder respond) {
  const std::string& rid = ctx.request_id;
  auto fail = [&](const AwsError& e) { respond(RenderError(Protocol::kJson, e, rid)); };
  auto ok = [&](const json::value& v) {
    respond(JsonResponse(200, json::serialize(v), rid, "application/x-amz-json-1.1"));
  };
  std::string target = req.HeaderOr("X-Amz-Target");
  if (!std::string_view(target).starts_with(kTargetPrefix)) {
    return fail({400, "UnknownOperationException", "Unknown X-Amz-Target: " + target});
  }
  std::string op = target.substr(kTargetPrefix.size());
  auto parsed = ParseJson(req.body.empty() ? std::string_view("{}") : req.body);
  if (!parsed.ok() || !parsed->is_object()) {
    return fail({400, "SerializationException", "the request body must be a JSON object"});
  }
  JsonObjectReader r(parsed->get_object());
  auto str = [&](const char* key) { return r.String(key).value_or(std::nullopt).value_or(""); };
  std::string arn_prefix = "arn:aws:logs:" + ctx.region + ":" + account_id_ + ":log-group:";
  // Stream operations are authorised on the stream's ARN (so a policy's
  // "log-group:NAME:*" grants them), the others on the group's.
  if (ctx.is_instance()) {
    std::string group = str("logGroupName");
    std::string resource = arn_prefix + (group.empty() ? "*" : group);
    if (op == "CreateLogStream" || op == "PutLogEvents" || op == "GetLogEvents") {
      resource += ":log-stream:" + str("logStreamName");
    }
    if (auto denied = ctx.Authorize("logs:" + op, resource)) return fail(*denied);
  }

  if (op == "CreateLogGroup") {
    std::string group = str("logGroupName");
    if (group.empty() || group.size() > 512) return fail(Invalid("logGroupName is required"));
    Status s = logs_.CreateGroup(group);
    if (!s.ok()) return fail(FromStatus(s));
    return ok(json::object{});
  }
  if (op == "DeleteLogGroup") {
    Status s = logs_.DeleteGroup(str("logGroupName"));
    if (!s.ok()) return fail(FromStatus(s));
    return ok(json::object{});
  }
  if (op == "PutRetentionPolicy") {
    std::string group = str("logGroupName");
    if (group.empty()) return fail(Invalid("logGroupName is required"));
    auto days = OptInt(r, "retentionInDays");
    if (!days || !observe::IsRetentionPeriod(*days)) {
      return fail(Invalid("retentionInDays must be one of " +
                          std::string(observe::kRetentionDaysText) + " days; got " +
                          (days ? std::to_string(*days) : "none")));
    }
    Status s = logs_.SetRetention(group, static_cast<int>(*days));
    if (!s.ok()) return fail(FromStatus(s));
    return ok(json::object{});
  }
  if (op == "DeleteRetentionPolicy") {
    Status s = logs_.SetRetention(str("logGroupName"), 0);
    if (!s.ok()) return fail(FromStatus(s));
    return ok(json::object{});
  }
  if (op == "DescribeLogGroups") {
    auto groups = logs_.Groups(str("logGroupNamePrefix"));
    int limit = static_cast<int>(OptInt(r, "limit").value_or(50));
    std::string token = str("nextToken");
    json::array out;
    std::string next;
    for (const auto& g : groups) {
      if (!token.empty() && g.name <= token) continue;
      if (static_cast<int>(out.size()) == limit) {
        next = out.back().as_object().at("logGroupName").as_string().c_str();
        break;
      }
      json::object group{{"logGroupName", g.name},
                         {"creationTime", g.created_ms},
                         {"metricFilterCount", 0},
                         {"arn", arn_prefix + g.name + ":*"},
                         {"storedBytes", g.stored_bytes}};
      if (g.retention_days > 0) group["retentionInDays"] = g.retention_days;
      out.push_back(std::move(group));
    }
    json::object resp{{"logGroups", out}};
    if (!next.empty()) resp["nextToken"] = next;
    return ok(resp);
  }
  if (op == "CreateLogStream") {
    Status st = logs_.CreateStream(str("logGroupName"), str("logStreamName"));
    if (!st.ok()) return fail(FromStatus(st));
    return ok(json::object{});
  }
  if (op == "PutLogEvents") {
    std::string group = str("logGroupName"), stream = str("logStreamName");
    auto events = r.Array("logEvents");
    if (!events.ok() || *events == nullptr || (*events)->empty()) {
      return fail(Invalid("logEvents must contain at least one event"));
    }
    if (!logs_.HasStream(group, stream)) {
      bool group_exists = !logs_.Groups(group).empty() && logs_.Groups(group).front().name == group;
      return fail({400, "ResourceNotFoundException",
                   group_exists ? "The specified log stream does not exist."
                                : "The specified log group does not exist."});
    }
    for (const auto& e : **events) {
      if (!e.is_object()) return fail(Invalid("each log event must be an object"));
      JsonObjectReader er(e.get_object());
      auto ts = er.Int("timestamp");
      auto msg = er.String("message");
      if (!ts.ok() || !*ts || !msg.ok() || !*msg || (*msg)->empty()) {
        return fail(Invalid("each log event needs a timestamp and a non-empty message"));
      }
      logs_.Append(group, stream, **ts, **msg);
    }
    return ok(json::object{{"nextSequenceToken", std::to_string(NowEpochMillis())}});
  }
  if (op == "DescribeLogStreams") {
    std::string group = str("logGroupName");
    auto streams = logs_.Streams(group, str("logStreamNamePrefix"));
    if (!streams.ok()) return fail(FromStatus(streams.status()));
    bool by_time = str("orderBy") == "LastEventTime";
    bool descending = r.Bool("descending").value_or(std::nullopt).value_or(false);
    auto list = *streams;
    std::sort(list.begin(), list.end(), [&](const auto& a, const auto& b) {
      return by_time ? a.last_event_ms < b.last_event_ms : a.name < b.name;
    });
    if (descending) std::reverse(list.begin(), list.end());
    int limit = static_cast<int>(OptInt(r, "limit").value_or(50));
    long long offset = 0;
    ParseInt64(str("nextToken"), &offset);
    json::array out;
    size_t i = static_cast<size_t>(std::max(0LL, offset));
    for (; i < list.size() && static_cast<int>(out.size()) < limit; ++i) {
      const auto& s = list[i];
      out.push_back({{"logStreamName", s.name}, {"creationTime", s.created_ms},
                     {"firstEventTimestamp", s.first_event_ms},
                     {"lastEventTimestamp", s.last_event_ms},
                     {"lastIngestionTime", s.last_ingestion_ms},
                     {"arn", arn_prefix + group + ":log-stream:" + s.name},
                     {"storedBytes", s.stored_bytes}});
    }
    json::object resp{{"logStreams", out}};
    if (i < list.size()) resp["nextToken"] = std::to_string(i);
    return ok(resp);
  }
  if (op == "GetLogEvents") {
    std::string group = str("logGroupName"), stream = str("logStreamName");
    std::string token = str("nextToken");
    observe::LogStore::StreamRead read;
    read.from_head = r.Bool("startFromHead").value_or(std::nullopt).value_or(false);
    read.start_ms = OptInt(r, "startTime");
    read.end_ms = OptInt(r, "endTime");
    read.limit = static_cast<int>(OptInt(r, "limit").value_or(10000));
    if (!token.empty()) {
      if (token.size() < 2 || (token[0] != 'f' && token[0] != 'b') || token[1] != '/') {
        return fail(Invalid("The specified nextToken is invalid."));
      }
      (token[0] == 'f' ? read.after_id : read.before_id) = token.substr(2);
    }
    auto page = logs_.StreamEvents(group, stream, read);
    if (!page.ok()) return fail(FromStatus(page.status()));
    json::array events;
    for (const auto& e : *page) {
      events.push_back({{"timestamp", e.timestamp_ms}, {"message", e.message},
                        {"ingestionTime", e.ingestion_ms}});
    }
    // At either end the token stays where it was, which is how clients know to stop.
    std::string forward = page->empty() ? (token.starts_with("f/") ? token : "f/" + read.before_id)
                                        : "f/" + page->back().event_id;
    std::string backward = page->empty() ? (token.starts_with("b/") ? token : "b/" + read.after_id)
                                         : "b/" + page->front().event_id;
    return ok(json::object{{"events", events},
                           {"nextForwardToken", forward},
                           {"nextBackwardToken", backward}});
  }
  if (op == "FilterLogEvents") {
    observe::FilterQuery q;
    q.group = str("logGroupName");
    if (auto names = r.Array("logStreamNames"); names.ok() && *names) {
      for (const auto& n : **names) {
        if (n.is_string()) q.streams.emplace_back(n.get_string());
      }
    }
    q.stream_prefix = str("logStreamNamePrefix");
    q.start_ms = OptInt(r, "startTime");
    q.end_ms = OptInt(r, "endTime");
    q.pattern = str("filterPattern");
    q.limit = static_cast<int>(OptInt(r, "limit").value_or(10000));
    q.next_token = str("nextToken");
    auto page = logs_.Filter(q);
    if (!page.ok()) return fail(FromStatus(page.status()));
    json::array events;
    for (const auto& e : page->events) {
      events.push_back({{"logStreamName", e.stream}, {"timestamp", e.timestamp_ms},
                        {"message", e.message}, {"ingestionTime", e.ingestion_ms},
                        {"eventId", e.event_id}});
    }
    json::object resp{{"events", events}, {"searchedLogStreams", json::array{}}};
    if (!page->next_token.empty()) resp["nextToken"] = page->next_token;
    return ok(resp);
  }
  fail({400, "UnknownOperationException", "Nimbus does not implement Logs " + op + " yet"});
}

}  // namespace nimbus::aws
