// The table service: DynamoDB's data model on the ordered key-value store.
// Tables, items, global and local secondary indexes (kept in the same atomic
// batch as the item), streams (every change recorded in that batch too, kept
// by its StreamLog), TTL, batches and transactions. It validates keys and
// items with DynamoDB's rules and messages but knows nothing of JSON or HTTP:
// the DynamoDB frontend translates.
//
// Lifecycle: construct over a store that outlives it, Open() once before any
// other call; the destructor stops the sweeper and saves the item counters.
// Every StreamSubscription must be destroyed before the service.
//
// Threads: every method may be called from any thread. Writes to one item are
// serialised by striped locks, control-plane changes by one mutex; reads do
// not lock. The service's own sweeper thread expires TTL items, trims streams,
// saves counters and deletes dropped data. Stream subscribers' hooks run on
// the thread whose write appended the records (the sweeper's, for TTL
// deletions), after that write's locks are released.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/platform.h"
#include "core/status.h"
#include "store/kv_store.h"
#include "tables/expression.h"
#include "tables/stream_log.h"
#include "tables/stream_subscription.h"
#include "tables/table_schema.h"
#include "tables/value.h"

namespace nimbus::tables {

struct TableStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

// What a write did: the item before and after (either may be absent), or
// that its condition failed (then nothing was written).
struct WriteOutcome {
  bool condition_failed = false;
  std::optional<Item> old_item;
  std::optional<Item> new_item;
  std::vector<Path> updated_paths;  // UpdateItem's target paths
};

struct QueryRequest {
  std::string table;
  std::string index;  // empty: the table itself
  KeyCondition key_condition;
  const Condition* filter = nullptr;
  bool forward = true;
  int limit = 0;  // 0: no limit (the 1 MB page still applies)
  std::optional<Item> exclusive_start_key;
  bool consistent_read = false;
  bool fetch_table_items = false;  // index queries: return the table's whole items
};

struct ScanRequest {
  std::string table;
  std::string index;
  const Condition* filter = nullptr;
  int limit = 0;
  std::optional<Item> exclusive_start_key;
  int segment = 0;
  int total_segments = 1;
  bool consistent_read = false;
};

struct ReadPage {
  std::vector<Item> items;  // after the filter
  int64_t scanned = 0;      // items evaluated
  std::optional<Item> last_evaluated_key;
};

struct TransactAction {
  enum class Kind { kPut, kUpdate, kDelete, kConditionCheck };
  Kind kind = Kind::kPut;
  std::string table;
  Item item;  // the item for kPut, the key otherwise
  std::optional<Condition> condition;
  std::optional<UpdatePlan> update;
};

struct TransactOutcome {
  bool cancelled = false;
  // Per action (when cancelled): "None" or "ConditionalCheckFailed", and the
  // item as it was (for ReturnValuesOnConditionCheckFailure).
  std::vector<std::string> reasons;
  std::vector<std::optional<Item>> items;
};

struct TableServiceOptions {
  std::string region{kDefaultRegion};
  std::string account_id{kDefaultAccountId};
  std::chrono::milliseconds ttl_sweep_interval{10000};
  std::chrono::hours stream_retention{24};
};

class TableService {
 public:
  TableService(store::KvStore& store, TableServiceOptions options = {});
  ~TableService();

  // Loads every table and starts the sweeper thread.
  Status Open();

  // --- tables ---
  Result<TableSchema> CreateTable(TableSchema schema);
  Result<TableSchema> DescribeTable(const std::string& name) const;
  // Names in order, starting after `start`; `more` tells whether the page was cut.
  std::vector<std::string> ListTables(const std::string& start, int limit, bool* more) const;
  Result<TableSchema> DeleteTable(const std::string& name);
  // Adds/removes one GSI, changes throughput/billing, enables/disables the stream.
  struct TableUpdate {
    std::optional<std::string> billing_mode;
    std::optional<std::pair<int64_t, int64_t>> throughput;
    std::map<std::string, ValueType> attribute_definitions;
    std::optional<IndexSchema> create_index;
    std::optional<std::string> delete_index;
    std::optional<std::pair<std::string, std::pair<int64_t, int64_t>>> update_index;
    std::optional<bool> stream_enabled;
    std::optional<StreamViewType> stream_view;
  };
  Result<TableSchema> UpdateTable(const std::string& name, const TableUpdate& update);
  Result<TableSchema> UpdateTimeToLive(const std::string& name, bool enabled,
                                       const std::string& attribute);
  Result<TableSchema> UpdateTags(const std::string& name,
                                 const std::map<std::string, std::string>& add,
                                 const std::vector<std::string>& remove);
  TableStats Stats(const std::string& name) const;
  std::string TableArn(const std::string& name) const;

