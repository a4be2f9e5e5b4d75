// The DynamoDB Streams API: streams, their single shard, iterators and
// records. An iterator is an opaque token holding the stream, the shard, the
// next sequence number to read and an expiry time.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "aws/dynamodb_frontend.h"
#include "aws/dynamodb_values.h"
#include "core/json.h"
#include "core/encoding.h"
#include "core/strings.h"
#include "core/time.h"

namespace nimbus::aws {

using namespace dynamodb;  // NOLINT(google-build-using-namespace): the frontend's own helpers
using Reply = DynamoDbFrontend::Reply;

namespace {

constexpr int64_t kIteratorLifetimeMs = 15 * 60 * 1000;

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string SequenceString(uint64_t seq) { return fmt::format("{:021d}", seq); }

struct Iterator {
  std::string arn, shard;
  uint64_t position = 0;
  int64_t expires_ms = 0;
};

std::string EncodeIterator(const Iterator& it) {
  return Base64Encode("v1|" + it.arn + "|" + it.shard + "|" + std::to_string(it.position) + "|" +
                      std::to_string(it.expires_ms));
}

std::optional<Iterator> DecodeIterator(const std::string& token) {
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

json::array KeySchemaJson(const tables::KeySchema& k) {
  json::array a{{{"AttributeName", k.hash.name}, {"KeyType", "HASH"}}};
  if (k.range) a.push_back({{"AttributeName", k.range->name}, {"KeyType", "RANGE"}});
  return a;
}

}  // namespace

Reply DynamoDbFrontend::ListStreams(const Object& in) {
  auto streams = tables_.ListStreams(Str(in, "TableName"));
  std::string start = Str(in, "ExclusiveStartStreamArn");
  int64_t limit = 100;
  if (const json::value* l = in.if_contains("Limit"); l && l->is_int64()) limit = l->get_int64();
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
  json::object body{{"Streams", out}};
  if (static_cast<int64_t>(out.size()) == limit && !streams.empty() && last != streams.back().arn) {
    body["LastEvaluatedStreamArn"] = last;
  }
  return Ok(body);
}

Reply DynamoDbFrontend::DescribeStream(const Object& in) {
  std::string arn = Str(in, "StreamArn");
  if (arn.empty()) {
    return Validation("1 validation error detected: Value null at 'streamArn' failed to satisfy "
                      "constraint: Member must not be null");
  }
  auto d = tables_.DescribeStream(arn);
  if (!d.ok()) return FromStatus(d.status());
  json::object range{{"StartingSequenceNumber",
                      SequenceString(d->first_sequence ? d->first_sequence : d->info.first_sequence)}};
  if (!d->open) range["EndingSequenceNumber"] = SequenceString(d->next_sequence - 1);
  json::object desc{{"StreamArn", d->arn},
                    {"StreamLabel", d->info.label},
                    {"StreamStatus", d->open ? "ENABLED" : "DISABLED"},
                    {"StreamViewType", tables::StreamViewTypeName(d->info.view)},
                    {"CreationRequestDateTime", static_cast<double>(d->info.created_ms) / 1000.0},
                    {"TableName", d->table},
                    {"KeySchema", KeySchemaJson(d->key)},
                    {"Shards", json::array{{{"ShardId", d->shard_id},
                                            {"SequenceNumberRange", range}}}}};
  return Ok(json::object{{"StreamDescription", desc}});
}

Reply DynamoDbFrontend::GetShardIterator(const Object& in) {
  std::string arn = Str(in, "StreamArn"), shard = Str(in, "ShardId");
  std::string type = Str(in, "ShardIteratorType");
  auto d = tables_.DescribeStream(arn);
  if (!d.ok()) return FromStatus(d.status());
  if (shard != d->shard_id) {
    return Error("ResourceNotFoundException",
                 "Requested resource not found: Shard does not exist");
  }
  Iterator it{arn, shard, 0, NowEpochMillis() + kIteratorLifetimeMs};
  uint64_t oldest = d->first_sequence ? d->first_sequence : d->info.first_sequence;
  if (type == "TRIM_HORIZON") {
    it.position = oldest;
  } else if (type == "LATEST") {
    it.position = d->next_sequence;
  } else if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    long long seq = 0;
    if (!ParseInt64(Str(in, "SequenceNumber"), &seq) || seq < 0) {
      return Validation("Invalid SequenceNumber for ShardIteratorType " + type);
    }
    if (static_cast<uint64_t>(seq) < oldest && d->first_sequence) {
      return Error("TrimmedDataAccessException",
                   "Attempted to access data that has been trimmed from the stream");
    }
    it.position = static_cast<uint64_t>(seq) + (type == "AFTER_SEQUENCE_NUMBER" ? 1 : 0);
  } else {
    return Validation("1 validation error detected: Value '" + type + "' at 'shardIteratorType' "
                      "failed to satisfy constraint: Member must satisfy enum value set: "
                      "[TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]");
  }
  return Ok(json::object{{"ShardIterator", EncodeIterator(it)}});
}

Reply DynamoDbFrontend::GetRecords(const Object& in) {
  auto it = DecodeIterator(Str(in, "ShardIterator"));
  if (!it) return Validation("Invalid ShardIterator");
  int64_t now = NowEpochMillis();
  if (now > it->expires_ms) {
    return Error("ExpiredIteratorException",
                 "Iterator expired. The iterator was created at time " +
                     FormatIso8601Millis(it->expires_ms - kIteratorLifetimeMs) +
                     " while right now it is " + FormatIso8601Millis(now) + ".");
  }
  int64_t limit = 1000;
  if (const json::value* l = in.if_contains("Limit"); l && l->is_int64()) limit = l->get_int64();
  if (limit < 1 || limit > 1000) {
    return Validation("1 validation error detected: Value '" + std::to_string(limit) +
                      "' at 'limit' failed to satisfy constraint: Member must have value less "
                      "than or equal to 1000");
  }
  auto d = tables_.DescribeStream(it->arn);
  if (!d.ok()) return FromStatus(d.status());
  auto records = tables_.ReadStream(it->arn, it->position, static_cast<int>(limit));
  if (!records.ok()) return FromStatus(records.status());
  auto arn_parts = Split(it->arn, ':');  // arn:aws:dynamodb:<region>:<account>:table/...
  std::string region = arn_parts.size() > 3 ? std::string(arn_parts[3]) : "us-east-1";
  json::array out;
  uint64_t next = it->position;
  for (const auto& r : *records) {
    json::object ddb{{"ApproximateCreationDateTime", static_cast<double>(r.created_ms / 1000)},
                     {"Keys", ItemToJson(r.keys)},
                     {"SequenceNumber", SequenceString(r.sequence)},
                     {"SizeBytes", r.size_bytes},
                     {"StreamViewType", tables::StreamViewTypeName(d->info.view)}};
    if (r.new_image) ddb["NewImage"] = ItemToJson(*r.new_image);
    if (r.old_image) ddb["OldImage"] = ItemToJson(*r.old_image);
    json::object rec{{"eventID", r.event_id},
                     {"eventName", r.event_name},
                     {"eventVersion", "1.1"},
                     {"eventSource", "aws:dynamodb"},
                     {"awsRegion", region},
                     {"dynamodb", ddb}};
    if (r.by_ttl) {
      // The Streams API's shape (a Lambda event spells these in lower case).
      rec["userIdentity"] = {{"Type", "Service"}, {"PrincipalId", "dynamodb.amazonaws.com"}};
    }
    out.push_back(rec);
    next = r.sequence + 1;
  }
  json::object body{{"Records", out}};
  // A closed stream's shard ends once read to its end.
  if (d->open || next < d->next_sequence) {
    Iterator following = *it;
    following.position = next;
    following.expires_ms = now + kIteratorLifetimeMs;
    body["NextShardIterator"] = EncodeIterator(following);
  }
  return Ok(body);
}

}  // namespace nimbus::aws
