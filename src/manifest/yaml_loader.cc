#include "manifest/yaml_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "core/fs.h"

namespace nimbus::manifest {
namespace json = boost::json;
namespace {

// Aliases are shared nodes in yaml-cpp but copies in JSON, so a small file
// can expand enormously ("billion laughs"), in values or in bytes when the
// aliased values are long strings; a self-referencing alias would never end.
// The limits are far above any real serverless.yml (hundreds of values, tens
// of kilobytes). Bytes count each value's text and its path (the key of its
// position), as both are stored.
constexpr size_t kMaxNodes = 100'000;
constexpr size_t kMaxExpandedBytes = 16 * 1024 * 1024;
constexpr int kMaxDepth = 200;

constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

// CloudFormation short-form tags and the long-form key each becomes.
struct CfnTag {
  std::string_view tag;
  std::string_view key;
};
constexpr std::array<CfnTag, 19> kCfnTags = {{
    {"!Ref", "Ref"},
    {"!Condition", "Condition"},
    {"!GetAtt", "Fn::GetAtt"},
    {"!Sub", "Fn::Sub"},
    {"!Join", "Fn::Join"},
    {"!Select", "Fn::Select"},
    {"!Split", "Fn::Split"},
    {"!If", "Fn::If"},
    {"!Base64", "Fn::Base64"},
    {"!ImportValue", "Fn::ImportValue"},
    {"!FindInMap", "Fn::FindInMap"},
    {"!GetAZs", "Fn::GetAZs"},
    {"!Cidr", "Fn::Cidr"},
    {"!Equals", "Fn::Equals"},
    {"!And", "Fn::And"},
    {"!Or", "Fn::Or"},
    {"!Not", "Fn::Not"},
    {"!Transform", "Fn::Transform"},
    {"!Length", "Fn::Length"},
}};

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Integer forms of js-yaml's int type: [-+]?decimal (underscores allowed,
// leading zeros still decimal), 0x.., 0o.., 0b.. . Values beyond int64 become
// doubles, as they are JavaScript numbers in Serverless.
std::optional<json::value> ParseYamlInt(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  std::string_view body = s;
  if (body[0] == '-' || body[0] == '+') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  int base = 10;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b')) {
    base = body[1] == 'x' ? 16 : body[1] == 'o' ? 8 : 2;
    body.remove_prefix(2);
  }
  if (body.empty() || body.front() == '_' || body.back() == '_') return std::nullopt;
  std::string digits;
  for (char c : body) {
    if (c == '_') continue;
    bool ok = base == 16  ? std::isxdigit(static_cast<unsigned char>(c)) != 0
              : base == 8 ? (c >= '0' && c <= '7')
              : base == 2 ? (c == '0' || c == '1')
                          : IsDigit(c);
    if (!ok) return std::nullopt;
    digits += c;
  }
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec == std::errc() && end == digits.data() + digits.size()) {
    if (!negative && magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return json::value(static_cast<int64_t>(magnitude));
    }
    if (negative && magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
      return json::value(static_cast<int64_t>(0 - magnitude));
    }
  }
  double d = 0;  // too large for 64 bits: a double, like JavaScript
  for (char c : digits) d = d * base + std::stoi(std::string(1, c), nullptr, 16);
  return json::value(negative ? -d : d);
}

// js-yaml's float type: digits with an optional fraction and exponent, or
// .inf / .nan in their three spellings.
std::optional<json::value> ParseYamlFloat(std::string_view s) {
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    double inf = std::numeric_limits<double>::infinity();
    return json::value(negative ? -inf : inf);
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    return json::value(std::numeric_limits<double>::quiet_NaN());
  }
  // Shape check: [0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)? or \.[0-9_]+(...)?
  size_t i = 0;
  size_t int_digits = 0, frac_digits = 0;
  while (i < body.size() && (IsDigit(body[i]) || (int_digits > 0 && body[i] == '_'))) {
    ++i;
    ++int_digits;
  }
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && (IsDigit(body[i]) || body[i] == '_')) {
      ++i;
      ++frac_digits;
    }
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '-' || body[i] == '+')) ++i;
    size_t exp_start = i;
    while (i < body.size() && IsDigit(body[i])) ++i;
    if (i == exp_start) return std::nullopt;
  }
  if (i != body.size() || body.back() == '_') return std::nullopt;
  std::string clean;
  for (char c : body) {
    if (c != '_') clean += c;
  }
  double d = std::strtod(clean.c_str(), nullptr);
  return json::value(negative ? -d : d);
}

