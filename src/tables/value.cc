#include "tables/value.h"

#include <algorithm>
#include <cassert>
#include <iterator>

namespace nimbus::tables {
namespace {

constexpr const char* kTypeNames[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};

// Sorts by unsigned bytes (std::string's ordering) and drops duplicates.
void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

const char* TypeName(ValueType type) {
  return kTypeNames[static_cast<size_t>(type)];
}

std::optional<ValueType> TypeFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kTypeNames); ++i) {
    if (name == kTypeNames[i]) return static_cast<ValueType>(i);
  }
  return std::nullopt;
}

Value Value::S(std::string text) {
  return Value(ValueType::kS, std::move(text));
}
Value Value::N(Decimal number) {
  return Value(ValueType::kN, number);
}
Value Value::B(std::string bytes) {
  return Value(ValueType::kB, std::move(bytes));
}
Value Value::Bool(bool b) {
  return Value(ValueType::kBool, b);
}
Value Value::M(Map map) {
  return Value(ValueType::kM, std::move(map));
}
Value Value::L(List list) {
  return Value(ValueType::kL, std::move(list));
}

Value Value::SS(std::vector<std::string> elements) {
  SortUnique(&elements);
  return Value(ValueType::kSS, std::move(elements));
}

Value Value::BS(std::vector<std::string> elements) {
  SortUnique(&elements);
  return Value(ValueType::kBS, std::move(elements));
}

Value Value::NS(std::vector<Decimal> elements) {
  std::sort(elements.begin(), elements.end());
  elements.erase(std::unique(elements.begin(), elements.end()), elements.end());
  return Value(ValueType::kNS, std::move(elements));
}

bool Value::IsSet() const {
  return type_ == ValueType::kSS || type_ == ValueType::kNS || type_ == ValueType::kBS;
}

const std::string& Value::s() const {
  assert(type_ == ValueType::kS);
  return std::get<std::string>(data_);
}
const std::string& Value::b() const {
  assert(type_ == ValueType::kB);
  return std::get<std::string>(data_);
}
const Decimal& Value::n() const {
  return std::get<Decimal>(data_);
}
bool Value::boolean() const {
  return std::get<bool>(data_);
}
const Value::Map& Value::m() const {
  return std::get<Map>(data_);
}
Value::Map& Value::m() {
  return std::get<Map>(data_);
}
const Value::List& Value::l() const {
  return std::get<List>(data_);
}
Value::List& Value::l() {
  return std::get<List>(data_);
}
const std::vector<std::string>& Value::strings() const {
  return std::get<std::vector<std::string>>(data_);
}
const std::vector<Decimal>& Value::numbers() const {
  return std::get<std::vector<Decimal>>(data_);
}

size_t Value::SetSize() const {
  return type_ == ValueType::kNS ? numbers().size() : strings().size();
}

bool Value::operator==(const Value& other) const {
  // Every representation is canonical (sorted sets, normalised numbers), so
  // structural equality is the semantic one.
  return type_ == other.type_ && data_ == other.data_;
}

bool SetContains(const Value& set, const Value& element) {
  switch (set.type()) {
    case ValueType::kSS:
      return element.is(ValueType::kS) &&
             std::binary_search(set.strings().begin(), set.strings().end(), element.s());
    case ValueType::kBS:
      return element.is(ValueType::kB) &&
             std::binary_search(set.strings().begin(), set.strings().end(), element.b());
    case ValueType::kNS:
      return element.is(ValueType::kN) &&
             std::binary_search(set.numbers().begin(), set.numbers().end(), element.n());
    default:
      return false;
  }
}

Value SetUnion(const Value& a, const Value& b) {
  assert(a.type() == b.type() && a.IsSet());
  if (a.is(ValueType::kNS)) {
    std::vector<Decimal> out;
    std::set_union(a.numbers().begin(), a.numbers().end(), b.numbers().begin(), b.numbers().end(),
                   std::back_inserter(out));
    return Value::NS(std::move(out));
  }
  std::vector<std::string> out;
  std::set_union(a.strings().begin(), a.strings().end(), b.strings().begin(), b.strings().end(),
                 std::back_inserter(out));
  return a.is(ValueType::kSS) ? Value::SS(std::move(out)) : Value::BS(std::move(out));
}

Value SetDifference(const Value& a, const Value& b) {
  assert(a.type() == b.type() && a.IsSet());
  if (a.is(ValueType::kNS)) {
    std::vector<Decimal> out;
    std::set_difference(a.numbers().begin(), a.numbers().end(), b.numbers().begin(),
                        b.numbers().end(), std::back_inserter(out));
    return Value::NS(std::move(out));
  }
  std::vector<std::string> out;
  std::set_difference(a.strings().begin(), a.strings().end(), b.strings().begin(),
                      b.strings().end(), std::back_inserter(out));
  return a.is(ValueType::kSS) ? Value::SS(std::move(out)) : Value::BS(std::move(out));
}

size_t ValueSize(const Value& value) {
  switch (value.type()) {
    case ValueType::kS:
      return value.s().size();
    case ValueType::kB:
      return value.b().size();
    case ValueType::kN:
      return value.n().StorageSize();
    case ValueType::kBool:
    case ValueType::kNull:
      return 1;
    case ValueType::kSS:
    case ValueType::kBS: {
      size_t total = 0;
      for (const std::string& s : value.strings()) total += s.size();
      return total;
    }
    case ValueType::kNS: {
      size_t total = 0;
      for (const Decimal& d : value.numbers()) total += d.StorageSize();
      return total;
    }
    case ValueType::kL: {
      size_t total = 3;
      for (const Value& v : value.l()) total += 1 + ValueSize(v);
      return total;
    }
    case ValueType::kM: {
      size_t total = 3;
      for (const auto& [name, v] : value.m()) total += 1 + name.size() + ValueSize(v);
      return total;
    }
  }
  return 0;
}

size_t ItemSize(const Item& item) {
  size_t total = 0;
  for (const auto& [name, v] : item) total += name.size() + ValueSize(v);
  return total;
}

size_t NestingDepth(const Value& value) {
  size_t deepest = 0;
  if (value.is(ValueType::kL)) {
    for (const Value& v : value.l()) deepest = std::max(deepest, NestingDepth(v));
  } else if (value.is(ValueType::kM)) {
    for (const auto& [name, v] : value.m()) deepest = std::max(deepest, NestingDepth(v));
  }
  return 1 + deepest;
}

}  // namespace nimbus::tables
