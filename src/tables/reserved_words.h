// DynamoDB's reserved words: names an expression may not use as a bare
// attribute name (it must go through an #placeholder instead). Matching is
// case-insensitive. Stateless; any thread.
#pragma once

#include <string_view>

namespace nimbus::tables {

bool IsReservedWord(std::string_view word);

}  // namespace nimbus::tables
