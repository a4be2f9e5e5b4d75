#include "tables/stream_log.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/encoding.h"
#include "tables/item_codec.h"
#include "tables/table_internal.h"

namespace nimbus::tables {

namespace {

// Where stream `i` of a table ends: where the next one starts, or the
// table's next sequence number.
uint64_t StreamEnd(const StreamSnapshot& snap, size_t i) {
  const auto& streams = snap.schema->streams;
  return i + 1 < streams.size() ? streams[i + 1].first_sequence : snap.next;
}

std::string EncodeRecord(const StreamRecord& r) {
  // name, flags, created, then three length-prefixed items (absent = 0xffffffff).
  std::string out;
  out.push_back(r.event_name == "INSERT" ? 'I' : r.event_name == "MODIFY" ? 'M' : 'R');
  out.push_back(r.by_ttl ? 1 : 0);
  layout::AppendBe64(&out, static_cast<uint64_t>(r.created_ms));
  auto put = [&](const std::optional<Item>& item) {
    if (!item) {
      layout::AppendBe64(&out, ~0ull);
      return;
    }
    std::string enc = EncodeItem(*item);
    layout::AppendBe64(&out, enc.size());
    out += enc;
  };
  put(r.keys);
  put(r.new_image);
  put(r.old_image);
  return out;
}

Result<StreamRecord> DecodeRecord(uint64_t sequence, std::string_view in) {
  if (in.size() < 10) return Internal("damaged stream record");
  StreamRecord r;
  r.sequence = sequence;
  r.event_name = in[0] == 'I' ? "INSERT" : in[0] == 'M' ? "MODIFY" : "REMOVE";
  r.by_ttl = in[1] == 1;
  r.created_ms = static_cast<int64_t>(layout::ReadBe64(in.substr(2)));
  in.remove_prefix(10);
  r.size_bytes = in.size();
  std::optional<Item> items[3];
  for (auto& item : items) {
    if (in.size() < 8) return Internal("damaged stream record");
    uint64_t len = layout::ReadBe64(in);
    in.remove_prefix(8);
    if (len == ~0ull) continue;
    if (len > in.size()) return Internal("damaged stream record");
    ASSIGN_OR_RETURN(Item decoded, DecodeItem(in.substr(0, len)));
    item = std::move(decoded);
    in.remove_prefix(len);
  }
  r.keys = items[0].value_or(Item{});
  r.new_image = std::move(items[1]);
  r.old_image = std::move(items[2]);
  r.event_id = std::to_string(sequence);
  return r;
}

// Abandons or completes `reserved`'s sequence numbers; returns the tables
// they belong to, once each.
std::vector<std::shared_ptr<TableStream>> Complete(
    std::vector<std::pair<std::shared_ptr<TableStream>, uint64_t>>& reserved) {
  std::vector<std::shared_ptr<TableStream>> sources;
  for (auto& [source, seq] : reserved) {
    {
      std::lock_guard lock(source->mu);
      source->in_flight.erase(seq);
    }
    if (std::find(sources.begin(), sources.end(), source) == sources.end()) {
      sources.push_back(source);
    }
  }
  reserved.clear();
  return sources;
}

}  // namespace

StreamLog::Appends::~Appends() { Complete(reserved_); }

StreamLog::StreamLog(store::KvStore& store, Platform platform, std::chrono::hours retention)
    : store_(store), platform_(std::move(platform)), retention_(retention) {}

StreamLog::~StreamLog() = default;

std::string StreamLog::Arn(const std::string& table, const std::string& label) const {
  return platform_.TableArn(table) + "/stream/" + label;
}

std::shared_ptr<TableStream> StreamLog::Load(std::shared_ptr<const TableSchema> schema) {
  auto source = std::make_shared<TableStream>(schema->id);
  // Continue the sequence after the last record kept.
  uint64_t next = 1;
  auto it = store_.NewIterator();
  std::string prefix = layout::Stream(schema->id);
  it->SeekForPrev(store::PrefixEnd(prefix));
  if (it->Valid() && it->key().starts_with(prefix)) {
    next = layout::ReadBe64(it->key().substr(prefix.size())) + 1;
  }
  for (const auto& st : schema->streams) next = std::max(next, st.first_sequence);
  source->next_sequence = next;
  source->schema = std::move(schema);
  return source;
}

Status StreamLog::Open() {
  std::vector<TableSchema> schemas;
  RETURN_IF_ERROR(
      store_.Scan(layout::RetiredPrefix(), "", [&](std::string_view, std::string_view v) {
        auto s = TableSchema::FromStored(v);
        if (s.ok()) schemas.push_back(std::move(*s));
        return true;
      }));
  for (auto& s : schemas) {
    auto source = Load(std::make_shared<const TableSchema>(std::move(s)));
    std::lock_guard lock(mu_);
    sources_[source->id] = std::move(source);
  }
  return Status::Ok();
}

std::shared_ptr<TableStream> StreamLog::Track(std::shared_ptr<const TableSchema> schema) {
  auto source = Load(std::move(schema));
  std::lock_guard lock(mu_);
  sources_[source->id] = source;
  return source;
}

void StreamLog::SetSchema(TableStream& source, std::shared_ptr<const TableSchema> schema) {
  std::lock_guard lock(source.mu);
  source.schema = std::move(schema);
}

uint64_t StreamLog::NextSequence(TableStream& source) const {
  std::lock_guard lock(source.mu);
  return source.next_sequence;
}

void StreamLog::Append(const std::shared_ptr<TableStream>& source, const StreamInfo& stream,
                       StreamRecord record, store::WriteBatch& batch, Appends& appends) {
  bool want_new =
      stream.view == StreamViewType::kNewImage || stream.view == StreamViewType::kNewAndOldImages;
  bool want_old =
      stream.view == StreamViewType::kOldImage || stream.view == StreamViewType::kNewAndOldImages;
  if (!want_new) record.new_image.reset();
  if (!want_old) record.old_image.reset();
  uint64_t seq;
  {
    std::lock_guard lock(source->mu);
    seq = source->next_sequence++;
    source->in_flight.insert(seq);
  }
  appends.reserved_.emplace_back(source, seq);
  std::string key = layout::Stream(source->id);
  layout::AppendBe64(&key, seq);
  batch.Put(key, EncodeRecord(record));
}

void StreamLog::Publish(Appends& appends) {
  for (const auto& source : Complete(appends.reserved_)) {
    std::vector<std::shared_ptr<StreamHook>> hooks;
    {
      std::lock_guard lock(source->mu);
      hooks = source->hooks;
    }
    for (const auto& hook : hooks) {
      std::lock_guard call(hook->call_mu);
      if (hook->active) hook->on_append();
    }
  }
}

std::shared_ptr<const TableSchema> StreamLog::Retire(const TableSchema& schema, int64_t now_ms,
                                                     store::WriteBatch& batch) const {
  if (schema.streams.empty()) {
    batch.Put(layout::Garbage(layout::Stream(schema.id)), "");
    return nullptr;
  }
  auto retired = std::make_shared<TableSchema>(schema);
  if (retired->streams.back().closed_ms == 0) retired->streams.back().closed_ms = now_ms;
  retired->deleted_ms = now_ms;
  batch.Put(layout::Retired(schema.id), retired->ToStored());
  return retired;
}

void StreamLog::Retired(const std::shared_ptr<TableStream>& source,
                        std::shared_ptr<const TableSchema> kept) {
  if (kept) {
    SetSchema(*source, std::move(kept));
    return;
  }
  std::lock_guard lock(mu_);
  sources_.erase(source->id);
}

bool StreamLog::Trim(int64_t now_ms) {
  int64_t cutoff =
      now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(retention_).count();
  std::vector<std::shared_ptr<TableStream>> sources;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, source] : sources_) sources.push_back(source);
  }
  bool garbage = false;
  for (const auto& source : sources) {
    StreamSnapshot snap = StreamSnapshot::Of(source);
    if (snap.schema->deleted_ms != 0) {
      // A deleted table's streams go whole once its retention has passed.
      if (snap.schema->deleted_ms >= cutoff) continue;
      store::WriteBatch batch;
      batch.Delete(layout::Retired(source->id));
      batch.Put(layout::Garbage(layout::Stream(source->id)), "");
      if (!store_.Write(batch).ok()) continue;
      std::lock_guard lock(mu_);
      sources_.erase(source->id);
      garbage = true;
      continue;
    }
    // A live table's records older than the retention period.
    store::WriteBatch batch;
    store_
        .Scan(layout::Stream(source->id), "",
              [&](std::string_view k, std::string_view v) {
                if (v.size() < 10 ||
                    static_cast<int64_t>(layout::ReadBe64(v.substr(2))) >= cutoff) {
                  return false;
                }
                batch.Delete(k);
                return batch.size() < 10000;
              })
        .IgnoreError();
    if (!batch.empty()) store_.Write(batch).IgnoreError();
  }
  return garbage;
}

