#include "manifest/variable_syntax.h"

#include <boost/json/parse.hpp>
#include <cctype>
#include <charconv>

namespace nimbus::manifest {
namespace json = boost::json;

bool Template::HasVariables() const {
  for (const auto& p : pieces) {
    if (p.variable) return true;
  }
  return false;
}

bool Template::IsSingleVariable() const {
  return pieces.size() == 1 && pieces[0].variable;
}

std::string Template::Text() const {
  std::string out;
  for (const auto& p : pieces) out += p.variable ? p.variable->text : p.text;
  return out;
}

namespace {

constexpr int kMaxNesting = 10;

bool IsLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// A recursive-descent parser over one string. Positions in messages are
// 0-based indexes into the whole string, as Serverless reports them.
class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<Template> ParseTop() {
    Template out;
    std::string text;
    size_t i = 0;
    while (i < s_.size()) {
      if (s_[i] == '\\' && s_.substr(i + 1, 2) == "${") {  // escaped: literal "${"
        text += "${";
        i += 3;
        continue;
      }
      if (s_[i] == '$' && i + 1 < s_.size() && s_[i + 1] == '{') {
        size_t end = 0;
        ASSIGN_OR_RETURN(std::shared_ptr<Variable> var, ParseVariable(i, /*top=*/true, 0, &end));
        if (!var) {  // CloudFormation's ${...}: keep the characters, look inside
          text += "${";
          i += 2;
          continue;
        }
        Flush(&text, &out);
        out.pieces.push_back(Piece{{}, std::move(var)});
        i = end;
        continue;
      }
      text += s_[i++];
    }
    Flush(&text, &out);
    return out;
  }

 private:
  static void Flush(std::string* text, Template* out) {
    if (text->empty()) return;
    out->pieces.push_back(Piece{std::move(*text), nullptr});
    text->clear();
  }

  Status Error(std::string what, size_t index) const {
    return InvalidArgument(what + " at index " + std::to_string(index) + " in \"" +
                           std::string(s_) + "\"");
  }

  void SkipSpaces(size_t* i) const {
    while (*i < s_.size() && s_[*i] == ' ') ++*i;
  }

  // Parses the variable whose "${" is at `start`. Returns null (not an error)
  // when, at the top level, the text is not a Serverless variable.
  Result<std::shared_ptr<Variable>> ParseVariable(size_t start, bool top, int depth, size_t* end) {
    if (depth > kMaxNesting) return Error("Variables nested too deeply", start);
    size_t i = start + 2;
    auto not_ours = [&](size_t at) -> Result<std::shared_ptr<Variable>> {
      if (top) return std::shared_ptr<Variable>();
      return Error("Invalid variable type", at);
    };
    if (i >= s_.size() || !IsLower(s_[i])) return not_ours(i);
    size_t type_start = i;
    while (i < s_.size() && IsAlnum(s_[i])) ++i;
    if (i >= s_.size() || (s_[i] != ':' && s_[i] != '(')) return not_ours(type_start);
    if (s_[i] == ':' && i + 1 < s_.size() && s_[i + 1] == ':') return not_ours(type_start);

    auto var = std::make_shared<Variable>();
    Source first;
    first.kind = Source::Kind::kTyped;
    first.type = std::string(s_.substr(type_start, i - type_start));
    RETURN_IF_ERROR(ParseSourceRest(&i, depth, &first));
    var->sources.push_back(std::move(first));

    while (true) {  // after a source: ',' then a fallback, or '}'
      SkipSpaces(&i);
      if (i >= s_.size()) return Error("Missing variable closing bracket", start);
      if (s_[i] == '}') break;
      if (s_[i] != ',') return Error("Invalid variable source", i);
      ++i;
      SkipSpaces(&i);
      if (i >= s_.size()) return Error("Missing variable closing bracket", start);
      Source fallback;
      bool literal_ends = false;
      RETURN_IF_ERROR(ParseFallback(&i, depth, &fallback, &literal_ends));
      var->sources.push_back(std::move(fallback));
      if (literal_ends) {
        SkipSpaces(&i);
        if (i >= s_.size() || s_[i] != '}') {
          return Error("A literal fallback must be the last source", i);
        }
        break;
      }
    }
    *end = i + 1;
    var->text = std::string(s_.substr(start, *end - start));
    return var;
  }

  // After the type name: "(params)" and/or ":address". `*i` is at '(' or ':'.
  Status ParseSourceRest(size_t* i, int depth, Source* src) {
    if (s_[*i] == '(') {
      src->has_params = true;
      ++*i;
      while (true) {
        SkipSpaces(i);
        if (*i >= s_.size()) return Error("Missing closing parenthesis", *i);
        if (s_[*i] == ')') break;
        Template param;
        RETURN_IF_ERROR(ParseUntil(i, ",)", depth, &param));
        src->params.push_back(std::move(param));
        if (*i < s_.size() && s_[*i] == ',') ++*i;
      }
      ++*i;  // ')'
      SkipSpaces(i);
      if (*i >= s_.size() || s_[*i] != ':') return Status::Ok();
    }
    ++*i;  // ':'
    src->has_address = true;
    SkipSpaces(i);
    return ParseUntil(i, ",}", depth, &src->address);
  }

