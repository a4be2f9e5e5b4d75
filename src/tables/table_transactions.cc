// TableService::TransactWrite: every action checked, then all written in one
// batch under every item's lock, or none; client tokens make retries no-ops.
#include <algorithm>
#include <set>

#include "core/crypto.h"
#include "core/time.h"
#include "tables/item_codec.h"
#include "tables/table_internal.h"
#include "tables/table_service.h"

namespace nimbus::tables {

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

}  // namespace nimbus::tables
