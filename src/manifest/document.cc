#include "manifest/document.h"

#include <vector>

namespace nimbus::manifest {
namespace {

constexpr const char* kPositionedReason = "manifest.positioned";

}  // namespace

std::string_view ParentPath(std::string_view path) {
  size_t cut = path.find_last_of(".[");
  return cut == std::string_view::npos ? std::string_view() : path.substr(0, cut);
}

std::string SourcePos::ToString() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string JoinKey(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string JoinIndex(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

bool PathWithin(std::string_view path, std::string_view ancestor) {
  if (ancestor.empty()) return true;
  if (path.size() < ancestor.size() || path.substr(0, ancestor.size()) != ancestor) return false;
  return path.size() == ancestor.size() || path[ancestor.size()] == '.' ||
         path[ancestor.size()] == '[';
}

SourcePos PositionMap::Find(std::string_view path) const {
  while (true) {
    auto it = map_.find(path);
    if (it != map_.end()) return it->second;
    if (path.empty()) return {};
    path = ParentPath(path);
  }
}

void PositionMap::Graft(const PositionMap& from, std::string_view from_path,
                        std::string_view to_path) {
  // Collected first: `from` may be this map.
  std::vector<std::pair<std::string, SourcePos>> moved;
  for (auto it = from.map_.lower_bound(from_path); it != from.map_.end(); ++it) {
    std::string_view key = it->first;
    if (!PathWithin(key, from_path)) {
      if (key.substr(0, from_path.size()) != from_path) break;  // past the prefix range
      continue;
    }
    std::string_view rest = key.substr(from_path.size());
    std::string target(to_path);
    if (to_path.empty() && !rest.empty() && rest[0] == '.') rest.remove_prefix(1);
    if (from_path.empty() && !to_path.empty() && !rest.empty() && rest[0] != '[') target += '.';
    target += rest;
    moved.emplace_back(std::move(target), it->second);
  }
  for (auto& [path, pos] : moved) map_[path] = std::move(pos);
}

Status ErrorAt(const SourcePos& pos, std::string_view message) {
  std::string text = pos.ToString();
  if (!text.empty()) text += ": ";
  text += message;
  return Status(Code::kInvalidArgument, std::move(text), kPositionedReason);
}

bool IsPositioned(const Status& status) {
  return status.reason() == kPositionedReason;
}

}  // namespace nimbus::manifest
