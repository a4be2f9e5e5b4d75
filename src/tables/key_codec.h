// Order-preserving encoding of key values, for storing items under keys whose
// byte order (memcmp) is the order DynamoDB sorts them in: strings by their
// UTF-8 bytes, binaries by their bytes, numbers numerically.
//
// Every encoding is self-delimiting and no encoding is a proper prefix of
// another of the same type, so concatenating the encoded partition key and
// the encoded sort key sorts by partition key first, then by sort key, and
// all keys of one partition share the partition key's encoding as a prefix.
// The type of each key attribute comes from the table's schema; the encoding
// carries no type tag. Stateless functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"
#include "tables/value.h"

namespace nimbus::tables {

// A key attribute of a table or an index: its name and its type (S, N or B).
struct KeyAttribute {
  std::string name;
  ValueType type = ValueType::kS;
};

// A table's or an index's key: the partition (HASH) attribute and, for a
// composite key, the sort (RANGE) attribute.
struct KeySchema {
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
};

// Appends the encoding of an S, N or B value (anything else is a programming
// error). Strings and binaries escape 0x00 as 00 FF and end with 00 01;
// numbers use Decimal::AppendOrderedBytes.
void AppendKeyValue(const Value& value, std::string* out);
// Reads one encoded value of `type` from the front of *in and advances it.
Result<Value> DecodeKeyValue(ValueType type, std::string_view* in);

// The bytes every encoding of an S or B value starting with `prefix` starts
// with (the escaped prefix without its terminator): the lower bound of a
// begins_with range on a sort key.
std::string EncodeKeyPrefix(const Value& prefix);

// The partition key's encoding followed by the sort key's, if any.
std::string EncodeKey(const Value& hash, const Value* range = nullptr);
// Splits a key encoded for `schema` back into its values; trailing bytes or a
// malformed encoding are an error.
Result<std::pair<Value, std::optional<Value>>> DecodeKey(const KeySchema& schema,
                                                         std::string_view encoded);

}  // namespace nimbus::tables
