#include "tables/path.h"

namespace nimbus::tables {

std::strong_ordering PathElement::operator<=>(const PathElement& other) const {
  if (is_index != other.is_index)
    return is_index ? std::strong_ordering::greater : std::strong_ordering::less;
  if (is_index) return index <=> other.index;
  int c = name.compare(other.name);
  return c < 0 ? std::strong_ordering::less
               : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

std::string PathToString(const Path& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += ", ";
    if (path[i].is_index) {
      out += "[" + std::to_string(path[i].index) + "]";
    } else {
      out += path[i].name;
    }
  }
  out += "]";
  return out;
}

namespace {

template <typename V>
V* Step(V* current, const PathElement& element) {
  if (element.is_index) {
    if (!current->is(ValueType::kL) || element.index >= current->l().size()) return nullptr;
    return &current->l()[element.index];
  }
  if (!current->is(ValueType::kM)) return nullptr;
  auto it = current->m().find(element.name);
  return it == current->m().end() ? nullptr : &it->second;
}

template <typename I, typename V>
V* Find(I* item, const Path& path) {
  if (path.empty() || path[0].is_index) return nullptr;
  auto it = item->find(path[0].name);
  if (it == item->end()) return nullptr;
  V* current = &it->second;
  for (size_t i = 1; i < path.size() && current != nullptr; ++i) current = Step(current, path[i]);
  return current;
}

}  // namespace

const Value* FindPath(const Item& item, const Path& path) {
  return Find<const Item, const Value>(&item, path);
}

Value* FindPath(Item* item, const Path& path) {
  return Find<Item, Value>(item, path);
}

}  // namespace nimbus::tables
