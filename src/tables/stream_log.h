// The tables' streams: every change to a table with an enabled stream is
// recorded, under a sequence number of its own table, in the same atomic batch
// as the item (t/s/<table id>/<sequence>). The log hands out the streams
// (each stream is the records of one enable..disable period of a table, read
// as one shard), reads them, keeps a deleted table's streams readable for the
// retention period, trims older records, and tells subscribers when records
// are appended.
//
// Readers see a record only once every lower sequence number of its table is
// written or abandoned, so a reader that follows a stream from its own
// position never skips a record that a slower concurrent write was still
// committing.
//
// Ownership: the TableService owns its StreamLog and drives the write side
// (Track, Append, Publish, Retire, Trim). Everything else may read.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/platform.h"
#include "core/status.h"
#include "store/kv_store.h"
#include "tables/table_schema.h"
#include "tables/value.h"

namespace nimbus::tables {

// A stream record, as the DynamoDB Streams API and event sources see it.
struct StreamRecord {
  std::string event_id;
  std::string event_name;  // INSERT, MODIFY, REMOVE
  uint64_t sequence = 0;
  int64_t created_ms = 0;
  Item keys;
  std::optional<Item> new_image;
  std::optional<Item> old_image;
  size_t size_bytes = 0;
  bool by_ttl = false;  // removed by the TTL sweeper (userIdentity: dynamodb.amazonaws.com)
};

// One stream of a table (live, or deleted with its streams kept).
struct StreamDescription {
  std::string table;
  StreamInfo info;
  std::string arn;
  std::string shard_id;
  uint64_t first_sequence = 0;  // of records still kept
  uint64_t last_sequence = 0;   // 0 when the stream has no records
  uint64_t next_sequence = 0;   // what the next record will get (LATEST)
  KeySchema key;                // the table's
  bool open = true;
};

class StreamSubscription;  // stream_subscription.h
struct TableStream;        // these three: table_internal.h
struct StreamSnapshot;

class StreamLog {
 public:
  // One table's stream state: its schema as the streams see it, its sequence
  // counter, the sequences being written and the subscribers.
  using Source = TableStream;

  StreamLog(store::KvStore& store, Platform platform, std::chrono::hours retention);
  ~StreamLog();

  // --- readers ---
  // Every stream of `table` (every table's when empty): live tables' by name,
  // then deleted tables' kept streams.
  std::vector<StreamDescription> List(const std::string& table) const;
  Result<StreamDescription> Describe(const std::string& arn) const;
  // arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>
  std::string Arn(const std::string& table, const std::string& label) const;
  // Records of the stream `arn` with sequence >= `from`, at most `limit`.
  Result<std::vector<StreamRecord>> Read(const std::string& arn, uint64_t from, int limit) const;
  // Follows the stream `arn` from sequence `from` (0: its oldest record
  // kept; Describe's next_sequence: only what comes next). `on_append` may
  // be empty (a reader that polls). See StreamSubscription
  // (stream_subscription.h) for the hook's thread.
  Result<std::unique_ptr<StreamSubscription>> Subscribe(const std::string& arn, uint64_t from,
                                                        std::function<void()> on_append);

  // --- the table service's side ---
  // Loads the deleted tables whose streams are still kept.
  Status Open();
  // Starts following a live table: at load, or when it is created. The table
  // keeps the result and passes it to Append.
  std::shared_ptr<Source> Track(std::shared_ptr<const TableSchema> schema);
  // The table's schema changed (its streams, for one).
  void SetSchema(Source& source, std::shared_ptr<const TableSchema> schema);
  // What the table's next record will get (where a new stream starts).
  uint64_t NextSequence(Source& source) const;

  // The sequence numbers reserved by one write batch. Destroying it without
  // Publish abandons them (the batch was not written).
  class Appends {
   public:
    Appends() = default;
    ~Appends();
    Appends(const Appends&) = delete;
    Appends& operator=(const Appends&) = delete;
    bool empty() const { return reserved_.empty(); }

   private:
    friend class StreamLog;
    std::vector<std::pair<std::shared_ptr<Source>, uint64_t>> reserved_;
  };
  // Records a change of a table whose stream `stream` is enabled: adds the
  // record (images as the stream's view asks) to `batch` under the table's
  // next sequence number, reserved in `appends`.
  void Append(const std::shared_ptr<Source>& source, const StreamInfo& stream, StreamRecord record,
              store::WriteBatch& batch, Appends& appends);
  // After `appends`' batch is written and its locks released: makes the
  // records readable and calls the subscribers' hooks, on this thread.
  void Publish(Appends& appends);

  // Deleting a table: adds to `batch` what keeps its streams readable,
  // closed, for the retention period (or marks its records for collection
  // when it has none) and returns the schema they are kept under (nullptr
  // when none). Once the batch is written, Retired() records it.
  std::shared_ptr<const TableSchema> Retire(const TableSchema& schema, int64_t now_ms,
                                            store::WriteBatch& batch) const;
  void Retired(const std::shared_ptr<Source>& source, std::shared_ptr<const TableSchema> kept);
  // Drops records older than the retention period and deleted tables whose
  // retention has passed. True when it left key ranges for the garbage
  // collector.
  bool Trim(int64_t now_ms);

 private:
  friend class StreamSubscription;
  // The tables named `table` (every table when empty), in List's order.
  std::vector<StreamSnapshot> Snapshots(const std::string& table) const;
  StreamDescription Describe(const StreamSnapshot& snap, size_t index) const;
  // The table holding the stream `arn`, and the stream's index in its schema.
  Result<std::pair<StreamSnapshot, size_t>> Find(const std::string& arn) const;
  // Stream `index`'s readable records from `from` on.
  Result<std::vector<StreamRecord>> ReadFrom(const StreamSnapshot& snap, size_t index,
                                             uint64_t from, int limit) const;
  std::shared_ptr<Source> Load(std::shared_ptr<const TableSchema> schema);

  store::KvStore& store_;
  const Platform platform_;
  const std::chrono::hours retention_;
  mutable std::mutex mu_;                                   // guards sources_
  std::map<std::string, std::shared_ptr<Source>> sources_;  // by table id
};

}  // namespace nimbus::tables
