// The table service's control plane: loading, creating, describing, listing,
// deleting and tagging tables. The rest of TableService is in table_update.cc
// (UpdateTable, UpdateTimeToLive), table_items.cc (item writes),
// table_transactions.cc, table_reads.cc (GetItem, Query, Scan) and
// table_sweeper.cc (TTL, counters, garbage).
#include "tables/table_service.h"

#include <algorithm>
#include <functional>

#include "core/ids.h"
#include "core/time.h"
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
  RETURN_IF_ERROR(
      store_.Scan(layout::MetaPrefix(), "", [&](std::string_view, std::string_view value) {
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

std::string StreamLabel(int64_t ms) {
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

}  // namespace nimbus::tables
