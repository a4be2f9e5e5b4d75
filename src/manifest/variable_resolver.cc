// The walk over the document and the evaluation of templates; the sources
// themselves are in variable_sources.cc.
#include "manifest/variable_resolver.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/ids.h"

namespace nimbus::manifest {
namespace json = boost::json;
namespace {

// v3 stops after ten rounds of "a variable's value holds variables"; the same
// bound applies to objects included by variables that include more objects.
constexpr int kMaxRounds = 10;
// Chains of ${self:} references longer than this are surely a mistake.
constexpr size_t kMaxChain = 100;
// Values that repeat other values can double at each step ("${self:a}${self:a}"
// or [${self:a}, ${self:a}]); what variables produce is capped in all, as the
// YAML loader caps what aliases produce.
constexpr size_t kMaxProducedBytes = 16 * 1024 * 1024;
constexpr std::string_view kTooLarge =
    "variables expand the file to more than 16 MB (do values repeat other values?)";

// The text in `v` (strings and keys, eight bytes a scalar), counted up to
// just past `limit`.
size_t ValueBytes(const json::value& v, size_t limit) {
  size_t total = 0;
  std::vector<const json::value*> todo{&v};
  while (!todo.empty() && total <= limit) {
    const json::value* x = todo.back();
    todo.pop_back();
    if (x->is_string()) {
      total += x->get_string().size();
    } else if (x->is_object()) {
      for (const auto& m : x->get_object()) {
        total += m.key().size();
        todo.push_back(&m.value());
      }
    } else if (x->is_array()) {
      for (const auto& e : x->get_array()) todo.push_back(&e);
    } else {
      total += 8;
    }
  }
  return total;
}

bool ParseIndex(const std::string& s, size_t* out) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  *out = static_cast<size_t>(std::stoul(s));
  return true;
}

}  // namespace