// The value of an untagged plain scalar.
json::value TypePlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (auto i = ParseYamlInt(s)) return *i;
  if (auto f = ParseYamlFloat(s)) return *f;
  return json::string(s);
}

class Converter {
 public:
  explicit Converter(Document* doc) : doc_(doc) {}

  Result<json::value> Convert(const YAML::Node& node, const std::string& path,
                              const SourcePos& fallback, int depth) {
    if (++nodes_ > kMaxNodes) {
      return ErrorAt(fallback,
                     "the document expands to more than 100000 values "
                     "(aliases referring to aliases?)");
    }
    bytes_ += path.size() + (node.IsScalar() ? node.Scalar().size() : 0);
    if (bytes_ > kMaxExpandedBytes) {
      return ErrorAt(fallback,
                     "the document expands to more than 16 MB "
                     "(aliases referring to long values?)");
    }
    if (depth > kMaxDepth) return ErrorAt(fallback, "values are nested too deeply");
    SourcePos pos = PosOf(node, fallback);
    doc_->positions.Set(path, pos);
    const std::string& tag = node.Tag();
    if (!tag.empty() && tag[0] == '!' && tag != "!") return ConvertCfnTag(node, path, pos, depth);
    if (tag.rfind(kCoreTagPrefix, 0) == 0) return ConvertCoreTag(node, path, pos, depth);
    return ConvertUntagged(node, path, pos, depth, /*plain_typing=*/tag == "?");
  }

 private:
  SourcePos PosOf(const YAML::Node& node, const SourcePos& fallback) const {
    // A missing value (`key:` and nothing) is a null node whose mark points at
    // the next token; the key's position is the useful one then.
    YAML::Mark mark = node.Mark();
    if (node.IsNull() || mark.line < 0) return fallback;
    return SourcePos{doc_->file, mark.line + 1, mark.column + 1};
  }

