// The DynamoDB Streams API: streams, their single shard, iterators and
// records. An iterator is an opaque token holding the stream, the shard, the
// next sequence number to read and an expiry time.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "aws/codecs.h"
#include "aws/dynamodb/dynamodb_frontend.h"
#include "aws/dynamodb/dynamodb_request.h"
#include "aws/dynamodb/dynamodb_values.h"
#include "core/encoding.h"
#include "core/strings.h"
#include "core/time.h"

namespace nimbus::aws {

using namespace dynamodb;  // NOLINT(google-build-using-namespace): the frontend's own helpers

namespace {

constexpr int64_t kIteratorLifetimeMs = 15 * 60 * 1000;

std::string SequenceString(uint64_t seq) {
  return fmt::format("{:021d}", seq);
}

struct Iterator {
  std::string arn, shard;
  uint64_t position = 0;
  int64_t expires_ms = 0;
};

std::string EncodeIterator(const Iterator& it) {
  return Base64Encode("v1|" + it.arn + "|" + it.shard + "|" + std::to_string(it.position) + "|" +
                      std::to_string(it.expires_ms));
}

std::optional<Iterator> DecodeIterator(std::string_view token) {
  auto raw = Base64Decode(token);
  if (!raw) return std::nullopt;
  auto parts = Split(*raw, '|');
  if (parts.size() != 5 || parts[0] != "v1") return std::nullopt;
  Iterator it;
  it.arn = std::string(parts[1]);
  it.shard = std::string(parts[2]);
  long long pos = 0, exp = 0;
  if (!ParseInt64(parts[3], &pos) || !ParseInt64(parts[4], &exp) || pos < 0) return std::nullopt;
  it.position = static_cast<uint64_t>(pos);
  it.expires_ms = exp;
  return it;
}

}  // namespace

DynamoDbFrontend::Answer DynamoDbFrontend::ListStreams(const Object& in) {
  JsonMembers m(in);
  ASSIGN_OR_RETURN(std::string table, m.String("TableName", ""));
  ASSIGN_OR_RETURN(std::string start, m.String("ExclusiveStartStreamArn", ""));
  ASSIGN_OR_RETURN(int64_t limit, m.Int("Limit", 100));
  auto streams = tables_.ListStreams(table);
  json::array out;
  bool started = start.empty();
  std::string last;
  for (const auto& s : streams) {
    if (!started) {
      started = s.arn == start;
      continue;
    }
    if (static_cast<int64_t>(out.size()) == limit) break;
    out.push_back({{"StreamArn", s.arn}, {"TableName", s.table}, {"StreamLabel", s.info.label}});
    last = s.arn;
  }
  bool full = static_cast<int64_t>(out.size()) == limit;
  json::object body{{"Streams", std::move(out)}};
  if (full && !streams.empty() && last != streams.back().arn) {
    body["LastEvaluatedStreamArn"] = last;
  }
  return body;
}

DynamoDbFrontend::Answer DynamoDbFrontend::DescribeStream(const Object& in) {
  ASSIGN_OR_RETURN(std::string arn, String(in, "StreamArn"));
  if (arn.empty()) return NotNull("streamArn");
  ASSIGN_OR_RETURN(auto d, tables_.DescribeStream(arn));
  json::object range{{"StartingSequenceNumber",
                      SequenceString(d.first_sequence ? d.first_sequence : d.info.first_sequence)}};
  if (!d.open) range["EndingSequenceNumber"] = SequenceString(d.next_sequence - 1);
  json::object desc{{"StreamArn", d.arn},
                    {"StreamLabel", d.info.label},
                    {"StreamStatus", d.open ? "ENABLED" : "DISABLED"},
                    {"StreamViewType", tables::StreamViewTypeName(d.info.view)},
                    {"CreationRequestDateTime", static_cast<double>(d.info.created_ms) / 1000.0},
                    {"TableName", d.table},
                    {"KeySchema", KeySchemaJson(d.key)},
                    {"Shards", json::array{{{"ShardId", d.shard_id},
                                            {"SequenceNumberRange", std::move(range)}}}}};
  return json::object{{"StreamDescription", std::move(desc)}};
}

DynamoDbFrontend::Answer DynamoDbFrontend::GetShardIterator(const Object& in) {
  JsonMembers m(in);
  ASSIGN_OR_RETURN(std::string arn, m.String("StreamArn", ""));
  ASSIGN_OR_RETURN(std::string shard, m.String("ShardId", ""));
  ASSIGN_OR_RETURN(std::string type, m.String("ShardIteratorType", ""));
  ASSIGN_OR_RETURN(std::string sequence, m.String("SequenceNumber", ""));
  ASSIGN_OR_RETURN(auto d, tables_.DescribeStream(arn));
  if (shard != d.shard_id) return NotFound("Requested resource not found: Shard does not exist");
  Iterator it{arn, shard, 0, NowEpochMillis() + kIteratorLifetimeMs};
  uint64_t oldest = d.first_sequence ? d.first_sequence : d.info.first_sequence;
  if (type == "TRIM_HORIZON") {
    it.position = oldest;
  } else if (type == "LATEST") {
    it.position = d.next_sequence;
  } else if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    long long seq = 0;
    if (!ParseInt64(sequence, &seq) || seq < 0) {
      return Validation("Invalid SequenceNumber for ShardIteratorType " + type);
    }
    if (static_cast<uint64_t>(seq) < oldest && d.first_sequence) {
      return AwsError{400, "TrimmedDataAccessException",
                      "Attempted to access data that has been trimmed from the stream"};
    }
    it.position = static_cast<uint64_t>(seq) + (type == "AFTER_SEQUENCE_NUMBER" ? 1 : 0);
  } else {
    return Validation("1 validation error detected: Value '" + type +
                      "' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy "
                      "enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, "
                      "AFTER_SEQUENCE_NUMBER]");
  }
  return json::object{{"ShardIterator", EncodeIterator(it)}};
}

