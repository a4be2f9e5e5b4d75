// The one ordered key-value engine interface every service keeps its state
// through. Keys are byte strings ordered bytewise; each service owns a key
// prefix, listed in store/keyspace.h. A WriteBatch is applied atomically.
// RocksDB is the embedded implementation; an in-memory one serves unit
// tests. A distributed backend plugs in here later; nothing above may assume
// one process.
//
// Ownership: the server opens one store and owns it; every service borrows
// it and must be destroyed first. An Iterator belongs to its caller and must
// not outlive the store.
//
// Threads: a KvStore may be called from any thread, concurrently; it locks
// internally (RocksDB's own concurrency; a mutex in the memory store). Every
// call may block on disk, Write with `sync` until an fsync: keep it off
// threads that must not wait (the log store writes from a thread of its own).
// A WriteBatch or an Iterator is used by one thread at a time. An Iterator
// sees the store as it was when created: later writes do not show.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace nimbus::store {

class WriteBatch {
 public:
  struct Op {
    bool is_delete;
    std::string key;
    std::string value;
  };

  void Put(std::string_view key, std::string_view value) {
    ops_.push_back({false, std::string(key), std::string(value)});
  }
  // Put without copying: takes the strings over.
  void PutOwned(std::string&& key, std::string&& value) {
    ops_.push_back({false, std::move(key), std::move(value)});
  }
  void Delete(std::string_view key) { ops_.push_back({true, std::string(key), {}}); }
  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }

 private:
  std::vector<Op> ops_;
};

// Iterates keys in order. Invalid after the store it came from is destroyed.
class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual void Seek(std::string_view key) = 0;          // first key >= key
  virtual void SeekForPrev(std::string_view key) = 0;   // last key <= key
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

class KvStore {
 public:
  virtual ~KvStore() = default;
  virtual Result<std::optional<std::string>> Get(std::string_view key) = 0;
  // Applies every operation or none. With `sync`, returns only after the
  // batch is on stable storage; without it, after it survives a process crash.
  virtual Status Write(const WriteBatch& batch, bool sync = false) = 0;
  virtual std::unique_ptr<Iterator> NewIterator() = 0;

  Status Put(std::string_view key, std::string_view value, bool sync = false);
  Status Delete(std::string_view key, bool sync = false);
  // Calls `fn(key, value)` for each key starting with `prefix`, in order,
  // beginning at `start` (or the prefix) until fn returns false.
  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& fn);
};

// Opens (creating if needed) a RocksDB database in `dir`.
Result<std::unique_ptr<KvStore>> OpenRocksDb(const std::string& dir);
std::unique_ptr<KvStore> NewMemoryStore();

// The smallest key greater than every key starting with `prefix`; empty when
// there is none (prefix of all 0xff).
std::string PrefixEnd(std::string_view prefix);

}  // namespace nimbus::store
