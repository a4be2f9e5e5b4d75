#include "tables/key_codec.h"

#include <cassert>

namespace nimbus::tables {
namespace {

constexpr char kEscape = '\x00';
constexpr char kEscapedZero = '\xFF';
constexpr char kTerminator = '\x01';

void AppendEscaped(std::string_view bytes, std::string* out) {
  for (char c : bytes) {
    out->push_back(c);
    if (c == kEscape) out->push_back(kEscapedZero);
  }
}

Result<std::string> DecodeEscaped(std::string_view* in) {
  std::string out;
  for (size_t i = 0; i < in->size(); ++i) {
    char c = (*in)[i];
    if (c != kEscape) {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= in->size()) break;
    char next = (*in)[i + 1];
    if (next == kTerminator) {
      in->remove_prefix(i + 2);
      return out;
    }
    if (next != kEscapedZero) break;
    out.push_back(kEscape);
    ++i;
  }
  return InvalidArgument("corrupt key encoding");
}

}  // namespace

void AppendKeyValue(const Value& value, std::string* out) {
  switch (value.type()) {
    case ValueType::kS:
      AppendEscaped(value.s(), out);
      break;
    case ValueType::kB:
      AppendEscaped(value.b(), out);
      break;
    case ValueType::kN:
      value.n().AppendOrderedBytes(out);
      return;
    default:
      assert(false && "key values are S, N or B");
      return;
  }
  out->push_back(kEscape);
  out->push_back(kTerminator);
}

Result<Value> DecodeKeyValue(ValueType type, std::string_view* in) {
  switch (type) {
    case ValueType::kS: {
      ASSIGN_OR_RETURN(std::string s, DecodeEscaped(in));
      return Value::S(std::move(s));
    }
    case ValueType::kB: {
      ASSIGN_OR_RETURN(std::string b, DecodeEscaped(in));
      return Value::B(std::move(b));
    }
    case ValueType::kN: {
      ASSIGN_OR_RETURN(Decimal d, Decimal::DecodeOrderedBytes(in));
      return Value::N(d);
    }
    default:
      return InvalidArgument(std::string("key attributes cannot be of type ") + TypeName(type));
  }
}

std::string EncodeKeyPrefix(const Value& prefix) {
  std::string out;
  AppendEscaped(prefix.is(ValueType::kS) ? prefix.s() : prefix.b(), &out);
  return out;
}

std::string EncodeKey(const Value& hash, const Value* range) {
  std::string out;
  AppendKeyValue(hash, &out);
  if (range != nullptr) AppendKeyValue(*range, &out);
  return out;
}

Result<std::pair<Value, std::optional<Value>>> DecodeKey(const KeySchema& schema,
                                                         std::string_view encoded) {
  ASSIGN_OR_RETURN(Value hash, DecodeKeyValue(schema.hash.type, &encoded));
  std::optional<Value> range;
  if (schema.range) {
    ASSIGN_OR_RETURN(Value r, DecodeKeyValue(schema.range->type, &encoded));
    range = std::move(r);
  }
  if (!encoded.empty()) return InvalidArgument("corrupt key encoding: trailing bytes");
  return std::make_pair(std::move(hash), std::move(range));
}

}  // namespace nimbus::tables