DynamoDbFrontend::Answer DynamoDbFrontend::GetRecords(const Object& in) {
  JsonMembers m(in);
  ASSIGN_OR_RETURN(std::string token, m.String("ShardIterator", ""));
  ASSIGN_OR_RETURN(int64_t limit, m.Int("Limit", 1000));
  auto it = DecodeIterator(token);
  if (!it) return Validation("Invalid ShardIterator");
  int64_t now = NowEpochMillis();
  if (now > it->expires_ms) {
    return AwsError{400, "ExpiredIteratorException",
                    "Iterator expired. The iterator was created at time " +
                        FormatIso8601Millis(it->expires_ms - kIteratorLifetimeMs) +
                        " while right now it is " + FormatIso8601Millis(now) + "."};
  }
  if (limit < 1 || limit > 1000) {
    return Validation("1 validation error detected: Value '" + std::to_string(limit) +
                      "' at 'limit' failed to satisfy constraint: Member must have value less "
                      "than or equal to 1000");
  }
  ASSIGN_OR_RETURN(auto d, tables_.DescribeStream(it->arn));
  ASSIGN_OR_RETURN(auto records,
                   tables_.ReadStream(it->arn, it->position, static_cast<int>(limit)));
  json::array out;
  out.reserve(records.size());
  uint64_t next = it->position;
  for (const auto& r : records) {
    json::object ddb{{"ApproximateCreationDateTime", static_cast<double>(r.created_ms / 1000)},
                     {"Keys", ItemToJson(r.keys)},
                     {"SequenceNumber", SequenceString(r.sequence)},
                     {"SizeBytes", r.size_bytes},
                     {"StreamViewType", tables::StreamViewTypeName(d.info.view)}};
    if (r.new_image) ddb["NewImage"] = ItemToJson(*r.new_image);
    if (r.old_image) ddb["OldImage"] = ItemToJson(*r.old_image);
    json::object rec{{"eventID", r.event_id},         {"eventName", r.event_name},
                     {"eventVersion", "1.1"},         {"eventSource", "aws:dynamodb"},
                     {"awsRegion", platform_.region}, {"dynamodb", std::move(ddb)}};
    if (r.by_ttl) {
      // The Streams API's shape (a Lambda event spells these in lower case).
      rec["userIdentity"] = {{"Type", "Service"}, {"PrincipalId", "dynamodb.amazonaws.com"}};
    }
    out.push_back(std::move(rec));
    next = r.sequence + 1;
  }
  json::object body{{"Records", std::move(out)}};
  // A closed stream's shard ends once read to its end.
  if (d.open || next < d.next_sequence) {
    Iterator following = *it;
    following.position = next;
    following.expires_ms = now + kIteratorLifetimeMs;
    body["NextShardIterator"] = EncodeIterator(following);
  }
  return body;
}

}  // namespace nimbus::aws