  // A fallback: a quoted string, a nested ${...}, a typed source, or a bare
  // literal (number, true, false, null).
  Status ParseFallback(size_t* i, int depth, Source* src, bool* literal_ends) {
    char c = s_[*i];
    if (c == '\'' || c == '"') {
      std::string text;
      RETURN_IF_ERROR(ParseQuoted(i, &text));
      src->kind = Source::Kind::kLiteral;
      src->literal = json::string(text);
      *literal_ends = true;
      return Status::Ok();
    }
    if (c == '$' && *i + 1 < s_.size() && s_[*i + 1] == '{') {
      size_t end = 0;
      ASSIGN_OR_RETURN(auto nested, ParseVariable(*i, /*top=*/false, depth + 1, &end));
      src->kind = Source::Kind::kNested;
      src->nested = std::move(nested);
      *i = end;
      return Status::Ok();
    }
    size_t start = *i;
    while (*i < s_.size() &&
           (IsAlnum(s_[*i]) || s_[*i] == '.' || s_[*i] == '-' || s_[*i] == '+' || s_[*i] == '_')) {
      ++*i;
    }
    std::string_view word = s_.substr(start, *i - start);
    if (word.empty()) return Error("Invalid variable source", start);
    if (*i < s_.size() && (s_[*i] == ':' || s_[*i] == '(')) {
      if (!IsLower(word[0]) || word.find_first_of(".-+_") != std::string_view::npos) {
        return Error("Invalid variable source", start);
      }
      src->kind = Source::Kind::kTyped;
      src->type = std::string(word);
      return ParseSourceRest(i, depth, src);
    }
    src->kind = Source::Kind::kLiteral;
    *literal_ends = true;
    if (word == "true") {
      src->literal = true;
    } else if (word == "false") {
      src->literal = false;
    } else if (word == "null") {
      src->literal = nullptr;
    } else if (auto number = ParseNumber(word)) {
      src->literal = *number;
    } else {
      return Error(
          "Invalid literal source \"" + std::string(word) + "\" (quote text fallbacks: 'text')",
          start);
    }
    return Status::Ok();
  }

  static std::optional<json::value> ParseNumber(std::string_view word) {
    int64_t i = 0;
    auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), i);
    if (ec == std::errc() && p == word.data() + word.size()) return json::value(i);
    double d = 0;
    auto [q, ec2] = std::from_chars(word.data(), word.data() + word.size(), d);
    if (ec2 == std::errc() && q == word.data() + word.size()) return json::value(d);
    return std::nullopt;
  }

  // 'single' (no escapes) or "double" (JSON escapes). `*i` is at the quote.
  Status ParseQuoted(size_t* i, std::string* out) {
    char quote = s_[*i];
    size_t start = *i;
    size_t j = start + 1;
    while (j < s_.size() && s_[j] != quote) j += (quote == '"' && s_[j] == '\\') ? 2 : 1;
    if (j >= s_.size()) return Error("Unterminated string literal", start);
    *i = j + 1;
    if (quote == '\'') {
      *out = std::string(s_.substr(start + 1, j - start - 1));
      return Status::Ok();
    }
    boost::system::error_code ec;
    json::value v = json::parse(s_.substr(start, j + 1 - start), ec);
    if (ec || !v.is_string()) return Error("Invalid string literal", start);
    *out = std::string(v.get_string());
    return Status::Ok();
  }

  // Reads an address or parameter up to one of `stops` at this level,
  // parsing nested variables; surrounding spaces are trimmed. A quoted
  // address or parameter is taken literally.
  Status ParseUntil(size_t* i, std::string_view stops, int depth, Template* out) {
    SkipSpaces(i);
    if (*i < s_.size() && (s_[*i] == '\'' || s_[*i] == '"')) {
      std::string text;
      RETURN_IF_ERROR(ParseQuoted(i, &text));
      SkipSpaces(i);
      if (*i >= s_.size() || stops.find(s_[*i]) == std::string_view::npos) {
        return Error("Invalid variable address", *i);
      }
      out->pieces.push_back(Piece{std::move(text), nullptr});
      return Status::Ok();
    }
    std::string text;
    while (*i < s_.size() && stops.find(s_[*i]) == std::string_view::npos) {
      if (s_[*i] == '$' && *i + 1 < s_.size() && s_[*i + 1] == '{') {
        size_t end = 0;
        ASSIGN_OR_RETURN(auto nested, ParseVariable(*i, /*top=*/false, depth + 1, &end));
        Flush(&text, out);
        out->pieces.push_back(Piece{{}, std::move(nested)});
        *i = end;
        continue;
      }
      if (s_[*i] == ':' && stops.find('}') != std::string_view::npos) {
        return Error("Invalid variable address (':' is not allowed here)", *i);
      }
      if (s_[*i] == '}' || s_[*i] == '{')
        return Error("Unexpected '" + std::string(1, s_[*i]) + "'", *i);
      text += s_[(*i)++];
    }
    if (*i >= s_.size()) return Error("Missing variable closing bracket", *i);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    Flush(&text, out);
    return Status::Ok();
  }

  std::string_view s_;
};

}  // namespace

Result<Template> ParseTemplate(std::string_view value) {
  if (value.find("${") == std::string_view::npos) {
    Template t;
    if (!value.empty()) t.pieces.push_back(Piece{std::string(value), nullptr});
    return t;
  }
  return Parser(value).ParseTop();
}

}  // namespace nimbus::manifest
