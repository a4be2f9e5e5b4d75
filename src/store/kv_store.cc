#include "store/kv_store.h"

namespace nimbus::store {

Status KvStore::Put(std::string_view key, std::string_view value, bool sync) {
  WriteBatch b;
  b.Put(key, value);
  return Write(b, sync);
}

Status KvStore::Delete(std::string_view key, bool sync) {
  WriteBatch b;
  b.Delete(key);
  return Write(b, sync);
}

Status KvStore::Scan(std::string_view prefix, std::string_view start,
                     const std::function<bool(std::string_view, std::string_view)>& fn) {
  auto it = NewIterator();
  it->Seek(start.empty() ? prefix : start);
  for (; it->Valid(); it->Next()) {
    if (!it->key().starts_with(prefix)) break;
    if (!fn(it->key(), it->value())) break;
  }
  return it->status();
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

}  // namespace nimbus::store