  // --- items ---
  // Checks that `key` has exactly the table's key attributes with their types.
  Status ValidateKey(const TableSchema& schema, const Item& key) const;
  Result<std::optional<Item>> GetItem(const std::string& table, const Item& key) const;
  Result<WriteOutcome> PutItem(const std::string& table, Item item, const Condition* condition);
  Result<WriteOutcome> UpdateItem(const std::string& table, const Item& key,
                                  const UpdatePlan* update, const Condition* condition);
  Result<WriteOutcome> DeleteItem(const std::string& table, const Item& key,
                                  const Condition* condition);
  Result<ReadPage> Query(const QueryRequest& request) const;
  Result<ReadPage> Scan(const ScanRequest& request) const;
  // Unconditional writes applied one by one (BatchWriteItem).
  Status BatchWrite(const std::vector<std::pair<std::string, std::pair<bool, Item>>>& writes);
  // All or nothing. `token` makes a retry of the same request (`digest`
  // identifies it) within 10 minutes a no-op.
  Result<TransactOutcome> TransactWrite(std::vector<TransactAction> actions,
                                        const std::string& token,
                                        const std::string& digest = {});

  // --- streams (StreamLog has the rest: subscriptions) ---
  using StreamDescription = tables::StreamDescription;
  std::vector<StreamDescription> ListStreams(const std::string& table) const {
    return streams_.List(table);
  }
  Result<StreamDescription> DescribeStream(const std::string& arn) const {
    return streams_.Describe(arn);
  }
  std::string StreamArn(const std::string& table, const std::string& label) const {
    return streams_.Arn(table, label);
  }
  // Records of the stream `arn` with sequence >= `from`, at most `limit`.
  Result<std::vector<StreamRecord>> ReadStream(const std::string& arn, uint64_t from,
                                               int limit) const {
    return streams_.Read(arn, from, limit);
  }
  // The tables' streams, for readers that follow them (event sources).
  StreamLog& streams() { return streams_; }

  // Runs one TTL sweep now (tests; the sweeper calls it periodically).
  int SweepExpired();
  // Saves item counts and sizes (the sweeper does it periodically, and at close).
  void PersistCounters();
  // Deletes the data of dropped tables and indexes now (tests; the sweeper
  // does it in the background). Returns the number of keys removed.
  int CollectGarbage();

 private:
  struct Table;  // table_internal.h

  std::shared_ptr<Table> FindTable(const std::string& name) const;
  Status CheckItem(const Table& t, const Item& item) const;
  // Whether `item`'s TTL has passed: it reads as absent until the sweeper
  // deletes it.
  bool Expired(const Table& t, const Item& item) const;
  // Adds one item's change to `batch`, its stripe held: the item, its index
  // and TTL entries, the counters, and the stream record (in `appends`).
  Status WriteLocked(Table& t, const Item& key, const std::optional<Item>& old_item,
                     const std::optional<Item>& new_item, bool by_ttl, store::WriteBatch& batch,
                     StreamLog::Appends& appends);
  Result<std::optional<Item>> ReadItem(const Table& t, const std::string& encoded_key) const;
  // Computes a write's new item from the stored one (in `out.old_item`):
  // sets `next` (absent deletes the item) and may fill `out`'s other fields.
  using ItemChange = std::function<Status(const TableSchema& schema, WriteOutcome& out,
                                          std::optional<Item>& next)>;
  // One single-item write, as PutItem, UpdateItem and DeleteItem make it:
  // with the item's lock held, reads the stored item, checks `condition`
  // against it, applies `change`, and writes the result with its index, TTL
  // and stream entries in one batch. A result equal to the stored item
  // writes nothing. `key` holds at least the item's key attributes.
  Result<WriteOutcome> MutateItem(Table& t, const Item& key, const Condition* condition,
                                  const ItemChange& change);
  // Query and Scan: one page loop over the key range they choose.
  struct PageScope;
  // The table or index a page reads, its whole key range, and the exclusive
  // start key's position in it (checked against the schema).
  Result<PageScope> ScopeOf(const std::string& table, const std::string& index,
                            bool consistent_read,
                            const std::optional<Item>& exclusive_start_key) const;
  Result<ReadPage> ReadPageOf(const PageScope& scope) const;
  void AddTableGarbage(const std::string& id, store::WriteBatch& batch);
  void WakeSweeper();
  void SweeperLoop();

  store::KvStore& store_;
  TableServiceOptions options_;
  StreamLog streams_;
  mutable std::shared_mutex mu_;  // guards tables_
  std::map<std::string, std::shared_ptr<Table>> tables_;
  std::mutex control_mu_;  // serialises control-plane changes
  std::mutex tokens_mu_;
  std::map<std::string, std::pair<std::string, int64_t>> tokens_;  // token -> (digest, time)
  std::atomic<bool> stop_{false};
  std::mutex sweeper_mu_;
  std::condition_variable sweeper_cv_;
  bool garbage_pending_ = false;  // guarded by sweeper_mu_
  std::thread sweeper_;
};

}  // namespace nimbus::tables
