// ExpressionContext and the validation helpers every grammar shares.
#include "core/encoding.h"
#include "tables/expression_internal.h"
#include "tables/reserved_words.h"

namespace nimbus::tables {
namespace {

// #name and :name keys: the sigil and one or more of [0-9A-Za-z_].
bool IsPlaceholderKey(const std::string& key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  for (size_t i = 1; i < key.size(); ++i) {
    char c = key[i];
    bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!ok) return false;
  }
  return true;
}

template <typename Map>
std::string UnusedKeys(const Map& map, const std::set<std::string>& used) {
  std::string keys;
  for (const auto& entry : map) {
    if (used.count(entry.first) != 0) continue;
    if (!keys.empty()) keys += ", ";
    keys += entry.first;
  }
  return keys;
}

}  // namespace

Status ExpressionContext::ValidateMaps() const {
  if (names_ != nullptr) {
    if (names_->empty()) return InvalidArgument("ExpressionAttributeNames must not be empty");
    for (const auto& [key, name] : *names_) {
      if (!IsPlaceholderKey(key, '#')) {
        return InvalidArgument(
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + key + "\"");
      }
    }
  }
  if (values_ != nullptr) {
    if (values_->empty()) return InvalidArgument("ExpressionAttributeValues must not be empty");
    for (const auto& [key, value] : *values_) {
      if (!IsPlaceholderKey(key, ':')) {
        return InvalidArgument(
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + key + "\"");
      }
    }
  }
  return Status::Ok();
}

Status ExpressionContext::CheckAllUsed() const {
  if (names_ != nullptr) {
    std::string keys = UnusedKeys(*names_, used_names_);
    if (!keys.empty()) {
      return InvalidArgument(
          "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + keys + "}");
    }
  }
  if (values_ != nullptr) {
    std::string keys = UnusedKeys(*values_, used_values_);
    if (!keys.empty()) {
      return InvalidArgument(
          "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + keys +
          "}");
    }
  }
  return Status::Ok();
}

const std::string* ExpressionContext::UseName(const std::string& placeholder) {
  if (names_ == nullptr) return nullptr;
  auto it = names_->find(placeholder);
  if (it == names_->end()) return nullptr;
  used_names_.insert(placeholder);
  return &it->second;
}

const Value* ExpressionContext::UseValue(const std::string& placeholder) {
  if (values_ == nullptr) return nullptr;
  auto it = values_->find(placeholder);
  if (it == values_->end()) return nullptr;
  used_values_.insert(placeholder);
  return &it->second;
}

namespace expr {

void ResolvePath(Node* node, ExpressionContext* context, FirstError* reserved,
                 FirstError* undefined_name) {
  node->path.clear();
  for (const RawPathElement& raw : node->raw_path) {
    if (raw.is_index) {
      node->path.push_back(PathElement::Index(raw.index));
    } else if (!raw.placeholder) {
      if (IsReservedWord(raw.text)) {
        reserved->Set("Attribute name is a reserved keyword; reserved keyword: " + raw.text);
      }
      node->path.push_back(PathElement::Name(raw.text));
    } else if (const std::string* name = context->UseName(raw.text)) {
      node->path.push_back(PathElement::Name(*name));
    } else {
      undefined_name->Set(
          "An expression attribute name used in the document path is not defined; attribute "
          "name: " +
          raw.text);
      node->path.push_back(PathElement::Name(""));
    }
  }
}

void ResolveValue(Node* node, ExpressionContext* context, FirstError* undefined_value) {
  if (const Value* v = context->UseValue(node->placeholder)) {
    node->value = *v;
  } else {
    node->undefined = true;
    undefined_value->Set(
        "An expression attribute value used in expression is not defined; attribute value: " +
        node->placeholder);
  }
}

std::string DescribeValue(const Value& value) {
  std::string out = std::string(value.TypeName()) + ":";
  auto join = [&out](const auto& elements, auto render) {
    bool first = true;
    for (const auto& e : elements) {
      if (!first) out += ",";
      first = false;
      out += render(e);
    }
  };
  switch (value.type()) {
    case ValueType::kS:
      out += value.s();
      break;
    case ValueType::kN:
      out += value.n().ToString();
      break;
    case ValueType::kB:
      out += Base64Encode(value.b());
      break;
    case ValueType::kBool:
      out += value.boolean() ? "true" : "false";
      break;
    case ValueType::kNull:
      out += "true";
      break;
    case ValueType::kSS:
      join(value.strings(), [](const std::string& s) { return s; });
      break;
    case ValueType::kBS:
      join(value.strings(), [](const std::string& s) { return Base64Encode(s); });
      break;
    case ValueType::kNS:
      join(value.numbers(), [](const Decimal& d) { return d.ToString(); });
      break;
    case ValueType::kL:
      out += "[";
      join(value.l(), [](const Value& v) { return "{" + DescribeValue(v) + "}"; });
      out += "]";
      break;
    case ValueType::kM:
      out += "{";
      join(value.m(), [](const auto& e) { return e.first + "={" + DescribeValue(e.second) + "}"; });
      out += "}";
      break;
  }
  return out;
}

void CheckPathOverlaps(const std::vector<const Path*>& paths, FirstError* overlap,
                       FirstError* conflict) {
  for (size_t j = 1; j < paths.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const Path& a = *paths[i];
      const Path& b = *paths[j];
      size_t n = std::min(a.size(), b.size());
      size_t k = 0;
      for (; k < n; ++k) {
        if (a[k].is_index != b[k].is_index || !(a[k] == b[k])) break;
      }
      std::string which = "path one: " + PathToString(a) + ", path two: " + PathToString(b);
      if (k == n) {
        overlap->Set(
            "Two document paths overlap with each other; must remove or rewrite one of "
            "these paths; " +
            which);
      } else if (a[k].is_index != b[k].is_index) {
        conflict->Set(
            "Two document paths conflict with each other; must remove or rewrite one "
            "of these paths; " +
            which);
      }
    }
  }
}

std::optional<int> CompareScalars(const Value& a, const Value& b) {
  if (a.type() != b.type()) return std::nullopt;
  int c = 0;
  switch (a.type()) {
    case ValueType::kS:
      c = a.s().compare(b.s());
      break;
    case ValueType::kB:
      c = a.b().compare(b.b());
      break;
    case ValueType::kN:
      c = a.n().Compare(b.n());
      break;
    default:
      return std::nullopt;
  }
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace expr
}  // namespace nimbus::tables