  Result<json::value> ConvertUntagged(const YAML::Node& node, const std::string& path,
                                      const SourcePos& pos, int depth, bool plain_typing) {
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return json::value(nullptr);
      case YAML::NodeType::Scalar:
        if (plain_typing) return TypePlainScalar(node.Scalar());
        return json::value(json::string(node.Scalar()));
      case YAML::NodeType::Sequence: {
        json::array out;
        size_t i = 0;
        for (const auto& item : node) {
          ASSIGN_OR_RETURN(json::value v, Convert(item, JoinIndex(path, i++), pos, depth + 1));
          out.push_back(std::move(v));
        }
        return json::value(std::move(out));
      }
      case YAML::NodeType::Map:
        return ConvertMap(node, path, pos, depth);
    }
    return json::value(nullptr);
  }

  Result<json::value> ConvertMap(const YAML::Node& node, const std::string& path,
                                 const SourcePos& pos, int depth) {
    json::object out;
    std::set<std::string> explicit_keys;
    std::vector<std::pair<YAML::Node, YAML::Node>> merges;
    for (auto it = node.begin(); it != node.end(); ++it) {
      // Copies: the iterator hands out temporaries (YAML::Node is a handle).
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      SourcePos key_pos = PosOf(key, pos);
      if (!key.IsScalar() && !key.IsNull()) {
        return ErrorAt(key_pos, "mapping keys must be plain values, not lists or mappings");
      }
      std::string name = key.IsNull() ? "null" : key.Scalar();
      if (name == "<<" && key.Tag() == "?") {  // merge key; quoted "<<" is an ordinary key
        merges.emplace_back(key, value);
        continue;
      }
      if (!explicit_keys.insert(name).second) {
        return ErrorAt(key_pos, "duplicated mapping key \"" + name + "\"");
      }
      ASSIGN_OR_RETURN(json::value v, Convert(value, JoinKey(path, name), key_pos, depth + 1));
      out[name] = std::move(v);
    }
    // Merged members never override keys written in the mapping itself; among
    // several merged mappings the first one listed wins.
    for (const auto& [key, value] : merges) {
      std::vector<YAML::Node> sources;
      if (value.IsMap()) {
        sources.push_back(value);
      } else if (value.IsSequence()) {
        for (const auto& item : value) sources.push_back(item);
      }
      for (const auto& source : sources) {
        if (!source.IsMap()) {
          return ErrorAt(PosOf(key, pos), "a merge key (<<) needs a mapping or a list of mappings");
        }
        for (auto it = source.begin(); it != source.end(); ++it) {
          if (!it->first.IsScalar()) continue;
          std::string name = it->first.Scalar();
          if (out.contains(name)) continue;
          ASSIGN_OR_RETURN(json::value v, Convert(it->second, JoinKey(path, name),
                                                  PosOf(it->first, pos), depth + 1));
          out[name] = std::move(v);
        }
      }
      if (sources.empty()) {
        return ErrorAt(PosOf(key, pos), "a merge key (<<) needs a mapping or a list of mappings");
      }
    }
    return json::value(std::move(out));
  }

  Result<json::value> ConvertCfnTag(const YAML::Node& node, const std::string& path,
                                    const SourcePos& pos, int depth) {
    const std::string& tag = node.Tag();
    auto it = std::find_if(kCfnTags.begin(), kCfnTags.end(),
                           [&](const CfnTag& t) { return t.tag == tag; });
    if (it == kCfnTags.end()) return ErrorAt(pos, "unknown tag " + tag);
    std::string inner_path = JoinKey(path, it->key);
    json::value inner;
    if (node.IsScalar() || node.IsNull()) {
      // A tagged scalar is taken verbatim as a string (`!GetAZs ''`, `!Ref 123`).
      std::string text = node.IsNull() ? "" : node.Scalar();
      doc_->positions.Set(inner_path, pos);
      if (it->key == "Fn::GetAtt") {
        // "Resource.Attribute": the first dot separates; attributes may hold dots.
        size_t dot = text.find('.');
        if (dot == std::string::npos) {
          return ErrorAt(pos, "!GetAtt needs \"LogicalId.Attribute\", got \"" + text + "\"");
        }
        inner = json::array{json::string(text.substr(0, dot)), json::string(text.substr(dot + 1))};
      } else {
        inner = json::string(text);
      }
    } else {
      ASSIGN_OR_RETURN(inner, ConvertUntagged(node, inner_path, pos, depth, /*plain_typing=*/true));
      doc_->positions.Set(inner_path, pos);
    }
    json::object out;
    out[it->key] = std::move(inner);
    return json::value(std::move(out));
  }

  // Explicit core-schema tags: !!str, !!int, !!float, !!bool, !!null; other
  // core tags (!!map, !!seq, !!binary, !!timestamp...) change nothing here.
  Result<json::value> ConvertCoreTag(const YAML::Node& node, const std::string& path,
                                     const SourcePos& pos, int depth) {
    std::string kind = node.Tag().substr(kCoreTagPrefix.size());
    if (!node.IsScalar()) return ConvertUntagged(node, path, pos, depth, true);
    const std::string& s = node.Scalar();
    if (kind == "str" || kind == "binary" || kind == "timestamp")
      return json::value(json::string(s));
    if (kind == "null") return json::value(nullptr);
    json::value typed = TypePlainScalar(s);
    if (kind == "int" && !typed.is_int64() && !typed.is_double()) {
      return ErrorAt(pos, "\"" + s + "\" is not an integer (!!int)");
    }
    if (kind == "float") {
      if (typed.is_int64()) return json::value(static_cast<double>(typed.get_int64()));
      if (!typed.is_double()) return ErrorAt(pos, "\"" + s + "\" is not a number (!!float)");
    }
    if (kind == "bool" && !typed.is_bool()) {
      return ErrorAt(pos, "\"" + s + "\" is not a boolean (!!bool)");
    }
    return typed;
  }

  Document* doc_;
  size_t nodes_ = 0;
  size_t bytes_ = 0;
};

}  // namespace

Result<Document> ParseYaml(std::string_view text, const std::string& file) {
  Document doc;
  doc.file = file;
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    SourcePos pos{file, e.mark.line + 1, e.mark.column + 1};
    if (e.mark.is_null()) pos.line = 0;
    return ErrorAt(pos, "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return ErrorAt(SourcePos{file}, std::string("YAML syntax error: ") + e.what());
  }
  if (nodes.size() > 1) {
    return ErrorAt(SourcePos{file, nodes[1].Mark().line + 1, 1},
                   "expected one YAML document, found several (remove the '---' separator)");
  }
  doc.positions.Set("", SourcePos{file, 1, 1});
  if (nodes.empty()) return doc;
  try {
    Converter converter(&doc);
    ASSIGN_OR_RETURN(doc.root, converter.Convert(nodes[0], "", SourcePos{file, 1, 1}, 0));
  } catch (const std::exception& e) {  // yaml-cpp accessors may throw on odd input
    return ErrorAt(SourcePos{file}, std::string("cannot read YAML: ") + e.what());
  }
  doc.positions.Set("", SourcePos{file, 1, 1});
  return doc;
}

Result<Document> LoadYamlFile(const std::string& path, const std::string& file) {
  if (!PathExists(path)) return NotFound(file + " does not exist");
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseYaml(text, file);
}

}  // namespace nimbus::manifest
