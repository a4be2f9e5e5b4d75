#include "iam/glob.h"

#include <cstddef>

namespace nimbus::iam {
namespace {

constexpr int kStar = -1;
constexpr int kQuestion = -2;

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Reads pattern tokens: a character (0..255) or kStar / kQuestion.
class PlainTokens {
 public:
  explicit PlainTokens(std::string_view p) : p_(p) {}
  bool Done(size_t i) const { return i >= p_.size(); }
  // The token at `i`; `*next` is the index of the token after it.
  int At(size_t i, size_t* next) const {
    *next = i + 1;
    char c = p_[i];
    if (c == '*') return kStar;
    if (c == '?') return kQuestion;
    return static_cast<unsigned char>(c);
  }

 private:
  std::string_view p_;
};

class EscapedTokens {
 public:
  explicit EscapedTokens(std::string_view p) : p_(p) {}
  bool Done(size_t i) const { return i >= p_.size(); }
  int At(size_t i, size_t* next) const {
    char c = p_[i];
    if (c == '\\' && i + 1 < p_.size()) {
      *next = i + 2;
      return static_cast<unsigned char>(p_[i + 1]);
    }
    *next = i + 1;
    if (c == '*') return kStar;
    if (c == '?') return kQuestion;
    return static_cast<unsigned char>(c);
  }

 private:
  std::string_view p_;
};

// Greedy matching with one backtrack point: on a mismatch, the most recent
// '*' absorbs one more character of the text and matching resumes after it.
// Earlier stars never need revisiting, because the later star can absorb
// anything they could. Each text position is tried at most once per star,
// which bounds the work by O(pattern * text).
template <typename Tokens>
bool Match(const Tokens& pat, std::string_view text, bool ignore_case) {
  size_t p = 0, t = 0;
  bool have_star = false;
  size_t star_next = 0;  // pattern index just after the last '*'
  size_t star_text = 0;  // text index that star currently extends to
  while (t < text.size()) {
    if (!pat.Done(p)) {
      size_t next;
      int tok = pat.At(p, &next);
      if (tok == kStar) {
        // Collapse runs of '*'.
        while (!pat.Done(next)) {
          size_t after;
          if (pat.At(next, &after) != kStar) break;
          next = after;
        }
        have_star = true;
        star_next = next;
        star_text = t;
        p = next;
        continue;
      }
      bool same = tok == kQuestion || (ignore_case ? Lower(static_cast<char>(tok)) == Lower(text[t])
                                                   : static_cast<char>(tok) == text[t]);
      if (same) {
        p = next;
        ++t;
        continue;
      }
    }
    if (!have_star) return false;
    p = star_next;
    t = ++star_text;
  }
  // The text is consumed: what remains of the pattern must be stars only.
  while (!pat.Done(p)) {
    size_t next;
    if (pat.At(p, &next) != kStar) return false;
    p = next;
  }
  return true;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  return Match(PlainTokens(pattern), text, false);
}

bool GlobMatchIgnoreCase(std::string_view pattern, std::string_view text) {
  return Match(PlainTokens(pattern), text, true);
}

bool GlobMatchEscaped(std::string_view pattern, std::string_view text, bool ignore_case) {
  return Match(EscapedTokens(pattern), text, ignore_case);
}

void AppendGlobLiteral(std::string_view literal, std::string* pattern) {
  for (char c : literal) {
    if (c == '*' || c == '?' || c == '\\') pattern->push_back('\\');
    pattern->push_back(c);
  }
}

}  // namespace nimbus::iam
