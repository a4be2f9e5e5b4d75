// hello-cpp: an example Nimbus function written in C++ (runtime `provided.al2023`).
//
// Behaviour, by event:
//   {"echo": true, ...}  -> the event bytes, unchanged (the benchmarks' echo function)
//   {"fail": true, ...}  -> a function error {"errorMessage":..., "errorType":"HelloCpp.Failure"}
//   anything else        -> {"message":"hello from C++","input":<the event>}
// The event is embedded as is when it is JSON, as a JSON string when it is not, and as null when
// it is empty.
//
// Setting the environment variable HELLO_CPP_INIT_ERROR makes the function fail during init
// (POST /runtime/init/error, then exit), which exercises the platform's init-error path.

#include <cstdlib>
#include <string>
#include <string_view>

#include <nimbus/lambda.h>

namespace {

using nimbus::lambda::InvocationRequest;
using nimbus::lambda::InvocationResponse;

// A small validating JSON reader that only remembers which keys of a top-level object have the
// literal value `true`. Keys are compared as written (escape sequences are not decoded).
class EventScanner {
 public:
  explicit EventScanner(std::string_view text) : text_(text) {}

  // True if the text is exactly one JSON value, optionally surrounded by whitespace.
  bool scan() {
    skip_whitespace();
    if (!value(0)) return false;
    skip_whitespace();
    return pos_ == text_.size();
  }

  bool echo = false;
  bool fail = false;

 private:
  static constexpr int kMaxDepth = 256;

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_whitespace() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }

  bool value(int depth) {
    if (depth > kMaxDepth) return false;
    switch (peek()) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string(nullptr);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  bool object(int depth) {
    ++pos_;  // '{'
    skip_whitespace();
    if (peek() == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      std::string_view key;
      if (peek() != '"' || !string(&key)) return false;
      skip_whitespace();
      if (peek() != ':') return false;
      ++pos_;
      skip_whitespace();
      std::size_t value_start = pos_;
      if (!value(depth + 1)) return false;
      if (depth == 0 && text_.substr(value_start, pos_ - value_start) == "true") {
        if (key == "echo") echo = true;
        if (key == "fail") fail = true;
      }
      skip_whitespace();
      if (peek() == ',') {
        ++pos_;
        skip_whitespace();
        continue;
      }
      if (peek() != '}') return false;
      ++pos_;
      return true;
    }
  }

  bool array(int depth) {
    ++pos_;  // '['
    skip_whitespace();
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      if (!value(depth + 1)) return false;
      skip_whitespace();
      if (peek() == ',') {
        ++pos_;
        skip_whitespace();
        continue;
      }
      if (peek() != ']') return false;
      ++pos_;
      return true;
    }
  }

  static bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  // Reads a string literal; `contents` (if given) receives the raw text between the quotes.
  bool string(std::string_view* contents) {
    std::size_t start = ++pos_;  // '"'
    while (!at_end()) {
      auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        if (contents != nullptr) *contents = text_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        ++pos_;
        char escaped = peek();
        if (escaped == 'u') {
          for (int i = 1; i <= 4; ++i) {
            if (pos_ + i >= text_.size() || !is_hex(text_[pos_ + i])) return false;
          }
          pos_ += 4;
        } else if (std::string_view("\"\\/bfnrt").find(escaped) == std::string_view::npos ||
                   escaped == '\0') {
          return false;
        }
      }
      ++pos_;
    }
    return false;
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool digits() {
    std::size_t start = pos_;
    while (peek() >= '0' && peek() <= '9') ++pos_;
    return pos_ > start;
  }

  bool number() {
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (!digits()) {
      return false;
    }
    if (peek() == '.') {
      ++pos_;
      if (!digits()) return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!digits()) return false;
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

InvocationResponse handle(InvocationRequest& request) {
  EventScanner event(request.payload);
  bool is_json = event.scan();
  if (is_json && event.echo) {
    return InvocationResponse::success(std::move(request.payload));
  }
  if (is_json && event.fail) {
    return InvocationResponse::failure("failure requested by the event", "HelloCpp.Failure");
  }
  std::string body;
  body.reserve(request.payload.size() + 48);
  body.append(R"({"message":"hello from C++","input":)");
  if (is_json) {
    body.append(request.payload);
  } else if (is_blank(request.payload)) {
    body.append("null");
  } else {
    nimbus::lambda::append_json_string(body, request.payload);
  }
  body.push_back('}');
  return InvocationResponse::success(std::move(body));
}

}  // namespace

int main() {
  if (std::getenv("HELLO_CPP_INIT_ERROR") != nullptr) {
    nimbus::lambda::report_init_error("init failure requested by HELLO_CPP_INIT_ERROR",
                                      "HelloCpp.InitError");
    return 1;
  }
  return nimbus::lambda::run_handler(handle);
}
