#include "aws/logs/logs_frontend.h"

#include <algorithm>

#include <boost/json.hpp>

#include "core/strings.h"
#include "core/time.h"
#include "observe/retention.h"

namespace nimbus::aws {
namespace {

namespace json = boost::json;

Status Invalid(std::string message) { return InvalidArgument(std::move(message)); }

// The group and stream named by a request's members.
struct Names {
  std::string group;
  std::string stream;
};

Result<Names> ReadNames(const Call& call) {
  JsonMembers m(call.body);
  Names n;
  ASSIGN_OR_RETURN(n.group, m.String("logGroupName", ""));
  ASSIGN_OR_RETURN(n.stream, m.String("logStreamName", ""));
  return n;
}

}  // namespace

ServiceSpec LogsSpec() {
  ServiceSpec spec;
  spec.signing_name = "logs";
  spec.iam_prefix = "logs";
  spec.protocol = Protocol::kJson;
  spec.json_targets = {"Logs_20140328"};
  spec.style.json_version = "1.1";
  spec.errors = ErrorTable(
      {
          {Code::kInvalidArgument, 400, "SerializationException", kSerializationReason},
          {Code::kInvalidArgument, 400, "InvalidParameterException"},
          {Code::kNotFound, 400, "ResourceNotFoundException"},
          {Code::kAlreadyExists, 400, "ResourceAlreadyExistsException"},
          {Code::kResourceExhausted, 400, "LimitExceededException"},
      },
      {Code::kInternal, 500, "ServiceUnavailableException"});
  spec.unknown_operation = [](const net::HttpRequest& req, std::string_view target) {
    return AwsError{400, "UnknownOperationException",
                    "Nimbus does not implement the CloudWatch Logs operation " +
                        std::string(target) + " yet"};
  };
  return spec;
}

LogsFrontend::LogsFrontend(observe::LogStore& logs, Platform platform)
    : ServiceFrontend(LogsSpec(), {}), logs_(logs), platform_(std::move(platform)) {
  SetOperations(Operations());
}

std::vector<Operation> LogsFrontend::Operations() {
  // Stream operations are authorised on the stream's ARN (so a policy's
  // "log-group:NAME:*" grants them), the others on the group's.
  auto group_arn = [this](const Call& c) {
    std::string group = JsonMembers(c.body).String("logGroupName", "").value_or("");
    return std::vector<std::string>{platform_.LogGroupArn(group.empty() ? "*" : group)};
  };
  auto stream_arn = [this](const Call& c) {
    auto names = ReadNames(c).value_or(Names{});
    return std::vector<std::string>{
        platform_.LogGroupArn(names.group.empty() ? "*" : names.group) + ":log-stream:" +
        names.stream};
  };
  auto op = [this](std::string name, auto member, auto resources) {
    Operation o;
    o.name = std::move(name);
    o.resources = resources;
    o.handle = Sync([this, member](Call& c) { return (this->*member)(c); });
    return o;
  };
  return {
      op("CreateLogGroup", &LogsFrontend::CreateLogGroup, group_arn),
      op("DeleteLogGroup", &LogsFrontend::DeleteLogGroup, group_arn),
      op("PutRetentionPolicy", &LogsFrontend::PutRetentionPolicy, group_arn),
      op("DeleteRetentionPolicy", &LogsFrontend::DeleteRetentionPolicy, group_arn),
      op("DescribeLogGroups", &LogsFrontend::DescribeLogGroups, group_arn),
      op("CreateLogStream", &LogsFrontend::CreateLogStream, stream_arn),
      op("PutLogEvents", &LogsFrontend::PutLogEvents, stream_arn),
      op("DescribeLogStreams", &LogsFrontend::DescribeLogStreams, group_arn),
      op("GetLogEvents", &LogsFrontend::GetLogEvents, stream_arn),
      op("FilterLogEvents", &LogsFrontend::FilterLogEvents, group_arn),
  };
}

Result<json::value> LogsFrontend::CreateLogGroup(const Call& call) {
  ASSIGN_OR_RETURN(Names n, ReadNames(call));
  if (n.group.empty() || n.group.size() > 512) return Invalid("logGroupName is required");
  RETURN_IF_ERROR(logs_.CreateGroup(n.group));
  return json::object{};
}

Result<json::value> LogsFrontend::DeleteLogGroup(const Call& call) {
  ASSIGN_OR_RETURN(Names n, ReadNames(call));
  RETURN_IF_ERROR(logs_.DeleteGroup(n.group));
  return json::object{};
}

Result<json::value> LogsFrontend::PutRetentionPolicy(const Call& call) {
  ASSIGN_OR_RETURN(Names n, ReadNames(call));
  if (n.group.empty()) return Invalid("logGroupName is required");
  ASSIGN_OR_RETURN(auto days, JsonMembers(call.body).Int("retentionInDays"));
  if (!days || !observe::IsRetentionPeriod(*days)) {
    return Invalid("retentionInDays must be one of " + std::string(observe::kRetentionDaysText) +
                   " days; got " + (days ? std::to_string(*days) : "none"));
  }
  RETURN_IF_ERROR(logs_.SetRetention(n.group, static_cast<int>(*days)));
  return json::object{};
}

Result<json::value> LogsFrontend::DeleteRetentionPolicy(const Call& call) {
  ASSIGN_OR_RETURN(Names n, ReadNames(call));
  RETURN_IF_ERROR(logs_.SetRetention(n.group, 0));
  return json::object{};
}

Result<json::value> LogsFrontend::DescribeLogGroups(const Call& call) {
  JsonMembers m(call.body);
  ASSIGN_OR_RETURN(std::string prefix, m.String("logGroupNamePrefix", ""));
  ASSIGN_OR_RETURN(int64_t limit, m.Int("limit", 50));
  ASSIGN_OR_RETURN(std::string token, m.String("nextToken", ""));
  json::array out;
  std::string next, last;
  for (const auto& g : logs_.Groups(prefix)) {
    if (!token.empty() && g.name <= token) continue;
    if (static_cast<int64_t>(out.size()) == limit) {
      next = last;
      break;
    }
    json::object group{{"logGroupName", g.name},
                       {"creationTime", g.created_ms},
                       {"metricFilterCount", 0},
                       {"arn", platform_.LogGroupArn(g.name) + ":*"},
                       {"storedBytes", g.stored_bytes}};
    if (g.retention_days > 0) group["retentionInDays"] = g.retention_days;
    out.push_back(std::move(group));
    last = g.name;
  }
  json::object resp{{"logGroups", std::move(out)}};
  if (!next.empty()) resp["nextToken"] = next;
  return resp;
}

Result<json::value> LogsFrontend::CreateLogStream(const Call& call) {
  ASSIGN_OR_RETURN(Names n, ReadNames(call));
  RETURN_IF_ERROR(logs_.CreateStream(n.group, n.stream));
  return json::object{};
}

Result<json::value> LogsFrontend::PutLogEvents(const Call& call) {
  ASSIGN_OR_RETURN(Names n, ReadNames(call));
  ASSIGN_OR_RETURN(const json::array* events, JsonMembers(call.body).Array("logEvents"));
  if (events == nullptr || events->empty()) {
    return Invalid("logEvents must contain at least one event");
  }
  if (!logs_.HasStream(n.group, n.stream)) {
    auto groups = logs_.Groups(n.group);
    bool group_exists = !groups.empty() && groups.front().name == n.group;
    return NotFound(group_exists ? "The specified log stream does not exist."
                                 : "The specified log group does not exist.");
  }
  // Every event is checked before any is written: a bad batch writes nothing.
  std::vector<std::pair<int64_t, std::string>> batch;
  batch.reserve(events->size());
  for (const auto& e : *events) {
    if (!e.is_object()) return Invalid("each log event must be an object");
    JsonMembers em(e.get_object(), "logEvents");
    ASSIGN_OR_RETURN(auto ts, em.Int("timestamp"));
    ASSIGN_OR_RETURN(auto msg, em.String("message"));
    if (!ts || !msg || msg->empty()) {
      return Invalid("each log event needs a timestamp and a non-empty message");
    }
    batch.emplace_back(*ts, std::move(*msg));
  }
  for (auto& [ts, msg] : batch) logs_.Append(n.group, n.stream, ts, std::move(msg));
  return json::object{{"nextSequenceToken", std::to_string(NowEpochMillis())}};
}

Result<json::value> LogsFrontend::DescribeLogStreams(const Call& call) {
  JsonMembers m(call.body);
  ASSIGN_OR_RETURN(Names n, ReadNames(call));
  ASSIGN_OR_RETURN(std::string prefix, m.String("logStreamNamePrefix", ""));
  ASSIGN_OR_RETURN(std::string order, m.String("orderBy", ""));
  ASSIGN_OR_RETURN(bool descending, m.Bool("descending", false));
  ASSIGN_OR_RETURN(int64_t limit, m.Int("limit", 50));
  ASSIGN_OR_RETURN(std::string token, m.String("nextToken", ""));
  ASSIGN_OR_RETURN(auto list, logs_.Streams(n.group, prefix));
  bool by_time = order == "LastEventTime";
  std::sort(list.begin(), list.end(), [&](const auto& a, const auto& b) {
    return by_time ? a.last_event_ms < b.last_event_ms : a.name < b.name;
  });
  if (descending) std::reverse(list.begin(), list.end());
  long long offset = 0;
  ParseInt64(token, &offset);
  json::array out;
  size_t i = static_cast<size_t>(std::max(0LL, offset));
  for (; i < list.size() && static_cast<int64_t>(out.size()) < limit; ++i) {
    const auto& s = list[i];
    out.push_back({{"logStreamName", s.name},
                   {"creationTime", s.created_ms},
                   {"firstEventTimestamp", s.first_event_ms},
                   {"lastEventTimestamp", s.last_event_ms},
                   {"lastIngestionTime", s.last_ingestion_ms},
                   {"arn", platform_.LogGroupArn(n.group) + ":log-stream:" + s.name},
                   {"storedBytes", s.stored_bytes}});
  }
  json::object resp{{"logStreams", std::move(out)}};
  if (i < list.size()) resp["nextToken"] = std::to_string(i);
  return resp;
}

Result<json::value> LogsFrontend::GetLogEvents(const Call& call) {
  JsonMembers m(call.body);
  ASSIGN_OR_RETURN(Names n, ReadNames(call));
  ASSIGN_OR_RETURN(std::string token, m.String("nextToken", ""));
  observe::LogStore::StreamRead read;
  ASSIGN_OR_RETURN(read.from_head, m.Bool("startFromHead", false));
  ASSIGN_OR_RETURN(read.start_ms, m.Int("startTime"));
  ASSIGN_OR_RETURN(read.end_ms, m.Int("endTime"));
  ASSIGN_OR_RETURN(int64_t limit, m.Int("limit", 10000));
  read.limit = static_cast<int>(limit);
  if (!token.empty()) {
    if (token.size() < 2 || (token[0] != 'f' && token[0] != 'b') || token[1] != '/') {
      return Invalid("The specified nextToken is invalid.");
    }
    (token[0] == 'f' ? read.after_id : read.before_id) = token.substr(2);
  }
  ASSIGN_OR_RETURN(auto page, logs_.StreamEvents(n.group, n.stream, read));
  json::array events;
  for (const auto& e : page) {
    events.push_back({{"timestamp", e.timestamp_ms},
                      {"message", e.message},
                      {"ingestionTime", e.ingestion_ms}});
  }
  // At either end the token stays where it was, which is how clients know to stop.
  std::string forward = page.empty() ? (token.starts_with("f/") ? token : "f/" + read.before_id)
                                     : "f/" + page.back().event_id;
  std::string backward = page.empty() ? (token.starts_with("b/") ? token : "b/" + read.after_id)
                                      : "b/" + page.front().event_id;
  return json::object{{"events", std::move(events)},
                      {"nextForwardToken", forward},
                      {"nextBackwardToken", backward}};
}

Result<json::value> LogsFrontend::FilterLogEvents(const Call& call) {
  JsonMembers m(call.body);
  observe::FilterQuery q;
  ASSIGN_OR_RETURN(q.group, m.String("logGroupName", ""));
  ASSIGN_OR_RETURN(q.streams, m.Strings("logStreamNames"));
  ASSIGN_OR_RETURN(q.stream_prefix, m.String("logStreamNamePrefix", ""));
  ASSIGN_OR_RETURN(q.start_ms, m.Int("startTime"));
  ASSIGN_OR_RETURN(q.end_ms, m.Int("endTime"));
  ASSIGN_OR_RETURN(q.pattern, m.String("filterPattern", ""));
  ASSIGN_OR_RETURN(int64_t limit, m.Int("limit", 10000));
  q.limit = static_cast<int>(limit);
  ASSIGN_OR_RETURN(q.next_token, m.String("nextToken", ""));
  ASSIGN_OR_RETURN(auto page, logs_.Filter(q));
  json::array events;
  for (const auto& e : page.events) {
    events.push_back({{"logStreamName", e.stream},
                      {"timestamp", e.timestamp_ms},
                      {"message", e.message},
                      {"ingestionTime", e.ingestion_ms},
                      {"eventId", e.event_id}});
  }
  json::object resp{{"events", std::move(events)}, {"searchedLogStreams", json::array{}}};
  if (!page.next_token.empty()) resp["nextToken"] = page.next_token;
  return resp;
}

}  // namespace nimbus::aws
