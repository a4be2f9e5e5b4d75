// A parsed YAML document as JSON, plus where each value was written.
//
// Boost.JSON values carry no source positions, so the loader records them on
// the side, keyed by the value's path. Paths are written the way error
// messages show them: object members joined with '.', array elements as
// "[i]" ("functions.api.events[0].httpApi"); the root is "". Every later stage
// (variables, validation) reports problems through these positions, so a
// message reads "serverless.yml:12:5: <what is wrong>".
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace nimbus::manifest {

// Where a value was written. `file` is shown as the user knows it: relative
// to the service directory ("serverless.yml", "config/dev.yml").
struct SourcePos {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
  // "serverless.yml:12:5", or just the file name when the line is unknown.
  std::string ToString() const;
};

// Builds child paths: JoinKey("provider", "environment") == "provider.environment",
// JoinIndex("functions.a.events", 0) == "functions.a.events[0]".
std::string JoinKey(std::string_view parent, std::string_view key);
std::string JoinIndex(std::string_view parent, size_t index);

// Positions by path. Plain data; not synchronised.
class PositionMap {
 public:
  void Set(const std::string& path, SourcePos pos) { map_[path] = std::move(pos); }
  // The position recorded for `path`, else for its nearest recorded ancestor,
  // else an empty SourcePos.
  SourcePos Find(std::string_view path) const;
  // Copies the positions recorded at and below `from_path` in `from` so they
  // sit at and below `to_path` here (used when a value is copied or included
  // from another file, so errors inside it still point at its real origin).
  void Graft(const PositionMap& from, std::string_view from_path, std::string_view to_path);

 private:
  std::map<std::string, SourcePos, std::less<>> map_;
};

struct Document {
  std::string file;  // display name, as in SourcePos::file
  boost::json::value root;
  PositionMap positions;
};

// An InvalidArgument Status whose message starts with the position:
// "serverless.yml:3:7: message". Such a status is marked so that outer layers
// pass it on unchanged instead of wrapping it in their own context.
Status ErrorAt(const SourcePos& pos, std::string_view message);
bool IsPositioned(const Status& status);

// True when `path` is `ancestor` or lies below it.
bool PathWithin(std::string_view path, std::string_view ancestor);

// The parent of a path: "a.b[2]" -> "a.b", "a.b" -> "a", "a" -> "". Keys that
// themselves contain '.' or '[' make this approximate, which only costs
// precision in an error position.
std::string_view ParentPath(std::string_view path);

}  // namespace nimbus::manifest