// --- readers ---

std::vector<StreamSnapshot> StreamLog::Snapshots(const std::string& table) const {
  std::vector<std::shared_ptr<TableStream>> sources;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, source] : sources_) sources.push_back(source);
  }
  std::vector<StreamSnapshot> out;
  for (const auto& source : sources) {
    StreamSnapshot snap = StreamSnapshot::Of(source);
    if (table.empty() || snap.schema->name == table) out.push_back(std::move(snap));
  }
  // Live tables by name, then deleted ones by id.
  auto order = [](const StreamSnapshot& s) {
    bool deleted = s.schema->deleted_ms != 0;
    return std::make_pair(deleted, deleted ? s.schema->id : s.schema->name);
  };
  std::sort(out.begin(), out.end(),
            [&](const StreamSnapshot& a, const StreamSnapshot& b) { return order(a) < order(b); });
  return out;
}

StreamDescription StreamLog::Describe(const StreamSnapshot& snap, size_t i) const {
  const TableSchema& s = *snap.schema;
  const StreamInfo& st = s.streams[i];
  StreamDescription d;
  d.table = s.name;
  d.info = st;
  d.arn = Arn(s.name, st.label);
  d.open = st.closed_ms == 0;
  d.key = s.key;
  std::string created = std::to_string(st.created_ms);
  d.shard_id = "shardId-" + std::string(20 - std::min<size_t>(20, created.size()), '0') + created +
               "-" + s.id.substr(0, 8);
  d.next_sequence = StreamEnd(snap, i);
  // The first and last records actually kept.
  auto it = store_.NewIterator();
  std::string prefix = layout::Stream(s.id);
  std::string from = prefix;
  layout::AppendBe64(&from, st.first_sequence);
  it->Seek(from);
  if (it->Valid() && it->key().starts_with(prefix)) {
    uint64_t seq = layout::ReadBe64(it->key().substr(prefix.size()));
    if (seq < d.next_sequence) {
      d.first_sequence = seq;
      d.last_sequence = d.next_sequence - 1;
    }
  }
  return d;
}

