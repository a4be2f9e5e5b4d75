// Document paths: the `a.b[2].c` addresses that expressions use to reach into
// an item's maps and lists, with the attribute names already resolved (no
// `#placeholders` left). Plain data; any thread.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "tables/value.h"

namespace nimbus::tables {

// One step of a path: a map key (an attribute name at the top) or a list index.
struct PathElement {
  std::string name;
  uint32_t index = 0;
  bool is_index = false;

  static PathElement Name(std::string name) { return {std::move(name), 0, false}; }
  static PathElement Index(uint32_t index) { return {{}, index, true}; }

  bool operator==(const PathElement& other) const = default;
  // Names before indexes; names by bytes, indexes numerically.
  std::strong_ordering operator<=>(const PathElement& other) const;
};

using Path = std::vector<PathElement>;

// The form DynamoDB's messages use: "[a, b, [2], c]".
std::string PathToString(const Path& path);

// The value at `path`, or nullptr when any step is missing or of the wrong
// kind (a name on a non-map, an index on a non-list or past its end).
const Value* FindPath(const Item& item, const Path& path);
Value* FindPath(Item* item, const Path& path);

}  // namespace nimbus::tables
