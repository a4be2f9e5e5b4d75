// The table service's background work, run by its sweeper thread (and by
// tests directly): expiring items whose TTL has passed, trimming streams,
// saving item counters, and deleting the data of dropped tables and indexes.
#include <algorithm>

#include "core/time.h"
#include "tables/table_internal.h"
#include "tables/table_service.h"

namespace nimbus::tables {

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
