// Internals shared by the table service's .cc files: the key layout in the
// store, the in-memory state of one table and of its stream. Not part of the
// public API.
#pragma once

#include <array>
#include <functional>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>

#include "store/keyspace.h"
#include "tables/table_service.h"

namespace nimbus::tables {

// Key layout, under store::keyspace::kTables ("t/"). Every table's data lives
// under its id, so that a re-created table never sees the old one's leftovers
// while they are deleted:
//   t/m/<name>                               table schema
//   t/c/<id>                                 item count and size
//   t/i/<id>/<encoded key>                   item
//   t/x/<id>/<index id>/<index key><key>     index entry (the projected item)
//   t/e/<id>/<expiry:8><key>                 TTL index (items with a TTL attribute)
//   t/s/<id>/<sequence:8>                    stream record
//   t/r/<id>                                 a deleted table whose streams are still kept
//   t/g/<prefix>                             a key range left to delete
namespace layout {
inline std::string Under(std::string_view family) {
  return std::string(store::keyspace::kTables).append(family);
}
inline std::string MetaPrefix() { return Under("m/"); }
inline std::string Meta(const std::string& name) { return MetaPrefix() + name; }
inline std::string Counter(const std::string& id) { return Under("c/") + id; }
inline std::string Items(const std::string& id) { return Under("i/") + id + "/"; }
inline std::string Index(const std::string& id, const std::string& index_id) {
  return Under("x/") + id + "/" + index_id + "/";
}
inline std::string IndexAll(const std::string& id) { return Under("x/") + id + "/"; }
inline std::string Ttl(const std::string& id) { return Under("e/") + id + "/"; }
inline std::string Stream(const std::string& id) { return Under("s/") + id + "/"; }
inline std::string RetiredPrefix() { return Under("r/"); }
inline std::string Retired(const std::string& id) { return RetiredPrefix() + id; }
// A key range left to delete: the sweeper removes every key under `prefix`,
// then this record. Written in the same batch as the change that orphans it,
// so a crash never leaves data nobody will collect.
inline std::string GarbagePrefix() { return Under("g/"); }
inline std::string Garbage(std::string_view prefix) { return GarbagePrefix().append(prefix); }
void AppendBe64(std::string* out, uint64_t v);
uint64_t ReadBe64(std::string_view in);
}  // namespace layout

// One live table: its schema, the locks of its writes, its counters and its
// stream. Shared by the service's map and the calls that found it.
struct TableService::Table {
  Table(std::shared_ptr<const TableSchema> s, std::shared_ptr<StreamLog::Source> st)
      : schema(std::move(s)), stream(std::move(st)) {}

  std::shared_ptr<const TableSchema> Schema() const {
    std::lock_guard lock(schema_mu);
    return schema;
  }
  void SetSchema(std::shared_ptr<const TableSchema> s) {
    std::lock_guard lock(schema_mu);
    schema = std::move(s);
  }
  std::mutex& StripeFor(std::string_view encoded_key);

  mutable std::mutex schema_mu;
  std::shared_ptr<const TableSchema> schema;
  // Item writes hold this shared; changes that need every write to be out of
  // the way (index backfill, TTL backfill) hold it exclusively.
  std::shared_mutex writers;
  std::array<std::mutex, 64> stripes;
  std::atomic<int64_t> items{0};
  std::atomic<int64_t> bytes{0};
  int64_t saved_items = -1;  // what PersistCounters() last wrote (sweeper thread only)
  int64_t saved_bytes = -1;
  const std::shared_ptr<StreamLog::Source> stream;
};

// A subscriber's hook (StreamSubscription).
struct StreamHook {
  std::recursive_mutex call_mu;  // held while the hook runs; Unsubscribe waits on it
  bool active = true;            // guarded by call_mu
  std::function<void()> on_append;
};

// One table's stream state (StreamLog::Source): shared by the log, the table
// and its subscriptions.
struct TableStream {
  explicit TableStream(std::string table_id) : id(std::move(table_id)) {}

  const std::string id;
  std::mutex mu;                              // guards what follows
  std::shared_ptr<const TableSchema> schema;  // name, key, streams, deleted_ms
  uint64_t next_sequence = 1;
  std::set<uint64_t> in_flight;  // reserved by batches not yet written or abandoned
  std::vector<std::shared_ptr<StreamHook>> hooks;
};

// One moment of a table's stream state.
struct StreamSnapshot {
  std::shared_ptr<TableStream> source;
  std::shared_ptr<const TableSchema> schema;
  uint64_t next = 1;     // the table's next sequence number
  uint64_t visible = 1;  // every record below it is written or abandoned

  static StreamSnapshot Of(const std::shared_ptr<TableStream>& source) {
    std::lock_guard lock(source->mu);
    uint64_t visible =
        source->in_flight.empty() ? source->next_sequence : *source->in_flight.begin();
    return {source, source->schema, source->next_sequence, visible};
  }
};

// DynamoDB's ValidationException.
inline Status Validation(std::string message) { return InvalidArgument(std::move(message)); }
// The attribute `name` of `item`, or null.
inline const Value* FindAttribute(const Item& item, const std::string& name) {
  auto it = item.find(name);
  return it == item.end() ? nullptr : &it->second;
}
// The key attributes of `item` under `schema` (nullopt when one is missing
// or of the wrong type, as for a sparse index).
std::optional<std::string> EncodeItemKey(const KeySchema& schema, const Item& item);
// The whole number of seconds in a TTL attribute, if it is a usable one.
std::optional<int64_t> TtlSeconds(const Value& value);
// The items' key attributes only.
Item KeyOf(const KeySchema& schema, const Item& item);
// A stream's label: its creation time, 2024-01-31T12:00:00.123
std::string StreamLabel(int64_t created_ms);

}  // namespace nimbus::tables
