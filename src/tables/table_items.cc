// The table service's item writes: validation, and the write path (item,
// indexes, TTL index, stream record and counters in one atomic batch) that
// PutItem, UpdateItem, DeleteItem and BatchWriteItem share.
#include "core/time.h"
#include "tables/item_codec.h"
#include "tables/table_internal.h"
#include "tables/table_service.h"

namespace nimbus::tables {
namespace {

constexpr size_t kMaxItemBytes = 409600;
constexpr size_t kMaxHashKeyBytes = 2048;
constexpr size_t kMaxRangeKeyBytes = 1024;

bool EmptyScalar(const Value& v) {
  return (v.is(ValueType::kS) && v.s().empty()) || (v.is(ValueType::kB) && v.b().empty());
}

size_t KeyValueBytes(const Value& v) {
  if (v.is(ValueType::kS)) return v.s().size();
  if (v.is(ValueType::kB)) return v.b().size();
  return v.n().StorageSize();
}

Status CheckKeyAttribute(const KeyAttribute& k, const Value* v, bool is_hash) {
  if (v == nullptr) {
    return Validation("One or more parameter values were invalid: Missing the key " + k.name +
                      " in the item");
  }
  if (v->type() != k.type) {
    return Validation("One or more parameter values were invalid: Type mismatch for key " + k.name +
                      " expected: " + TypeName(k.type) + " actual: " + v->TypeName());
  }
  if (EmptyScalar(*v)) {
    return Validation(std::string("One or more parameter values are not valid. The AttributeValue "
                                  "for a key attribute cannot contain an empty ") +
                      (v->is(ValueType::kS) ? "string" : "binary") + " value. Key: " + k.name);
  }
  if (is_hash && KeyValueBytes(*v) > kMaxHashKeyBytes) {
    return Validation(
        "One or more parameter values were invalid: Size of hashkey has exceeded "
        "the maximum size limit of2048 bytes");
  }
  if (!is_hash && KeyValueBytes(*v) > kMaxRangeKeyBytes) {
    return Validation(
        "One or more parameter values were invalid: Aggregated size of all range "
        "keys has exceeded the size limit of 1024 bytes");
  }
  return Status::Ok();
}

Item Projected(const IndexSchema& index, const KeySchema& table_key, const Item& item) {
  if (index.projection == ProjectionType::kAll) return item;
  Item out;
  for (const auto& [n, v] : item) {
    if (index.Projects(n, table_key)) out.emplace(n, v);
  }
  return out;
}

}  // namespace

Status TableService::ValidateKey(const TableSchema& s, const Item& key) const {
  size_t expected = s.key.range ? 2 : 1;
  const Value* h = FindAttribute(key, s.key.hash.name);
  const Value* r = s.key.range ? FindAttribute(key, s.key.range->name) : nullptr;
  if (key.size() != expected || h == nullptr || h->type() != s.key.hash.type ||
      (s.key.range && (r == nullptr || r->type() != s.key.range->type))) {
    return Validation("The provided key element does not match the schema");
  }
  for (const Value* v : {h, r}) {
    if (v && EmptyScalar(*v)) {
      const std::string& name = v == h ? s.key.hash.name : s.key.range->name;
      return Validation(std::string("One or more parameter values are not valid. The "
                                    "AttributeValue for a key attribute cannot contain an empty ") +
                        (v->is(ValueType::kS) ? "string" : "binary") + " value. Key: " + name);
    }
  }
  return Status::Ok();
}

Status TableService::CheckItem(const Table& t, const Item& item) const {
  auto s = t.Schema();
  RETURN_IF_ERROR(CheckKeyAttribute(s->key.hash, FindAttribute(item, s->key.hash.name), true));
  if (s->key.range) {
    RETURN_IF_ERROR(
        CheckKeyAttribute(*s->key.range, FindAttribute(item, s->key.range->name), false));
  }
  for (const auto& index : s->indexes) {
    for (const KeyAttribute* k : {&index.key.hash, index.key.range ? &*index.key.range : nullptr}) {
      if (!k) continue;
      const Value* v = FindAttribute(item, k->name);
      if (!v) continue;
      if (v->type() != k->type) {
        return Validation(
            "One or more parameter values were invalid: Type mismatch for Index Key " + k->name +
            " Expected: " + TypeName(k->type) + " Actual: " + v->TypeName() +
            " IndexName: " + index.name);
      }
      if (EmptyScalar(*v)) {
        return Validation(
            "One or more parameter values are not valid. A value specified for a "
            "secondary index key is not supported. The AttributeValue for a key "
            "attribute cannot contain an empty string value. IndexName: " +
            index.name + ", IndexKey: " + k->name);
      }
    }
  }
  if (ItemSize(item) > kMaxItemBytes)
    return Validation("Item size has exceeded the maximum allowed size");
  return Status::Ok();
}

Status TableService::WriteLocked(Table& t, const Item& key, const std::optional<Item>& old_item,
                                 const std::optional<Item>& new_item, bool by_ttl,
                                 store::WriteBatch& batch, StreamLog::Appends& appends) {
  auto s = t.Schema();
  std::string encoded = *EncodeItemKey(s->key, key);
  if (new_item) {
    batch.Put(layout::Items(s->id) + encoded, EncodeItem(*new_item));
  } else {
    batch.Delete(layout::Items(s->id) + encoded);
  }
  for (const auto& index : s->indexes) {
    std::string prefix = layout::Index(s->id, index.id);
    std::optional<std::string> old_key =
        old_item ? EncodeItemKey(index.key, *old_item) : std::nullopt;
    std::optional<std::string> new_key =
        new_item ? EncodeItemKey(index.key, *new_item) : std::nullopt;
    if (old_key && old_key != new_key) batch.Delete(prefix + *old_key + encoded);
    if (new_key)
      batch.Put(prefix + *new_key + encoded, EncodeItem(Projected(index, s->key, *new_item)));
  }
  if (s->ttl_enabled) {
    auto ttl_key = [&](const std::optional<Item>& item) -> std::optional<std::string> {
      if (!item) return std::nullopt;
      const Value* v = FindAttribute(*item, s->ttl_attribute);
      auto secs = v ? TtlSeconds(*v) : std::nullopt;
      if (!secs) return std::nullopt;
      std::string k = layout::Ttl(s->id);
      layout::AppendBe64(&k, static_cast<uint64_t>(*secs));
      return k + encoded;
    };
    auto o = ttl_key(old_item), n = ttl_key(new_item);
    if (o && o != n) batch.Delete(*o);
    if (n) batch.Put(*n, "");
  }
  int64_t dcount = (new_item ? 1 : 0) - (old_item ? 1 : 0);
  int64_t dbytes = static_cast<int64_t>(new_item ? ItemSize(*new_item) : 0) -
                   static_cast<int64_t>(old_item ? ItemSize(*old_item) : 0);
  // Counts live in memory and are saved by the sweeper and at close
  // (DynamoDB's own ItemCount is approximate too); writing them with every
  // item would pile a version of one hot key into the memtable per write.
  t.items.fetch_add(dcount);
  t.bytes.fetch_add(dbytes);
  if (const StreamInfo* stream = s->ActiveStream()) {
    StreamRecord r;
    r.event_name = !old_item ? "INSERT" : !new_item ? "REMOVE" : "MODIFY";
    r.created_ms = NowEpochMillis();
    r.keys = KeyOf(s->key, key);
    r.new_image = new_item;
    r.old_image = old_item;
    r.by_ttl = by_ttl;
    streams_.Append(t.stream, *stream, std::move(r), batch, appends);
  }
  return Status::Ok();
}

Result<WriteOutcome> TableService::MutateItem(Table& t, const Item& key,
                                              const Condition* condition,
                                              const ItemChange& change) {
  StreamLog::Appends appends;
  WriteOutcome out;
  {
    std::shared_lock writers(t.writers);
    auto s = t.Schema();
    std::string encoded = *EncodeItemKey(s->key, key);
    std::lock_guard stripe(t.StripeFor(encoded));
    ASSIGN_OR_RETURN(out.old_item, ReadItem(t, encoded));
    if (condition) {
      ASSIGN_OR_RETURN(bool ok, Evaluate(*condition, out.old_item.value_or(Item{})));
      if (!ok) {
        out.condition_failed = true;
        return out;
      }
    }
    std::optional<Item> next;
    RETURN_IF_ERROR(change(*s, out, next));
    if (next != out.old_item) {
      store::WriteBatch batch;
      RETURN_IF_ERROR(WriteLocked(t, key, out.old_item, next, false, batch, appends));
      RETURN_IF_ERROR(store_.Write(batch));
    }
    out.new_item = std::move(next);
  }
  streams_.Publish(appends);
  return out;
}

Result<WriteOutcome> TableService::PutItem(const std::string& table, Item item,
                                           const Condition* condition) {
  auto t = FindTable(table);
  if (!t) return NotFound("Requested resource not found");
  RETURN_IF_ERROR(CheckItem(*t, item));
  Item key = KeyOf(t->Schema()->key, item);
  return MutateItem(
      *t, key, condition,
      [&](const TableSchema&, WriteOutcome&, std::optional<Item>& next) {
        next = std::move(item);
        return Status::Ok();
      });
}

Result<WriteOutcome> TableService::UpdateItem(const std::string& table, const Item& key,
                                              const UpdatePlan* update,
                                              const Condition* condition) {
  auto t = FindTable(table);
  if (!t) return NotFound("Requested resource not found");
  RETURN_IF_ERROR(ValidateKey(*t->Schema(), key));
  return MutateItem(
      *t, key, condition,
      [&](const TableSchema& s, WriteOutcome& out, std::optional<Item>& next) -> Status {
        Item updated = out.old_item.value_or(key);
        if (update) {
          std::vector<std::string> key_names = {s.key.hash.name};
          if (s.key.range) key_names.push_back(s.key.range->name);
          ASSIGN_OR_RETURN(UpdateResult r, ApplyUpdate(*update, updated, key_names));
          updated = std::move(r.item);
          out.updated_paths = std::move(r.updated_paths);
        }
        Status check = CheckItem(*t, updated);
        if (!check.ok()) {
          if (check.message() == "Item size has exceeded the maximum allowed size") {
            return Validation("Item size to update has exceeded the maximum allowed size");
          }
          return check;
        }
        next = std::move(updated);
        return Status::Ok();
      });
}

Result<WriteOutcome> TableService::DeleteItem(const std::string& table, const Item& key,
                                              const Condition* condition) {
  auto t = FindTable(table);
  if (!t) return NotFound("Requested resource not found");
  RETURN_IF_ERROR(ValidateKey(*t->Schema(), key));
  // `next` stays absent; deleting an absent item writes nothing.
  return MutateItem(*t, key, condition,
                    [](const TableSchema&, WriteOutcome&, std::optional<Item>&) {
                      return Status::Ok();
                    });
}

Status TableService::BatchWrite(
    const std::vector<std::pair<std::string, std::pair<bool, Item>>>& writes) {
  // Check every request first: a rejected batch writes nothing.
  for (const auto& [table, w] : writes) {
    auto t = FindTable(table);
    if (!t) return NotFound("Requested resource not found");
    RETURN_IF_ERROR(w.first ? CheckItem(*t, w.second) : ValidateKey(*t->Schema(), w.second));
  }
  for (const auto& [table, w] : writes) {
    const auto& [is_put, item] = w;
    auto r = is_put ? PutItem(table, item, nullptr) : DeleteItem(table, item, nullptr);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

}  // namespace nimbus::tables
