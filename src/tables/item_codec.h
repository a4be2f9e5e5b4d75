// The binary form items are stored in: compact, versioned by its first byte,
// and decoded defensively: corrupt or truncated input is an error, never a
// crash or an unbounded allocation. Stateless functions; any thread.
//
// Layout (version 1): the version byte 0x01, a varint attribute count, then
// per attribute (in name order) a varint-prefixed name and a value. A value is
// a type byte (ValueType + 1) followed by its payload: S and B a varint length
// and bytes; N the ordered decimal encoding; BOOL one byte; NULL nothing; M a
// varint count of name/value pairs; L a varint count of values; SS and BS a
// varint count of varint-prefixed elements; NS a varint count of decimals.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "tables/value.h"

namespace nimbus::tables {

std::string EncodeItem(const Item& item);
Result<Item> DecodeItem(std::string_view data);

}  // namespace nimbus::tables
