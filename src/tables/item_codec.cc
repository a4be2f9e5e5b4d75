#include "tables/item_codec.h"

#include <cstdint>

namespace nimbus::tables {
namespace {

constexpr uint8_t kVersion = 1;
// Stored items nest at most 32 levels; anything deeper is corrupt, and the
// bound keeps the recursive decoder's stack small.
constexpr int kMaxDepth = 64;

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutBytes(std::string_view bytes, std::string* out) {
  PutVarint(bytes.size(), out);
  out->append(bytes);
}

void PutValue(const Value& v, std::string* out) {
  out->push_back(static_cast<char>(static_cast<uint8_t>(v.type()) + 1));
  switch (v.type()) {
    case ValueType::kS:
      PutBytes(v.s(), out);
      break;
    case ValueType::kB:
      PutBytes(v.b(), out);
      break;
    case ValueType::kN:
      v.n().AppendOrderedBytes(out);
      break;
    case ValueType::kBool:
      out->push_back(v.boolean() ? 1 : 0);
      break;
    case ValueType::kNull:
      break;
    case ValueType::kM:
      PutVarint(v.m().size(), out);
      for (const auto& [name, child] : v.m()) {
        PutBytes(name, out);
        PutValue(child, out);
      }
      break;
    case ValueType::kL:
      PutVarint(v.l().size(), out);
      for (const Value& child : v.l()) PutValue(child, out);
      break;
    case ValueType::kSS:
    case ValueType::kBS:
      PutVarint(v.strings().size(), out);
      for (const std::string& s : v.strings()) PutBytes(s, out);
      break;
    case ValueType::kNS:
      PutVarint(v.numbers().size(), out);
      for (const Decimal& d : v.numbers()) d.AppendOrderedBytes(out);
      break;
  }
}

class Reader {
 public:
  explicit Reader(std::string_view data) : in_(data) {}

  bool done() const { return in_.empty(); }

  Status Corrupt(const char* what) const {
    return Internal(std::string("corrupt stored item: ") + what);
  }

  Result<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return Corrupt("truncated varint");
      uint8_t b = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      if (shift == 63 && b > 1) return Corrupt("varint overflow");
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Corrupt("varint too long");
  }

  // A count of elements that each take at least one byte: larger than what
  // is left means corruption, which also bounds any reservation.
  Result<size_t> Count() {
    ASSIGN_OR_RETURN(uint64_t n, Varint());
    if (n > in_.size()) return Corrupt("count exceeds data");
    return static_cast<size_t>(n);
  }

  Result<std::string> Bytes() {
    ASSIGN_OR_RETURN(uint64_t n, Varint());
    if (n > in_.size()) return Corrupt("length exceeds data");
    std::string out(in_.substr(0, static_cast<size_t>(n)));
    in_.remove_prefix(static_cast<size_t>(n));
    return out;
  }

  Result<uint8_t> Byte() {
    if (in_.empty()) return Corrupt("truncated");
    uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return b;
  }

  Result<Decimal> Number() {
    auto d = Decimal::DecodeOrderedBytes(&in_);
    if (!d.ok()) return Corrupt("bad number");
    return d;
  }

  // Map entries in strictly increasing name order, as EncodeItem writes them.
  Result<Item> Entries(int depth) {
    ASSIGN_OR_RETURN(size_t n, Count());
    Item map;
    for (size_t i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(std::string name, Bytes());
      if (!map.empty() && !(map.rbegin()->first < name)) return Corrupt("unordered names");
      ASSIGN_OR_RETURN(Value v, ReadValue(depth + 1));
      map.emplace_hint(map.end(), std::move(name), std::move(v));
    }
    return map;
  }

  Result<Value> ReadValue(int depth) {
    if (depth > kMaxDepth) return Corrupt("nested too deeply");
    ASSIGN_OR_RETURN(uint8_t tag, Byte());
    if (tag == 0 || tag > static_cast<uint8_t>(ValueType::kBS) + 1) return Corrupt("bad type");
    switch (static_cast<ValueType>(tag - 1)) {
      case ValueType::kS: {
        ASSIGN_OR_RETURN(std::string s, Bytes());
        return Value::S(std::move(s));
      }
      case ValueType::kB: {
        ASSIGN_OR_RETURN(std::string b, Bytes());
        return Value::B(std::move(b));
      }
      case ValueType::kN: {
        ASSIGN_OR_RETURN(Decimal d, Number());
        return Value::N(d);
      }
      case ValueType::kBool: {
        ASSIGN_OR_RETURN(uint8_t b, Byte());
        if (b > 1) return Corrupt("bad boolean");
        return Value::Bool(b == 1);
      }
      case ValueType::kNull:
        return Value::Null();
      case ValueType::kM: {
        ASSIGN_OR_RETURN(Item map, Entries(depth));
        return Value::M(std::move(map));
      }
      case ValueType::kL: {
        ASSIGN_OR_RETURN(size_t n, Count());
        Value::List list;
        list.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          ASSIGN_OR_RETURN(Value v, ReadValue(depth + 1));
          list.push_back(std::move(v));
        }
        return Value::L(std::move(list));
      }
      case ValueType::kSS:
      case ValueType::kBS: {
        ASSIGN_OR_RETURN(size_t n, Count());
        if (n == 0) return Corrupt("empty set");
        std::vector<std::string> elements;
        elements.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          ASSIGN_OR_RETURN(std::string s, Bytes());
          if (!elements.empty() && !(elements.back() < s)) return Corrupt("unordered set");
          elements.push_back(std::move(s));
        }
        return tag - 1 == static_cast<uint8_t>(ValueType::kSS) ? Value::SS(std::move(elements))
                                                               : Value::BS(std::move(elements));
      }
      case ValueType::kNS: {
        ASSIGN_OR_RETURN(size_t n, Count());
        if (n == 0) return Corrupt("empty set");
        std::vector<Decimal> elements;
        elements.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          ASSIGN_OR_RETURN(Decimal d, Number());
          if (!elements.empty() && !(elements.back() < d)) return Corrupt("unordered set");
          elements.push_back(d);
        }
        return Value::NS(std::move(elements));
      }
    }
    return Corrupt("bad type");
  }

 private:
  std::string_view in_;
};

}  // namespace

std::string EncodeItem(const Item& item) {
  std::string out;
  out.push_back(static_cast<char>(kVersion));
  PutVarint(item.size(), &out);
  for (const auto& [name, v] : item) {
    PutBytes(name, &out);
    PutValue(v, &out);
  }
  return out;
}

Result<Item> DecodeItem(std::string_view data) {
  if (data.empty()) return Internal("corrupt stored item: empty");
  if (static_cast<uint8_t>(data[0]) != kVersion) {
    return Internal("stored item has unknown format version " +
                    std::to_string(static_cast<uint8_t>(data[0])));
  }
  Reader r(data.substr(1));
  ASSIGN_OR_RETURN(Item item, r.Entries(0));
  if (!r.done()) return r.Corrupt("trailing bytes");
  return item;
}

}  // namespace nimbus::tables
