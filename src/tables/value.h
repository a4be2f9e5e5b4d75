// Value: one attribute value of a table item, of any of DynamoDB's ten types,
// and Item, an item's attributes by name. Values are plain data with deep copy
// semantics; any thread may use a Value it owns.
//
// Invariants kept by the constructors: sets hold their elements sorted and
// without duplicates (string and binary sets by unsigned bytes, number sets
// numerically), so that equal sets are equal element by element; maps are
// ordered by name. Equality compares types and contents, numbers numerically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tables/number.h"

namespace nimbus::tables {

enum class ValueType : uint8_t { kS, kN, kB, kBool, kNull, kM, kL, kSS, kNS, kBS };

// DynamoDB's type tag: "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
const char* TypeName(ValueType type);
std::optional<ValueType> TypeFromName(std::string_view name);

class Value {
 public:
  using Map = std::map<std::string, Value, std::less<>>;
  using List = std::vector<Value>;

  Value() = default;  // NULL

  static Value S(std::string text);
  static Value N(Decimal number);
  static Value B(std::string bytes);
  static Value Bool(bool b);
  static Value Null() { return Value(); }
  static Value M(Map map);
  static Value L(List list);
  // Sets sort their elements and drop duplicates. An empty set may exist as
  // an intermediate result; it is never a valid stored value.
  static Value SS(std::vector<std::string> elements);
  static Value NS(std::vector<Decimal> elements);
  static Value BS(std::vector<std::string> elements);

  ValueType type() const { return type_; }
  const char* TypeName() const { return tables::TypeName(type_); }
  bool is(ValueType t) const { return type_ == t; }
  bool IsSet() const;

  // Accessors; calling one for another type is a programming error.
  const std::string& s() const;  // S
  const std::string& b() const;  // B
  const Decimal& n() const;      // N
  bool boolean() const;          // BOOL
  const Map& m() const;
  Map& m();
  const List& l() const;
  List& l();
  const std::vector<std::string>& strings() const;  // SS or BS, sorted
  const std::vector<Decimal>& numbers() const;      // NS, ascending
  size_t SetSize() const;                           // SS, NS or BS

  bool operator==(const Value& other) const;

 private:
  using Data = std::variant<std::monostate, bool, std::string, Decimal, Map, List,
                            std::vector<std::string>, std::vector<Decimal>>;
  Value(ValueType type, Data data) : type_(type), data_(std::move(data)) {}

  ValueType type_ = ValueType::kNull;
  Data data_;
};

using Item = Value::Map;

// Set algebra on two sets of the same type (a programming error otherwise).
bool SetContains(const Value& set, const Value& element);  // element of the set's scalar type
Value SetUnion(const Value& a, const Value& b);
Value SetDifference(const Value& a, const Value& b);

// Sizes as DynamoDB counts them toward the 400 KB item limit: the UTF-8 bytes
// of each attribute name plus its value's size (strings by UTF-8 bytes,
// binaries by bytes, numbers by Decimal::StorageSize, BOOL and NULL 1 byte,
// lists and maps 3 bytes plus 1 per element plus the elements, map keys
// included, sets the sum of their elements). The limit check is the caller's.
size_t ValueSize(const Value& value);
size_t ItemSize(const Item& item);

// Nesting depth: 1 for a scalar or a set, 1 + the deepest element for a list
// or a map.
size_t NestingDepth(const Value& value);

}  // namespace nimbus::tables
