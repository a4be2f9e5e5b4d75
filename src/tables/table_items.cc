// The table service's item operations: validation, the write path (item,
// indexes, TTL index, stream record and counters in one atomic batch),
// transactions, Query and Scan, and the TTL sweeper.
#include <algorithm>
#include <functional>
#include <set>

#include "core/crypto.h"
#include "core/time.h"
#include "tables/item_codec.h"
#include "tables/key_codec.h"
#include "tables/table_internal.h"
#include "tables/table_service.h"

namespace nimbus::tables {
namespace {

constexpr size_t kMaxItemBytes = 409600;
constexpr size_t kMaxHashKeyBytes = 2048;
constexpr size_t kMaxRangeKeyBytes = 1024;
constexpr size_t kPageBytes = 1024 * 1024;

Status Validation(std::string m) {
  return InvalidArgument(std::move(m));
}

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

const Value* Find(const Item& item, const std::string& name) {
  auto it = item.find(name);
  return it == item.end() ? nullptr : &it->second;
}

Item Projected(const IndexSchema& index, const KeySchema& table_key, const Item& item) {
  if (index.projection == ProjectionType::kAll) return item;
  Item out;
  for (const auto& [n, v] : item) {
    if (index.Projects(n, table_key)) out.emplace(n, v);
  }
  return out;
}

// Lower and upper (exclusive) bounds of the encoded keys a Query reads.
struct Bounds {
  std::string lower, upper;
};

Bounds QueryBounds(const std::string& prefix, const KeyCondition& kc) {
  std::string partition = prefix + EncodeKey(kc.hash_value);
  Bounds b{partition, store::PrefixEnd(partition)};
  if (!kc.range) return b;
  auto enc = [&](const Value& v) {
    std::string s = partition;
    AppendKeyValue(v, &s);
    return s;
  };
  const RangeCondition& r = *kc.range;
  switch (r.op) {
    case RangeOp::kEq:
      b = {enc(r.value), store::PrefixEnd(enc(r.value))};
      break;
    case RangeOp::kLt:
      b.upper = enc(r.value);
      break;
    case RangeOp::kLe:
      b.upper = store::PrefixEnd(enc(r.value));
      break;
    case RangeOp::kGt:
      b.lower = store::PrefixEnd(enc(r.value));
      break;
    case RangeOp::kGe:
      b.lower = enc(r.value);
      break;
    case RangeOp::kBetween:
      b = {enc(r.value), store::PrefixEnd(enc(r.upper))};
      break;
    case RangeOp::kBeginsWith: {
      std::string p = partition + EncodeKeyPrefix(r.value);
      b = {p, store::PrefixEnd(p)};
      break;
    }
  }
  return b;
}

}  // namespace

Status TableService::ValidateKey(const TableSchema& s, const Item& key) const {
  size_t expected = s.key.range ? 2 : 1;
  const Value* h = Find(key, s.key.hash.name);
  const Value* r = s.key.range ? Find(key, s.key.range->name) : nullptr;
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
  RETURN_IF_ERROR(CheckKeyAttribute(s->key.hash, Find(item, s->key.hash.name), true));
  if (s->key.range) {
    RETURN_IF_ERROR(CheckKeyAttribute(*s->key.range, Find(item, s->key.range->name), false));
  }
  for (const auto& index : s->indexes) {
    for (const KeyAttribute* k : {&index.key.hash, index.key.range ? &*index.key.range : nullptr}) {
      if (!k) continue;
      const Value* v = Find(item, k->name);
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

Result<std::optional<Item>> TableService::ReadItem(const Table& t, const std::string& key) const {
  ASSIGN_OR_RETURN(auto raw, store_.Get(layout::Items(t.Schema()->id) + key));
  if (!raw) return std::optional<Item>();
  ASSIGN_OR_RETURN(Item item, DecodeItem(*raw));
  return std::optional<Item>(std::move(item));
}

Result<std::optional<Item>> TableService::GetItem(const std::string& table, const Item& key) const {
  auto t = FindTable(table);
  if (!t) return NotFound("Requested resource not found");
  auto s = t->Schema();
  RETURN_IF_ERROR(ValidateKey(*s, key));
  ASSIGN_OR_RETURN(auto item, ReadItem(*t, *EncodeItemKey(s->key, key)));
  if (item && Expired(*t, *item)) return std::optional<Item>();
  return item;
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
      const Value* v = Find(*item, s->ttl_attribute);
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

Result<TransactOutcome> TableService::TransactWrite(std::vector<TransactAction> actions,
                                                    const std::string& token,
                                                    const std::string& request_digest) {
  // Resolve and validate everything before taking any lock.
  struct Prepared {
    std::shared_ptr<Table> table;
    std::shared_ptr<const TableSchema> schema;
    std::string encoded;
    Item key;
  };
  std::vector<Prepared> prepared;
  std::set<std::pair<Table*, std::string>> seen;
  std::string digest_input;
  for (auto& a : actions) {
    Prepared p;
    p.table = FindTable(a.table);
    if (!p.table) return NotFound("Requested resource not found");
    p.schema = p.table->Schema();
    if (a.kind == TransactAction::Kind::kPut) {
      RETURN_IF_ERROR(CheckItem(*p.table, a.item));
      p.key = KeyOf(p.schema->key, a.item);
    } else {
      RETURN_IF_ERROR(ValidateKey(*p.schema, a.item));
      p.key = a.item;
    }
    p.encoded = *EncodeItemKey(p.schema->key, p.key);
    if (!seen.insert({p.table.get(), p.encoded}).second) {
      return Validation("Transaction request cannot include multiple operations on one item");
    }
    digest_input += a.table + '\0' + std::to_string(static_cast<int>(a.kind)) + '\0' +
                    EncodeItem(a.item) + '\0';
    prepared.push_back(std::move(p));
  }
  std::string digest = request_digest.empty() ? Sha256(digest_input) : request_digest;
  if (!token.empty()) {
    std::lock_guard lock(tokens_mu_);
    int64_t now = NowEpochMillis();
    std::erase_if(tokens_, [&](const auto& kv) { return kv.second.second < now - 600000; });
    auto it = tokens_.find(token);
    if (it != tokens_.end()) {
      if (it->second.first != digest) {
        return Status(Code::kConflict,
                      "The request with the same client token has different parameters",
                      "IdempotentParameterMismatchException");
      }
      return TransactOutcome{};  // already applied
    }
  }
  // Lock: each table's writers (in name order), then the item stripes (in address order).
  std::vector<Table*> tables;
  for (auto& p : prepared) tables.push_back(p.table.get());
  std::sort(tables.begin(), tables.end(),
            [](Table* a, Table* b) { return a->Schema()->name < b->Schema()->name; });
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  std::vector<std::shared_lock<std::shared_mutex>> writer_locks;
  for (Table* t : tables) writer_locks.emplace_back(t->writers);
  std::vector<std::mutex*> stripes;
  for (auto& p : prepared) stripes.push_back(&p.table->StripeFor(p.encoded));
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::unique_lock<std::mutex>> stripe_locks;
  for (std::mutex* m : stripes) stripe_locks.emplace_back(*m);

  TransactOutcome outcome;
  std::vector<std::optional<Item>> olds;
  for (size_t i = 0; i < actions.size(); ++i) {
    ASSIGN_OR_RETURN(auto old, ReadItem(*prepared[i].table, prepared[i].encoded));
    bool ok = true;
    if (actions[i].condition) {
      ASSIGN_OR_RETURN(ok, Evaluate(*actions[i].condition, old.value_or(Item{})));
    }
    outcome.reasons.push_back(ok ? "None" : "ConditionalCheckFailed");
    outcome.items.push_back(old);
    if (!ok) outcome.cancelled = true;
    olds.push_back(std::move(old));
  }
  if (outcome.cancelled) return outcome;

  store::WriteBatch batch;
  StreamLog::Appends appends;
  for (size_t i = 0; i < actions.size(); ++i) {
    TransactAction& a = actions[i];
    Prepared& p = prepared[i];
    std::optional<Item> next;
    switch (a.kind) {
      case TransactAction::Kind::kConditionCheck:
        continue;
      case TransactAction::Kind::kPut:
        next = a.item;
        break;
      case TransactAction::Kind::kDelete:
        if (!olds[i]) continue;
        break;
      case TransactAction::Kind::kUpdate: {
        Item base = olds[i].value_or(p.key);
        std::vector<std::string> key_names = {p.schema->key.hash.name};
        if (p.schema->key.range) key_names.push_back(p.schema->key.range->name);
        ASSIGN_OR_RETURN(UpdateResult r, ApplyUpdate(*a.update, base, key_names));
        Status check = CheckItem(*p.table, r.item);
        if (!check.ok()) return check;
        next = std::move(r.item);
        break;
      }
    }
    if (olds[i] && next && *olds[i] == *next) continue;
    RETURN_IF_ERROR(WriteLocked(*p.table, p.key, olds[i], next, false, batch, appends));
  }
  RETURN_IF_ERROR(store_.Write(batch));
  if (!token.empty()) {
    std::lock_guard lock(tokens_mu_);
    tokens_[token] = {digest, NowEpochMillis()};
  }
  stripe_locks.clear();
  writer_locks.clear();
  streams_.Publish(appends);
  outcome.reasons.clear();
  outcome.items.clear();
  return outcome;
}

// What one page of a Query or a Scan reads: a key range of the table or of
// one of its indexes, in one direction. The rest of the page is the same for
// both (ReadPageOf).
struct TableService::PageScope {
  std::shared_ptr<Table> table;
  std::shared_ptr<const TableSchema> schema;
  const IndexSchema* index = nullptr;  // null: the table itself
  std::string prefix;                  // of the table's items or of the index's entries
  std::string lower, upper;            // the key range: [lower, upper)
  bool forward = true;
  std::string position;  // the exclusive start, encoded; empty: the range's first key
  // Which items of the range the page is about (Query: the sort key
  // condition; Scan: the segment); absent: all.
  std::function<bool(const Item&)> in_scope;
  bool fetch_table_items = false;  // index pages: return the table's whole items
  const Condition* filter = nullptr;
  int limit = 0;
};

Result<TableService::PageScope> TableService::ScopeOf(
    const std::string& table, const std::string& index_name, bool consistent_read,
    const std::optional<Item>& exclusive_start_key) const {
  PageScope p;
  p.table = FindTable(table);
  if (!p.table) return NotFound("Requested resource not found");
  p.schema = p.table->Schema();
  const TableSchema& s = *p.schema;
  if (!index_name.empty()) {
    p.index = s.FindIndex(index_name);
    if (!p.index) {
      return Validation("The table does not have the specified index: " + index_name);
    }
    if (p.index->global && consistent_read) {
      return Validation("Consistent reads are not supported on global secondary indexes");
    }
  }
  p.prefix = p.index ? layout::Index(s.id, p.index->id) : layout::Items(s.id);
  p.lower = p.prefix;
  p.upper = store::PrefixEnd(p.prefix);
  if (exclusive_start_key) {
    // Exactly the table's key attributes, and the index's for an index.
    const Item& esk = *exclusive_start_key;
    auto table_key = EncodeItemKey(s.key, esk);
    auto own_key = p.index ? EncodeItemKey(p.index->key, esk) : table_key;
    std::set<std::string> names = {s.key.hash.name};
    if (s.key.range) names.insert(s.key.range->name);
    if (p.index) {
      names.insert(p.index->key.hash.name);
      if (p.index->key.range) names.insert(p.index->key.range->name);
    }
    if (!table_key || !own_key || esk.size() != names.size()) {
      return Validation(
          "The provided starting key is invalid: The provided key element does not "
          "match the schema");
    }
    p.position = p.prefix + *own_key + (p.index ? *table_key : "");
  }
  return p;
}

Result<ReadPage> TableService::ReadPageOf(const PageScope& p) const {
  const Table& t = *p.table;
  const TableSchema& s = *p.schema;
  ReadPage page;
  size_t bytes = 0;
  auto it = store_.NewIterator();
  // Both the exclusive start key and the range's upper end are exclusive.
  if (p.forward) {
    it->Seek(p.position.empty() ? p.lower : p.position);
    if (!p.position.empty() && it->Valid() && it->key() == p.position) it->Next();
  } else {
    const std::string& start = p.position.empty() ? p.upper : p.position;
    it->SeekForPrev(start);
    if (it->Valid() && it->key() == start) it->Prev();
  }
  for (; it->Valid(); p.forward ? it->Next() : it->Prev()) {
    std::string_view k = it->key();
    if (p.forward ? k >= p.upper : k < p.lower) break;
    auto item = DecodeItem(it->value());
    if (!item.ok()) return item.status();
    if (p.in_scope && !p.in_scope(*item)) continue;
    if (Expired(t, *item)) continue;
    if (p.index && p.fetch_table_items) {
      // A local index answering for attributes it does not project reads the table item.
      ASSIGN_OR_RETURN(auto full, ReadItem(t, *EncodeItemKey(s.key, *item)));
      if (full) *item = std::move(*full);
    }
    // Limit and the 1 MB count the items read, before the filter.
    ++page.scanned;
    bytes += ItemSize(*item);
    bool keep = true;
    if (p.filter) {
      ASSIGN_OR_RETURN(keep, Evaluate(*p.filter, *item));
    }
    bool last = (p.limit > 0 && page.scanned >= p.limit) || bytes >= kPageBytes;
    if (last) {
      // The table's key, and the index's for an index.
      Item lek = KeyOf(s.key, *item);
      if (p.index) {
        for (const auto& [n, v] : KeyOf(p.index->key, *item)) lek.emplace(n, v);
      }
      page.last_evaluated_key = std::move(lek);
    }
    if (keep) page.items.push_back(std::move(*item));
    if (last) break;
  }
  RETURN_IF_ERROR(it->status());
  return page;
}

Result<ReadPage> TableService::Query(const QueryRequest& q) const {
  ASSIGN_OR_RETURN(PageScope p,
                   ScopeOf(q.table, q.index, q.consistent_read, q.exclusive_start_key));
  Bounds b = QueryBounds(p.prefix, q.key_condition);
  p.lower = std::move(b.lower);
  p.upper = std::move(b.upper);
  if (!p.position.empty() && (p.position < p.lower || p.position >= p.upper)) {
    return Validation(
        "The provided starting key is outside query boundaries based on provided "
        "key conditions");
  }
  p.forward = q.forward;
  if (q.key_condition.range) {
    const RangeCondition& range = *q.key_condition.range;
    const std::string& sort_key = (p.index ? p.index->key : p.schema->key).range->name;
    p.in_scope = [&range, &sort_key](const Item& item) {
      const Value* v = Find(item, sort_key);
      return v && range.Matches(*v);
    };
  }
  p.fetch_table_items = q.fetch_table_items;
  p.filter = q.filter;
  p.limit = q.limit;
  return ReadPageOf(p);
}

Result<ReadPage> TableService::Scan(const ScanRequest& q) const {
  ASSIGN_OR_RETURN(PageScope p,
                   ScopeOf(q.table, q.index, q.consistent_read, q.exclusive_start_key));
  if (q.total_segments > 1) {
    // An item's segment follows from its partition key (the index's, on an index).
    const std::string& hash_key = (p.index ? p.index->key : p.schema->key).hash.name;
    p.in_scope = [&q, &hash_key](const Item& item) {
      const Value* h = Find(item, hash_key);
      std::string enc = h ? EncodeKey(*h) : "";
      return static_cast<int>(std::hash<std::string>{}(enc) % q.total_segments) == q.segment;
    };
  }
  p.filter = q.filter;
  p.limit = q.limit;
  return ReadPageOf(p);
}

void TableService::PersistCounters() {
  std::vector<std::shared_ptr<Table>> tables;
  {
    std::shared_lock lock(mu_);
    for (const auto& [n, t] : tables_) tables.push_back(t);
  }
  store::WriteBatch batch;
  for (const auto& t : tables) {
    int64_t items = t->items.load(), bytes = t->bytes.load();
    if (items == t->saved_items && bytes == t->saved_bytes) continue;
    std::string counter;
    layout::AppendBe64(&counter, static_cast<uint64_t>(std::max<int64_t>(0, items)));
    layout::AppendBe64(&counter, static_cast<uint64_t>(std::max<int64_t>(0, bytes)));
    batch.Put(layout::Counter(t->Schema()->id), counter);
    t->saved_items = items;
    t->saved_bytes = bytes;
  }
  if (!batch.empty()) store_.Write(batch).IgnoreError();
}

int TableService::SweepExpired() {
  PersistCounters();
  int64_t now_ms = NowEpochMillis();
  if (streams_.Trim(now_ms)) CollectGarbage();
  std::vector<std::shared_ptr<Table>> tables;
  {
    std::shared_lock lock(mu_);
    for (const auto& [n, t] : tables_) tables.push_back(t);
  }
  int removed = 0;
  for (const auto& t : tables) {
    auto s = t->Schema();
    if (!s->ttl_enabled) continue;
    std::string prefix = layout::Ttl(s->id);
    std::string end = prefix;
    layout::AppendBe64(&end, static_cast<uint64_t>(now_ms / 1000));
    std::vector<std::string> keys;
    store_
        .Scan(prefix, "",
              [&](std::string_view k, std::string_view) {
                if (k >= end) return false;
                keys.emplace_back(k.substr(prefix.size() + 8));
                return keys.size() < 1000;
              })
        .IgnoreError();
    for (const std::string& encoded : keys) {
      StreamLog::Appends appends;
      {
        std::shared_lock writers(t->writers);
        std::lock_guard stripe(t->StripeFor(encoded));
        auto old = ReadItem(*t, encoded);
        if (!old.ok() || !*old || !Expired(*t, **old)) continue;
        store::WriteBatch batch;
        if (!WriteLocked(*t, KeyOf(s->key, **old), *old, std::nullopt, true, batch, appends).ok())
          continue;
        if (!store_.Write(batch).ok()) continue;
        ++removed;
      }
      streams_.Publish(appends);
    }
  }
  return removed;
}

}  // namespace nimbus::tables
