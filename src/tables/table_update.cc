// TableService::UpdateTable and UpdateTimeToLive: schema changes that may
// rewrite the table's index or TTL entries while its writers wait.
#include <algorithm>

#include "core/ids.h"
#include "core/time.h"
#include "tables/item_codec.h"
#include "tables/table_internal.h"
#include "tables/table_service.h"

namespace nimbus::tables {

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

}  // namespace nimbus::tables
