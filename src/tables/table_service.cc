#include "tables/table_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "core/time.h"
#include "tables/item_codec.h"
#include "tables/key_codec.h"
#include "tables/table_internal.h"

namespace nimbus::tables {

namespace layout {
void AppendBe64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}
uint64_t ReadBe64(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < in.size(); ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}
}  // namespace layout

std::mutex& TableService::Table::StripeFor(std::string_view encoded_key) {
  return stripes[std::hash<std::string_view>{}(encoded_key) % stripes.size()];
}

std::optional<std::string> EncodeItemKey(const KeySchema& schema, const Item& item) {
  auto h = item.find(schema.hash.name);
  if (h == item.end() || h->second.type() != schema.hash.type) return std::nullopt;
  if (!schema.range) return EncodeKey(h->second);
  auto r = item.find(schema.range->name);
  if (r == item.end() || r->second.type() != schema.range->type) return std::nullopt;
  return EncodeKey(h->second, &r->second);
}

Item KeyOf(const KeySchema& schema, const Item& item) {
  Item key;
  if (auto h = item.find(schema.hash.name); h != item.end()) key.emplace(h->first, h->second);
  if (schema.range) {
    if (auto r = item.find(schema.range->name); r != item.end()) key.emplace(r->first, r->second);
  }
  return key;
}

std::optional<int64_t> TtlSeconds(const Value& v) {
  if (!v.is(ValueType::kN)) return std::nullopt;
  const Decimal& d = v.n();
  if (d.IsNegative() || d.IsZero()) return std::nullopt;
  if (d.exponent() > 17) return std::nullopt;  // beyond any epoch second
  int64_t whole = 0;
  std::string_view digits = d.digits();
  for (int i = 0; i <= d.exponent(); ++i) {
    whole = whole * 10 +
            (static_cast<size_t>(i) < digits.size() ? digits[static_cast<size_t>(i)] - '0' : 0);
  }
  return whole;
}

