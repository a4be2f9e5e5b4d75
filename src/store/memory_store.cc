// KvStore in memory, for unit tests. Iterators see a copy taken at creation.
#include <map>
#include <mutex>

#include "store/kv_store.h"

namespace nimbus::store {
namespace {

using Map = std::map<std::string, std::string, std::less<>>;

class MemoryIterator : public Iterator {
 public:
  explicit MemoryIterator(Map snapshot) : map_(std::move(snapshot)), it_(map_.end()) {}
  void Seek(std::string_view key) override { it_ = map_.lower_bound(key); }
  void SeekForPrev(std::string_view key) override {
    it_ = map_.upper_bound(key);
    if (it_ == map_.begin()) {
      it_ = map_.end();
    } else {
      --it_;
    }
  }
  bool Valid() const override { return it_ != map_.end(); }
  void Next() override { ++it_; }
  void Prev() override {
    if (it_ == map_.begin()) {
      it_ = map_.end();
    } else {
      --it_;
    }
  }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }
  Status status() const override { return Status::Ok(); }

 private:
  Map map_;
  Map::iterator it_;
};

class MemoryStore : public KvStore {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) override {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Write(const WriteBatch& batch, bool) override {
    std::lock_guard lock(mu_);
    for (const auto& op : batch.ops()) {
      if (op.is_delete) {
        map_.erase(op.key);
      } else {
        map_[op.key] = op.value;
      }
    }
    return Status::Ok();
  }
  std::unique_ptr<Iterator> NewIterator() override {
    std::lock_guard lock(mu_);
    return std::make_unique<MemoryIterator>(map_);
  }

 private:
  std::mutex mu_;
  Map map_;
};

}  // namespace

std::unique_ptr<KvStore> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace nimbus::store