std::vector<std::string> SplitDotPath(std::string_view dot_path) {
  std::vector<std::string> out;
  if (dot_path.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t dot = dot_path.find('.', start);
    out.emplace_back(dot_path.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

std::optional<std::string> InterpolationText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return std::string(v.get_bool() ? "true" : "false");
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (!v.is_double()) return std::nullopt;
  double d = v.get_double();
  if (std::isnan(d)) return std::string("NaN");
  if (std::isinf(d)) return std::string(d > 0 ? "Infinity" : "-Infinity");
  if (d == std::floor(d) && std::fabs(d) < 1e21) {  // JavaScript prints these without ".0"
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed, 0);
    return std::string(buf, end);
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, end);
  // C++ writes "1e-07" where JavaScript writes "1e-7".
  size_t e = s.find('e');
  if (e != std::string::npos) {
    size_t digits = e + 2;
    while (digits + 1 < s.size() && s[digits] == '0') s.erase(digits, 1);
  }
  return s;
}

VariableResolver::VariableResolver(Document* doc, ResolveContext context)
    : doc_(doc), ctx_(std::move(context)), instance_id_(RandomHex(16)) {}

json::value* VariableResolver::At(const Path& path) {
  json::value* v = &doc_->root;
  for (const std::string& seg : path) {
    if (v->is_object()) {
      v = v->get_object().if_contains(seg);
    } else if (v->is_array()) {
      size_t i = 0;
      if (!ParseIndex(seg, &i) || i >= v->get_array().size()) return nullptr;
      v = &v->get_array()[i];
    } else {
      return nullptr;
    }
    if (v == nullptr) return nullptr;
  }
  return v;
}

std::string VariableResolver::Display(const Path& path) const {
  std::string out;
  const json::value* v = &doc_->root;
  for (const std::string& seg : path) {
    size_t i = 0;
    if (v != nullptr && v->is_array() && ParseIndex(seg, &i)) {
      out = JoinIndex(out, i);
      v = i < v->get_array().size() ? &v->get_array()[i] : nullptr;
    } else {
      out = JoinKey(out, seg);
      v = (v != nullptr && v->is_object()) ? v->get_object().if_contains(seg) : nullptr;
    }
  }
  return out;
}

SourcePos VariableResolver::PosOf(const std::string& display) const {
  return doc_->positions.Find(display);
}

Status VariableResolver::ResolveAll() {
  return ResolveTree({});
}

Result<json::value> VariableResolver::ResolvePath(std::string_view dot_path) {
  Path path = SplitDotPath(dot_path);
  ASSIGN_OR_RETURN(bool exists, Walk(path));
  if (!exists) return json::value(nullptr);
  RETURN_IF_ERROR(ResolveTree(path));
  json::value* v = At(path);
  return v == nullptr ? json::value(nullptr) : *v;
}

Status VariableResolver::ResolveTree(const Path& path) {
  json::value* v = At(path);
  if (v == nullptr) return Status::Ok();
  if (v->is_string()) {
    RETURN_IF_ERROR(ResolveLeaf(path));
    v = At(path);
    if (v == nullptr || v->is_string()) return Status::Ok();
  }
  // Children are visited by name or index, never through references into the
  // tree, since resolving one value may replace others.
  if (v->is_object()) {
    std::vector<std::string> keys;
    for (const auto& member : v->get_object()) keys.emplace_back(member.key());
    for (const std::string& key : keys) {
      Path child = path;
      child.push_back(key);
      RETURN_IF_ERROR(ResolveTree(child));
    }
  } else if (v->is_array()) {
    for (size_t i = 0;; ++i) {
      json::value* now = At(path);
      if (now == nullptr || !now->is_array() || i >= now->get_array().size()) break;
      Path child = path;
      child.push_back(std::to_string(i));
      RETURN_IF_ERROR(ResolveTree(child));
    }
  }
  return Status::Ok();
}

Result<bool> VariableResolver::Walk(const Path& path) {
  for (size_t k = 0;; ++k) {
    Path prefix(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(k));
    json::value* v = At(prefix);
    if (v == nullptr) return false;
    if (v->is_string()) {
      RETURN_IF_ERROR(ResolveLeaf(prefix));
      v = At(prefix);
    }
    if (k == path.size()) return v != nullptr && !v->is_null();
    size_t i = 0;
    if (v->is_object()) {
      if (!v->get_object().contains(path[k])) return false;
    } else if (v->is_array()) {
      if (!ParseIndex(path[k], &i) || i >= v->get_array().size()) return false;
    } else {
      return false;
    }
  }
}

void VariableResolver::MarkResolved(const Path& path, const json::value& v) {
  // Strings copied from resolved values are final: parsing them again could
  // turn an escaped "\${...}" (now "${...}") into a variable.
  std::vector<std::pair<std::string, const json::value*>> todo{{Display(path), &v}};
  while (!todo.empty()) {
    auto [display, value] = todo.back();
    todo.pop_back();
    if (value->is_string()) {
      resolved_.insert(display);
    } else if (value->is_object()) {
      for (const auto& m : value->get_object())
        todo.emplace_back(JoinKey(display, m.key()), &m.value());
    } else if (value->is_array()) {
      const auto& arr = value->get_array();
      for (size_t i = 0; i < arr.size(); ++i) todo.emplace_back(JoinIndex(display, i), &arr[i]);
    }
  }
}

Status VariableResolver::CycleError(const std::string& display) const {
  auto it = std::find(active_.begin(), active_.end(), display);
  std::string chain;
  for (; it != active_.end(); ++it) chain += "\"" + *it + "\" -> ";
  chain += "\"" + display + "\"";
  return ErrorAt(PosOf(display),
                 "Cannot resolve variable at \"" + display + "\": Circular reference: " + chain);
}

Status VariableResolver::ResolveLeaf(const Path& path) {
  std::string display = Display(path);
  if (resolved_.count(display) != 0) return Status::Ok();
  json::value* v = At(path);
  if (v == nullptr || !v->is_string()) return Status::Ok();
  if (std::find(active_.begin(), active_.end(), display) != active_.end()) {
    return CycleError(display);
  }
  auto prefix = [&] { return "Cannot resolve variable at \"" + display + "\": "; };
  auto parsed = ParseTemplate(v->get_string());
  if (!parsed.ok()) {
    return ErrorAt(PosOf(display),
                   "Variable syntax error at \"" + display + "\": " + parsed.status().message());
  }
  if (!parsed->HasVariables()) {
    *v = json::string(parsed->Text());
    resolved_.insert(display);
    return Status::Ok();
  }
  // How deep this value sits in content produced by variables.
  int depth = 0;
  for (std::string_view p = display;; p = ParentPath(p)) {
    auto it = depth_.find(p);
    if (it != depth_.end()) {
      depth = it->second;
      break;
    }
    if (p.empty()) break;
  }
  if (depth > kMaxRounds || active_.size() >= kMaxChain) {
    return ErrorAt(PosOf(display), prefix() +
                                       "Excessive variable nesting depth "
                                       "(do variables include themselves?)");
  }

  active_.push_back(display);
  Template t = std::move(*parsed);
  Result<Found> found = Status(Code::kInternal, "unset");
  for (int round = 0;; ++round) {
    found = EvaluateTemplate(t, display);
    if (!found.ok() || found->resolved || !found->value->is_string()) break;
    // A single variable gave a string: if it holds variables itself (an env
    // value, a file's content), those are resolved too.
    auto again = ParseTemplate(found->value->get_string());
    if (!again.ok()) {
      found = InvalidArgument("Approached variable syntax error in resolved value \"" +
                              std::string(found->value->get_string()) +
                              "\": " + again.status().message());
      break;
    }
    if (!again->HasVariables()) {
      found->value = json::string(again->Text());
      break;
    }
    if (round + 1 >= kMaxRounds) {
      found = InvalidArgument("Excessive property variables nest depth");
      break;
    }
    t = std::move(*again);
  }
  active_.pop_back();
  if (!found.ok()) {
    if (IsPositioned(found.status())) return found.status();
    return ErrorAt(PosOf(display), prefix() + found.status().message());
  }

  v = At(path);
  if (v == nullptr) return Status::Ok();  // cannot happen: only leaves are ever replaced
  produced_bytes_ += ValueBytes(*found->value, kMaxProducedBytes);
  if (produced_bytes_ > kMaxProducedBytes) {
    return ErrorAt(PosOf(display), prefix() + std::string(kTooLarge));
  }
  *v = std::move(*found->value);
  if (v->is_string()) {
    resolved_.insert(display);
  } else if (found->resolved) {
    MarkResolved(path, *v);
  } else if (v->is_object() || v->is_array()) {
    depth_[display] = depth + 1;
  }
  return Status::Ok();
}

Result<VariableResolver::Found> VariableResolver::EvaluateTemplate(const Template& t,
                                                                   const std::string& where) {
  auto missing = [](const Found& f) {
    if (f.unsupported) {
      return InvalidArgument("\"" + f.empty_source +
                             "\" variables are read from AWS, which Nimbus does not do; "
                             "give a fallback (${" +
                             f.empty_source + ":..., 'value'})");
    }
    return InvalidArgument("Value not found at \"" + f.empty_source + "\" source");
  };
  if (t.IsSingleVariable()) {
    ASSIGN_OR_RETURN(Found f, EvaluateVariable(*t.pieces[0].variable, where));
    if (!f.value) return missing(f);
    return f;
  }
  std::string out;
  for (const Piece& piece : t.pieces) {
    if (!piece.variable) {
      out += piece.text;
      continue;
    }
    ASSIGN_OR_RETURN(Found f, EvaluateVariable(*piece.variable, where));
    if (!f.value) return missing(f);
    std::optional<std::string> text = InterpolationText(*f.value);
    if (!text) {
      return InvalidArgument("String value consists of variable " + piece.variable->text +
                             " which resolves to a non-string value (an object, a list or "
                             "null cannot be part of a string)");
    }
    if (text->size() > kMaxProducedBytes - std::min(out.size(), kMaxProducedBytes)) {
      return InvalidArgument(std::string(kTooLarge));
    }
    out += *text;
  }
  Found f;
  f.value = json::string(out);
  f.resolved = true;  // interpolated text is not parsed again (as in v3)
  return f;
}

Result<VariableResolver::Found> VariableResolver::EvaluateVariable(const Variable& v,
                                                                   const std::string& where) {
  Found last;
  for (const Source& source : v.sources) {
    if (source.kind == Source::Kind::kLiteral) {
      Found f;
      f.value = source.literal;
      return f;
    }
    Result<Found> f = source.kind == Source::Kind::kNested ? EvaluateVariable(*source.nested, where)
                                                           : EvaluateSource(source, where);
    if (!f.ok()) return f.status();
    if (f->value && !f->value->is_null()) return f;
    last = std::move(*f);
    last.value.reset();
  }
  return last;
}

Result<std::string> VariableResolver::EvaluateText(const Template& t, const std::string& where) {
  if (!t.HasVariables()) return t.Text();
  ASSIGN_OR_RETURN(Found f, EvaluateTemplate(t, where));
  std::optional<std::string> text = InterpolationText(*f.value);
  if (!text)
    return InvalidArgument("a variable address or parameter resolved to a non-string value");
  return *text;
}

}  // namespace nimbus::manifest
