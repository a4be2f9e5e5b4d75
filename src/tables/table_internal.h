// Internals shared by the table service's .cc files: the in-memory state of
// one table and the key layout in the store. Not part of the public API.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "tables/table_service.h"

namespace nimbus::tables {

// Key layout (every table's data lives under its id, so that a re-created
// table never sees the old one's leftovers while they are deleted):
//   t/m/<name>                               table schema
//   t/c/<id>                                 item count and size
//   t/i/<id>/<encoded key>                   item
//   t/x/<id>/<index id>/<index key><key>     index entry (the projected item)
//   t/e/<id>/<expiry:8><key>                 TTL index (items with a TTL attribute)
//   t/s/<id>/<sequence:8>                    stream record
//   t/r/<id>                                 a deleted table whose streams are still kept
//   t/r/<id>                                 a deleted table whose streams are still kept
namespace layout {
inline std::string Meta(const std::string& name) {
  return "t/m/" + name;
}
inline std::string Counter(const std::string& id) {
  return "t/c/" + id;
}
inline std::string Items(const std::string& id) {
  return "t/i/" + id + "/";
}
inline std::string Index(const std::string& id, const std::string& index_id) {
  return "t/x/" + id + "/" + index_id + "/";
}
inline std::string IndexAll(const std::string& id) {
  return "t/x/" + id + "/";
}
inline std::string Ttl(const std::string& id) {
  return "t/e/" + id + "/";
}
inline std::string Stream(const std::string& id) {
  return "t/s/" + id + "/";
}
inline std::string Retired(const std::string& id) { return "t/r/" + id; }
// A key range left to delete: the sweeper removes every key under `prefix`,
// then this record. Written in the same batch as the change that orphans it,
// so a crash never leaves data nobody will collect.
inline std::string Garbage(std::string_view prefix) { return "t/g/" + std::string(prefix); }
inline constexpr std::string_view kGarbagePrefix = "t/g/";
void AppendBe64(std::string* out, uint64_t v);
uint64_t ReadBe64(std::string_view in);
}  // namespace layout

struct TableService::Table {
  explicit Table(std::shared_ptr<const TableSchema> s) : schema(std::move(s)) {}

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
  std::atomic<uint64_t> next_sequence{1};
};

// The key attributes of `item` under `schema` (nullopt when one is missing
// or of the wrong type, as for a sparse index).
std::optional<std::string> EncodeItemKey(const KeySchema& schema, const Item& item);
// The whole number of seconds in a TTL attribute, if it is a usable one.
std::optional<int64_t> TtlSeconds(const Value& value);
// The items' key attributes only.
Item KeyOf(const KeySchema& schema, const Item& item);
// A stream record's stored form.
std::string EncodeStreamRecord(const StreamRecord& r);
Result<StreamRecord> DecodeStreamRecord(uint64_t sequence, std::string_view data);

}  // namespace nimbus::tables
