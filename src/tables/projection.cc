// ProjectionExpression: a comma-separated list of document paths, and the
// projection of an item onto paths.
#include <map>

#include "tables/expression_internal.h"

namespace nimbus::tables {
namespace {

bool NoKeywords(std::string_view) {
  return false;
}

// The paths to keep, merged into a tree that mirrors the item's structure.
struct Selection {
  bool whole = false;  // the value at this point is kept entirely
  std::map<std::string, Selection, std::less<>> fields;
  std::map<uint32_t, Selection> elements;

  void Add(const Path& path, size_t from) {
    if (whole) return;
    if (from == path.size()) {
      whole = true;
      fields.clear();
      elements.clear();
      return;
    }
    const PathElement& e = path[from];
    if (e.is_index) {
      elements[e.index].Add(path, from + 1);
    } else {
      fields[e.name].Add(path, from + 1);
    }
  }

  // The selected part of `source`, or nothing when none of it exists.
  std::optional<Value> Apply(const Value& source) const {
    if (whole) return source;
    if (source.is(ValueType::kM)) {
      Value::Map out;
      for (const auto& [name, sel] : fields) {
        auto it = source.m().find(name);
        if (it == source.m().end()) continue;
        if (auto v = sel.Apply(it->second)) out.emplace(name, std::move(*v));
      }
      if (out.empty()) return std::nullopt;
      return Value::M(std::move(out));
    }
    if (source.is(ValueType::kL)) {
      // Selected elements keep their relative order and close up.
      Value::List out;
      for (const auto& [index, sel] : elements) {
        if (index >= source.l().size()) break;
        if (auto v = sel.Apply(source.l()[index])) out.push_back(std::move(*v));
      }
      if (out.empty()) return std::nullopt;
      return Value::L(std::move(out));
    }
    return std::nullopt;
  }
};

}  // namespace

std::set<std::string> Projection::TopLevelAttributes() const {
  std::set<std::string> out;
  for (const Path& p : paths_) out.insert(p[0].name);
  return out;
}

Result<Projection> ParseProjection(std::string_view text, ExpressionContext* context) {
  constexpr ExpressionKind kKind = ExpressionKind::kProjection;
  RETURN_IF_ERROR(expr::CheckExpressionText(text, kKind));
  expr::Parser parser(text, kKind);
  std::vector<std::unique_ptr<expr::Node>> nodes;
  for (;;) {
    ASSIGN_OR_RETURN(auto path, parser.ParsePath(NoKeywords));
    nodes.push_back(std::move(path));
    if (!parser.At(expr::TokenType::kComma)) break;
    parser.Next();
  }
  if (!parser.At(expr::TokenType::kEnd)) return parser.SyntaxError();

  expr::FirstError reserved, undefined, overlap, conflict;
  std::vector<const Path*> paths;
  for (auto& n : nodes) {
    expr::ResolvePath(n.get(), context, &reserved, &undefined);
    paths.push_back(&n->path);
  }
  expr::CheckPathOverlaps(paths, &overlap, &conflict);
  for (const expr::FirstError* e : {&reserved, &undefined, &overlap, &conflict}) {
    if (*e) return ExpressionError(kKind, *e->message);
  }
  std::vector<Path> out;
  out.reserve(nodes.size());
  for (auto& n : nodes) out.push_back(std::move(n->path));
  return Projection(std::move(out));
}

Item ProjectPaths(const std::vector<Path>& paths, const Item& item) {
  Selection root;
  for (const Path& p : paths) {
    if (!p.empty() && !p[0].is_index) root.fields[p[0].name].Add(p, 1);
  }
  Item out;
  for (const auto& [name, sel] : root.fields) {
    auto it = item.find(name);
    if (it == item.end()) continue;
    if (auto v = sel.Apply(it->second)) out.emplace(name, std::move(*v));
  }
  return out;
}

Item Project(const Projection& projection, const Item& item) {
  return ProjectPaths(projection.paths(), item);
}

}  // namespace nimbus::tables
