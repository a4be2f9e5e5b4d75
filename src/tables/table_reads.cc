// The table service's reads: GetItem, and the page loop Query and Scan share.
#include <functional>
#include <set>

#include "tables/item_codec.h"
#include "tables/key_codec.h"
#include "tables/table_internal.h"
#include "tables/table_service.h"

namespace nimbus::tables {
namespace {

constexpr size_t kPageBytes = 1024 * 1024;  // a Query or Scan page reads at most this much

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
      const Value* v = FindAttribute(item, sort_key);
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
      const Value* h = FindAttribute(item, hash_key);
      std::string enc = h ? EncodeKey(*h) : "";
      return static_cast<int>(std::hash<std::string>{}(enc) % q.total_segments) == q.segment;
    };
  }
  p.filter = q.filter;
  p.limit = q.limit;
  return ReadPageOf(p);
}

}  // namespace nimbus::tables
