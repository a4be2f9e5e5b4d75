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

TableService::TableService(store::KvStore& store, TableServiceOptions options)
    : store_(store),
      options_(std::move(options)),
      streams_(store, Platform{options_.region, options_.account_id}, options_.stream_retention) {}

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
  RETURN_IF_ERROR(store_.Scan(layout::MetaPrefix(), "", [&](std::string_view, std::string_view value) {
    auto s = TableSchema::FromStored(value);
    if (s.ok()) schemas.push_back(std::move(*s));
    return true;
  }));
  for (auto& s : schemas) {
    auto schema = std::make_shared<const TableSchema>(s);
    auto t = std::make_shared<Table>(schema, streams_.Track(schema));
    auto counter = store_.Get(layout::Counter(s.id));
    if (counter.ok() && counter->has_value() && (*counter)->size() == 16) {
      t->items = static_cast<int64_t>(layout::ReadBe64(**counter));
      t->bytes = static_cast<int64_t>(layout::ReadBe64(std::string_view(**counter).substr(8)));
    }
    tables_[s.name] = std::move(t);
  }
  RETURN_IF_ERROR(streams_.Open());
  sweeper_ = std::thread([this] { SweeperLoop(); });
  return Status::Ok();
}

std::shared_ptr<TableService::Table> TableService::FindTable(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

std::string TableService::TableArn(const std::string& name) const {
  return Platform{options_.region, options_.account_id}.TableArn(name);
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
  auto stored = std::make_shared<const TableSchema>(schema);
  auto t = std::make_shared<Table>(stored, streams_.Track(stored));
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
  // One atomic batch: the table goes, its data is marked for collection, and
  // a table with streams leaves them readable, closed, for the retention period.
  store::WriteBatch batch;
  batch.Delete(layout::Meta(name));
  AddTableGarbage(schema.id, batch);
  auto kept = streams_.Retire(schema, NowEpochMillis(), batch);
  RETURN_IF_ERROR(store_.Write(batch, /*sync=*/true));
  {
    std::unique_lock lock(mu_);
    tables_.erase(name);
  }
  streams_.Retired(t->stream, std::move(kept));
  WakeSweeper();  // the data goes in the background; clients no longer see it
  return schema;
}

void TableService::AddTableGarbage(const std::string& id, store::WriteBatch& batch) {
  batch.Delete(layout::Counter(id));
  for (const std::string& prefix : {layout::Items(id), layout::IndexAll(id), layout::Ttl(id)}) {
    batch.Put(layout::Garbage(prefix), "");
  }
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
  const std::string garbage = layout::GarbagePrefix();
  store_
      .Scan(garbage, "",
            [&](std::string_view key, std::string_view) {
              prefixes.emplace_back(key.substr(garbage.size()));
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
      st.first_sequence = streams_.NextSequence(*t->stream);
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
  auto stored = std::make_shared<const TableSchema>(s);
  t->SetSchema(stored);
  streams_.SetSchema(*t->stream, stored);
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