std::vector<StreamDescription> StreamLog::List(const std::string& table) const {
  std::vector<StreamDescription> out;
  for (const StreamSnapshot& snap : Snapshots(table)) {
    for (size_t i = 0; i < snap.schema->streams.size(); ++i) out.push_back(Describe(snap, i));
  }
  return out;
}

Result<std::pair<StreamSnapshot, size_t>> StreamLog::Find(const std::string& arn) const {
  // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
  size_t table_at = arn.find(":table/");
  size_t stream_at = arn.find("/stream/");
  if (table_at == std::string::npos || stream_at == std::string::npos || stream_at < table_at) {
    return InvalidArgument("Invalid StreamArn");
  }
  std::string name = arn.substr(table_at + 7, stream_at - table_at - 7);
  std::string label = arn.substr(stream_at + 8);
  for (StreamSnapshot& snap : Snapshots(name)) {
    for (size_t i = 0; i < snap.schema->streams.size(); ++i) {
      if (snap.schema->streams[i].label == label) return std::make_pair(std::move(snap), i);
    }
  }
  return NotFound("Requested resource not found: Stream: " + arn + " not found");
}

Result<StreamDescription> StreamLog::Describe(const std::string& arn) const {
  ASSIGN_OR_RETURN(auto found, Find(arn));
  return Describe(found.first, found.second);
}

Result<std::vector<StreamRecord>> StreamLog::ReadFrom(const StreamSnapshot& snap, size_t i,
                                                      uint64_t from, int limit) const {
  const std::string& id = snap.schema->id;
  // Records at or past `visible` may have lower neighbours still being written.
  uint64_t end = std::min(StreamEnd(snap, i), snap.visible);
  std::vector<StreamRecord> out;
  std::string prefix = layout::Stream(id);
  std::string start = prefix;
  layout::AppendBe64(&start, std::max(from, snap.schema->streams[i].first_sequence));
  RETURN_IF_ERROR(store_.Scan(prefix, start, [&](std::string_view key, std::string_view value) {
    uint64_t seq = layout::ReadBe64(key.substr(prefix.size()));
    if (seq >= end || static_cast<int>(out.size()) >= limit) return false;
    auto r = DecodeRecord(seq, value);
    if (r.ok()) {
      // Unique across every stream, as DynamoDB's event ids are.
      r->event_id = Hex(Sha256(id + ":" + std::to_string(seq))).substr(0, 32);
      out.push_back(std::move(*r));
    }
    return true;
  }));
  return out;
}

Result<std::vector<StreamRecord>> StreamLog::Read(const std::string& arn, uint64_t from,
                                                  int limit) const {
  ASSIGN_OR_RETURN(auto found, Find(arn));
  return ReadFrom(found.first, found.second, from, limit);
}

}  // namespace nimbus::tables