std::string EncodeStreamRecord(const StreamRecord& r) {
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

Result<StreamRecord> DecodeStreamRecord(uint64_t sequence, std::string_view in) {
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

TableService::TableService(store::KvStore& store, TableServiceOptions options)
    : store_(store), options_(std::move(options)) {}

TableService::~TableService() {
  {
    std::lock_guard lock(sweeper_mu_);
    stop_ = true;
  }
  sweeper_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  PersistCounters();
}

Status TableService::Open() {
  std::vector<TableSchema> schemas;
  RETURN_IF_ERROR(store_.Scan("t/m/", "", [&](std::string_view, std::string_view value) {
    auto s = TableSchema::FromStored(value);
    if (s.ok()) schemas.push_back(std::move(*s));
    return true;
  }));
  for (auto& s : schemas) {
    auto t = std::make_shared<Table>(std::make_shared<const TableSchema>(s));
    auto counter = store_.Get(layout::Counter(s.id));
    if (counter.ok() && counter->has_value() && (*counter)->size() == 16) {
      t->items = static_cast<int64_t>(layout::ReadBe64(**counter));
      t->bytes = static_cast<int64_t>(layout::ReadBe64(std::string_view(**counter).substr(8)));
    }
    // Continue the stream's sequence after the last record kept.
    auto it = store_.NewIterator();
    std::string prefix = layout::Stream(s.id);
    it->SeekForPrev(store::PrefixEnd(prefix));
    if (it->Valid() && it->key().starts_with(prefix)) {
      t->next_sequence = layout::ReadBe64(it->key().substr(prefix.size())) + 1;
    }
    for (const auto& st : s.streams) {
      t->next_sequence = std::max<uint64_t>(t->next_sequence, st.first_sequence);
    }
    tables_[s.name] = std::move(t);
  }
  RETURN_IF_ERROR(store_.Scan("t/r/", "", [&](std::string_view, std::string_view value) {
    auto s = TableSchema::FromStored(value);
    if (!s.ok()) return true;
    RetiredTable r;
    r.next_sequence = 1;
    auto it = store_.NewIterator();
    std::string prefix = layout::Stream(s->id);
    it->SeekForPrev(store::PrefixEnd(prefix));
    if (it->Valid() && it->key().starts_with(prefix)) {
      r.next_sequence = layout::ReadBe64(it->key().substr(prefix.size())) + 1;
    }
    for (const auto& st : s->streams) r.next_sequence = std::max(r.next_sequence, st.first_sequence);
    std::string id = s->id;
    r.schema = std::make_shared<const TableSchema>(std::move(*s));
    retired_[id] = std::move(r);
    return true;
  }));
  sweeper_ = std::thread([this] { SweeperLoop(); });
  return Status::Ok();
}

std::shared_ptr<TableService::Table> TableService::FindTable(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

std::string TableService::TableArn(const std::string& name) const {
  return "arn:aws:dynamodb:" + options_.region + ":" + options_.account_id + ":table/" + name;
}

std::string TableService::StreamArn(const std::string& table, const std::string& label) const {
  return TableArn(table) + "/stream/" + label;
}

TableStats TableService::Stats(const std::string& name) const {
  auto t = FindTable(name);
  if (!t) return {};
  return {t->items.load(), t->bytes.load()};
}

static std::string StreamLabel(int64_t ms) {
  std::string iso = FormatIso8601Millis(ms);  // 2024-01-31T12:00:00.123Z
  return iso.substr(0, iso.size() - 1);
}

Result<TableSchema> TableService::CreateTable(TableSchema schema) {
  RETURN_IF_ERROR(ValidateNewTable(schema));
  std::lock_guard control(control_mu_);
  if (FindTable(schema.name)) {
    return Status(Code::kAlreadyExists, "Table already exists: " + schema.name);
  }
  schema.id = RandomHex(12);
  schema.created_ms = NowEpochMillis();
  for (auto& index : schema.indexes) {
    index.id = RandomHex(8);
    index.created_ms = schema.created_ms;
  }
  if (!schema.streams.empty()) {
    schema.streams.back().label = StreamLabel(schema.created_ms);
    schema.streams.back().created_ms = schema.created_ms;
    schema.streams.back().first_sequence = 1;
  }
  RETURN_IF_ERROR(store_.Put(layout::Meta(schema.name), schema.ToStored(), /*sync=*/true));
  auto t = std::make_shared<Table>(std::make_shared<const TableSchema>(schema));
  std::unique_lock lock(mu_);
  tables_[schema.name] = std::move(t);
  return schema;
}

Result<TableSchema> TableService::DescribeTable(const std::string& name) const {
  auto t = FindTable(name);
  if (!t) return NotFound("Requested resource not found: Table: " + name + " not found");
  return *t->Schema();
}

std::vector<std::string> TableService::ListTables(const std::string& start, int limit,
                                                  bool* more) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  *more = false;
  for (auto it = start.empty() ? tables_.begin() : tables_.upper_bound(start); it != tables_.end();
       ++it) {
    if (static_cast<int>(out.size()) == limit) {
      *more = true;
      break;
    }
    out.push_back(it->first);
  }
  return out;
}

Result<TableSchema> TableService::DeleteTable(const std::string& name) {
  std::lock_guard control(control_mu_);
  auto t = FindTable(name);
  if (!t) return NotFound("Requested resource not found: Table: " + name + " not found");
  std::unique_lock writers(t->writers);  // let in-flight writes finish
  TableSchema schema = *t->Schema();
  std::string id = schema.id;
  bool keep_stream = !schema.streams.empty();
  // One atomic batch: the table goes, its data is marked for collection, and
  // a table with streams leaves them readable, closed, for the retention period.
  store::WriteBatch batch;
  batch.Delete(layout::Meta(name));
  AddTableGarbage(id, keep_stream, batch);
  RetiredTable r;
  if (keep_stream) {
    TableSchema retired = schema;
    int64_t now = NowEpochMillis();
    if (retired.streams.back().closed_ms == 0) retired.streams.back().closed_ms = now;
    retired.deleted_ms = now;
    r.schema = std::make_shared<const TableSchema>(retired);
    r.next_sequence = t->next_sequence.load();
    batch.Put(layout::Retired(id), retired.ToStored());
  }
  RETURN_IF_ERROR(store_.Write(batch, /*sync=*/true));
  {
    std::unique_lock lock(mu_);
    tables_.erase(name);
    if (keep_stream) retired_[id] = std::move(r);
  }
  WakeSweeper();  // the data goes in the background; clients no longer see it
  return schema;
}

void TableService::AddTableGarbage(const std::string& id, bool keep_stream,
                                   store::WriteBatch& batch) {
  batch.Delete(layout::Counter(id));
  for (const std::string& prefix : {layout::Items(id), layout::IndexAll(id), layout::Ttl(id)}) {
    batch.Put(layout::Garbage(prefix), "");
  }
  if (!keep_stream) batch.Put(layout::Garbage(layout::Stream(id)), "");
}

void TableService::WakeSweeper() {
  {
    std::lock_guard lock(sweeper_mu_);
    garbage_pending_ = true;
  }
  sweeper_cv_.notify_all();
}

int TableService::CollectGarbage() {
  std::vector<std::string> prefixes;
  store_
      .Scan(layout::kGarbagePrefix, "",
            [&](std::string_view key, std::string_view) {
              prefixes.emplace_back(key.substr(layout::kGarbagePrefix.size()));
              return true;
            })
      .IgnoreError();
  int removed = 0;
  for (const std::string& prefix : prefixes) {
    bool done = false;
    while (!stop_) {
      store::WriteBatch batch;
      Status s = store_.Scan(prefix, "", [&](std::string_view key, std::string_view) {
        batch.Delete(key);
        return batch.size() < 1000;
      });
      if (!s.ok()) break;
      if (batch.empty()) {
        done = true;
        break;
      }
      if (!store_.Write(batch).ok()) break;
      removed += static_cast<int>(batch.size());
    }
    if (!done) break;  // stopping, or the store failed: the record stays for next time
    store_.Delete(layout::Garbage(prefix)).IgnoreError();
  }
  return removed;
}

Result<TableSchema> TableService::UpdateTable(const std::string& name, const TableUpdate& u) {
  std::lock_guard control(control_mu_);
  auto t = FindTable(name);
  if (!t) return NotFound("Requested resource not found: Table: " + name + " not found");
  std::unique_lock writers(t->writers);
  TableSchema s = *t->Schema();
  for (const auto& [attr, type] : u.attribute_definitions) s.attribute_definitions[attr] = type;
  if (u.billing_mode) s.billing_mode = *u.billing_mode;
  if (u.throughput) {
    s.read_capacity = u.throughput->first;
    s.write_capacity = u.throughput->second;
  }
  std::optional<IndexSchema> backfill;
  if (u.create_index) {
    IndexSchema index = *u.create_index;
    if (s.FindIndex(index.name)) {
      return InvalidArgument(
          "One or more parameter values were invalid: Attempting to create an "
          "index which already exists");
    }
    for (const char* part : {"hash", "range"}) {
      const KeyAttribute* k = std::string(part) == "hash" ? &index.key.hash
                              : index.key.range           ? &*index.key.range
                                                          : nullptr;
      if (!k) continue;
      auto def = s.attribute_definitions.find(k->name);
      if (def == s.attribute_definitions.end()) {
        return InvalidArgument(
            "One or more parameter values were invalid: Some index key "
            "attributes are not defined in AttributeDefinitions. Keys: [" +
            k->name + "]");
      }
    }
    index.key.hash.type = s.attribute_definitions[index.key.hash.name];
    if (index.key.range) index.key.range->type = s.attribute_definitions[index.key.range->name];
    index.global = true;
    RETURN_IF_ERROR(ValidateIndex(index, s));
    size_t gsis = std::count_if(s.indexes.begin(), s.indexes.end(),
                                [](const IndexSchema& i) { return i.global; });
    if (gsis >= 20) {
      return Status(Code::kResourceExhausted,
                    "Subscriber limit exceeded: Number of GlobalSecondaryIndexes exceeds per-table "
                    "limit of 20",
                    "LimitExceededException");
    }
    index.id = RandomHex(8);
    index.created_ms = NowEpochMillis();
    s.indexes.push_back(index);
    backfill = index;
  }
  std::optional<std::string> dropped_index_id;
  if (u.delete_index) {
    auto it = std::find_if(s.indexes.begin(), s.indexes.end(), [&](const IndexSchema& i) {
      return i.name == *u.delete_index && i.global;
    });
    if (it == s.indexes.end()) {
      return NotFound("Requested resource not found: Requested resource not found: Index: " +
                      *u.delete_index + " not found");
    }
    dropped_index_id = it->id;
    s.indexes.erase(it);
  }
  if (u.update_index) {
    auto it = std::find_if(s.indexes.begin(), s.indexes.end(),
                           [&](const IndexSchema& i) { return i.name == u.update_index->first; });
    if (it == s.indexes.end()) {
      return NotFound("Requested resource not found: Index: " + u.update_index->first +
                      " not found");
    }
    it->read_capacity = u.update_index->second.first;
    it->write_capacity = u.update_index->second.second;
  }
  if (u.stream_enabled) {
    bool active = s.ActiveStream() != nullptr;
    if (*u.stream_enabled) {
      if (active) return InvalidArgument("Table already has an enabled stream: " + TableArn(name));
      StreamInfo st;
      st.view = u.stream_view.value_or(StreamViewType::kNewAndOldImages);
      st.created_ms = NowEpochMillis();
      st.label = StreamLabel(st.created_ms);
      st.first_sequence = t->next_sequence.load();
      s.streams.push_back(st);
    } else {
      if (!active) {
        return InvalidArgument("Table does not have an enabled stream: " + TableArn(name));
      }
      s.streams.back().closed_ms = NowEpochMillis();
    }
  }
  if (backfill) {
    // Index every existing item in batches; writers are held off meanwhile.
    store::WriteBatch batch;
    Status failure;
    Status scan =
        store_.Scan(layout::Items(s.id), "", [&](std::string_view, std::string_view value) {
          auto item = DecodeItem(value);
          if (!item.ok()) return true;
          auto ikey = EncodeItemKey(backfill->key, *item);
          auto tkey = EncodeItemKey(s.key, *item);
          if (!ikey || !tkey) return true;  // sparse: not in the index
          Item projected;
          for (const auto& [n, v] : *item) {
            if (backfill->Projects(n, s.key)) projected.emplace(n, v);
          }
          batch.Put(layout::Index(s.id, backfill->id) + *ikey + *tkey, EncodeItem(projected));
          if (batch.size() >= 1000) {
            failure = store_.Write(batch);
            batch = store::WriteBatch();
            if (!failure.ok()) return false;
          }
          return true;
        });
    RETURN_IF_ERROR(scan);
    RETURN_IF_ERROR(failure);
    if (!batch.empty()) RETURN_IF_ERROR(store_.Write(batch));
  }
  store::WriteBatch meta;
  meta.Put(layout::Meta(name), s.ToStored());
  if (dropped_index_id) meta.Put(layout::Garbage(layout::Index(s.id, *dropped_index_id)), "");
  RETURN_IF_ERROR(store_.Write(meta, /*sync=*/true));
  t->SetSchema(std::make_shared<const TableSchema>(s));
  if (dropped_index_id) WakeSweeper();
  return s;
}

Result<TableSchema> TableService::UpdateTimeToLive(const std::string& name, bool enabled,
                                                   const std::string& attribute) {
  std::lock_guard control(control_mu_);
  auto t = FindTable(name);
  if (!t) return NotFound("Requested resource not found: Table: " + name + " not found");
  std::unique_lock writers(t->writers);
  TableSchema s = *t->Schema();
  if (enabled && s.ttl_enabled) return InvalidArgument("TimeToLive is already enabled");
  if (!enabled && !s.ttl_enabled) return InvalidArgument("TimeToLive is already disabled");
  if (!enabled && attribute != s.ttl_attribute) {
    return InvalidArgument(
        "TimeToLive is active on a different AttributeName: current "
        "AttributeName is " +
        s.ttl_attribute);
  }
  s.ttl_enabled = enabled;
  s.ttl_attribute = enabled ? attribute : s.ttl_attribute;
  std::string ttl_prefix = layout::Ttl(s.id);
  store::WriteBatch batch;
  if (enabled) {
    // Index the items that already carry the attribute.
    RETURN_IF_ERROR(
        store_.Scan(layout::Items(s.id), "", [&](std::string_view key, std::string_view value) {
          auto item = DecodeItem(value);
          if (!item.ok()) return true;
          auto a = item->find(attribute);
          if (a == item->end()) return true;
          auto secs = TtlSeconds(a->second);
          if (!secs) return true;
          std::string k = ttl_prefix;
          layout::AppendBe64(&k, static_cast<uint64_t>(*secs));
          k += key.substr(layout::Items(s.id).size());
          batch.Put(k, "");
          return true;
        }));
  } else {
    RETURN_IF_ERROR(store_.Scan(ttl_prefix, "", [&](std::string_view key, std::string_view) {
      batch.Delete(key);
      return true;
    }));
  }
  batch.Put(layout::Meta(name), s.ToStored());
  RETURN_IF_ERROR(store_.Write(batch, /*sync=*/true));
  t->SetSchema(std::make_shared<const TableSchema>(s));
  return s;
}

Result<TableSchema> TableService::UpdateTags(const std::string& name,
                                             const std::map<std::string, std::string>& add,
                                             const std::vector<std::string>& remove) {
  std::lock_guard control(control_mu_);
  auto t = FindTable(name);
  if (!t) return NotFound("Requested resource not found: Table: " + name + " not found");
  TableSchema s = *t->Schema();
  for (const auto& [k, v] : add) s.tags[k] = v;
  for (const auto& k : remove) s.tags.erase(k);
  RETURN_IF_ERROR(store_.Put(layout::Meta(name), s.ToStored(), /*sync=*/true));
  t->SetSchema(std::make_shared<const TableSchema>(s));
  return s;
}

void TableService::SetStreamListener(std::function<void(const std::string&)> listener) {
  std::unique_lock lock(mu_);
  stream_listener_ = std::move(listener);
}

void TableService::NotifyStream(const std::string& table) {
  std::function<void(const std::string&)> listener;
  {
    std::shared_lock lock(mu_);
    listener = stream_listener_;
  }
  if (listener) listener(table);
}

std::vector<TableService::StreamOwner> TableService::StreamOwners(const std::string& table) const {
  std::vector<StreamOwner> out;
  std::shared_lock lock(mu_);
  for (const auto& [name, t] : tables_) {
    if (table.empty() || name == table) out.push_back({t->Schema(), t->next_sequence.load()});
  }
  for (const auto& [id, r] : retired_) {
    if (table.empty() || r.schema->name == table) out.push_back({r.schema, r.next_sequence});
  }
  return out;
}

std::vector<TableService::StreamDescription> TableService::ListStreams(
    const std::string& table) const {
  std::vector<StreamDescription> out;
  for (const auto& owner : StreamOwners(table)) {
    for (size_t i = 0; i < owner.schema->streams.size(); ++i) {
      out.push_back(Describe(owner, i));
    }
  }
  return out;
}

TableService::StreamDescription TableService::Describe(const StreamOwner& owner, size_t i) const {
  const TableSchema& s = *owner.schema;
  const StreamInfo& st = s.streams[i];
  StreamDescription d;
  d.table = s.name;
  d.info = st;
  d.arn = StreamArn(s.name, st.label);
  d.open = st.closed_ms == 0;
  d.key = s.key;
  std::string created = std::to_string(st.created_ms);
  d.shard_id = "shardId-" + std::string(20 - std::min<size_t>(20, created.size()), '0') + created +
               "-" + s.id.substr(0, 8);
  d.next_sequence = i + 1 < s.streams.size() ? s.streams[i + 1].first_sequence : owner.next_sequence;
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

Result<TableService::StreamDescription> TableService::DescribeStream(const std::string& arn) const {
  ASSIGN_OR_RETURN(auto found, FindStream(arn));
  return Describe(found.first, found.second);
}

Result<std::pair<TableService::StreamOwner, size_t>> TableService::FindStream(
    const std::string& arn) const {
  // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
  size_t table_at = arn.find(":table/");
  size_t stream_at = arn.find("/stream/");
  if (table_at == std::string::npos || stream_at == std::string::npos || stream_at < table_at) {
    return InvalidArgument("Invalid StreamArn");
  }
  std::string name = arn.substr(table_at + 7, stream_at - table_at - 7);
  std::string label = arn.substr(stream_at + 8);
  for (const auto& owner : StreamOwners(name)) {
    for (size_t i = 0; i < owner.schema->streams.size(); ++i) {
      if (owner.schema->streams[i].label == label) return std::make_pair(owner, i);
    }
  }
  return NotFound("Requested resource not found: Stream: " + arn + " not found");
}

Result<std::vector<StreamRecord>> TableService::ReadStream(const std::string& arn, uint64_t from,
                                                           int limit) const {
  ASSIGN_OR_RETURN(auto found, FindStream(arn));
  const TableSchema& s = *found.first.schema;
  StreamDescription d = Describe(found.first, found.second);
  std::vector<StreamRecord> out;
  std::string prefix = layout::Stream(s.id);
  std::string start = prefix;
  layout::AppendBe64(&start, std::max(from, d.info.first_sequence));
  RETURN_IF_ERROR(store_.Scan(prefix, start, [&](std::string_view key, std::string_view value) {
    uint64_t seq = layout::ReadBe64(key.substr(prefix.size()));
    if (seq >= d.next_sequence || static_cast<int>(out.size()) >= limit) return false;
    auto r = DecodeStreamRecord(seq, value);
    if (r.ok()) {
      // Unique across every stream, as DynamoDB's event ids are.
      r->event_id = Hex(Sha256(s.id + ":" + std::to_string(seq))).substr(0, 32);
      out.push_back(std::move(*r));
    }
    return true;
  }));
  return out;
}

bool TableService::Expired(const Table& t, const Item& item) const {
  auto s = t.Schema();
  if (!s->ttl_enabled) return false;
  auto a = item.find(s->ttl_attribute);
  if (a == item.end()) return false;
  auto secs = TtlSeconds(a->second);
  if (!secs) return false;
  int64_t now = NowEpochMillis() / 1000;
  // Values more than five years in the past are not treated as expiry times.
  return *secs<now&& * secs> now - 5 * 365 * 86400;
}

void TableService::SweeperLoop() {
  std::unique_lock lock(sweeper_mu_);
  garbage_pending_ = true;  // collect what a previous run left unfinished
  auto next_sweep = std::chrono::steady_clock::now() + options_.ttl_sweep_interval;
  while (!stop_) {
    sweeper_cv_.wait_until(lock, next_sweep, [&] { return stop_ || garbage_pending_; });
    if (stop_) break;
    bool collect = garbage_pending_;
    garbage_pending_ = false;
    lock.unlock();
    if (collect) CollectGarbage();
    if (std::chrono::steady_clock::now() >= next_sweep) {
      SweepExpired();
      next_sweep = std::chrono::steady_clock::now() + options_.ttl_sweep_interval;
    }
    lock.lock();
  }
}

}  // namespace nimbus::tables
