#include "iam/variables.h"

#include "core/strings.h"
#include "iam/glob.h"

namespace nimbus::iam {
namespace {

// Appends written pattern text: wildcards stay wildcards, a written '\' is
// escaped so the escaped matcher reads it literally.
void AppendWritten(std::string_view text, bool as_glob, std::string* out) {
  for (char c : text) {
    if (as_glob && c == '\\') out->push_back('\\');
    out->push_back(c);
  }
}

void AppendLiteral(std::string_view text, bool as_glob, std::string* out) {
  if (as_glob) {
    AppendGlobLiteral(text, out);
  } else {
    out->append(text);
  }
}

// The value of one variable's inside ("aws:SourceArn" or "aws:x, 'dflt'").
std::optional<std::string_view> Lookup(std::string_view inside, const ConditionContext* context) {
  std::optional<std::string_view> fallback;
  size_t comma = inside.find(',');
  if (comma != std::string_view::npos) {
    std::string_view d = Trim(inside.substr(comma + 1));
    if (d.size() >= 2 && d.front() == '\'' && d.back() == '\'') {
      fallback = d.substr(1, d.size() - 2);
    }
    inside = Trim(inside.substr(0, comma));
  }
  if (context != nullptr) {
    auto it = context->find(ToLower(inside));
    if (it != context->end() && it->second.size() == 1) return std::string_view(it->second[0]);
  }
  return fallback;
}

}  // namespace

std::optional<std::string> ExpandVariables(std::string_view value, const ConditionContext* context,
                                           bool as_glob) {
  std::string out;
  out.reserve(value.size() + 32);
  size_t pos = 0;
  while (pos < value.size()) {
    size_t open = value.find("${", pos);
    if (open == std::string_view::npos) break;
    size_t close = value.find('}', open + 2);
    if (close == std::string_view::npos) break;  // unterminated: literal text
    AppendWritten(value.substr(pos, open - pos), as_glob, &out);
    std::string_view inside = value.substr(open + 2, close - open - 2);
    if (inside == "*" || inside == "?" || inside == "$") {
      AppendLiteral(inside, as_glob, &out);
    } else {
      std::optional<std::string_view> v = Lookup(inside, context);
      if (!v) return std::nullopt;
      AppendLiteral(*v, as_glob, &out);
    }
    pos = close + 1;
  }
  AppendWritten(value.substr(pos), as_glob, &out);
  return out;
}

}  // namespace nimbus::iam
