// The lexer and the parser machinery all expression grammars share.
#include <limits>

#include "core/strings.h"
#include "tables/expression_internal.h"

namespace nimbus::tables {

std::string ExpressionPrefix(ExpressionKind kind) {
  switch (kind) {
    case ExpressionKind::kCondition:
      return "Invalid ConditionExpression: ";
    case ExpressionKind::kFilter:
      return "Invalid FilterExpression: ";
    case ExpressionKind::kKeyCondition:
      return "Invalid KeyConditionExpression: ";
    case ExpressionKind::kUpdate:
      return "Invalid UpdateExpression: ";
    case ExpressionKind::kProjection:
      return "Invalid ProjectionExpression: ";
  }
  return "";
}

Status ExpressionError(ExpressionKind kind, const std::string& message) {
  return InvalidArgument(ExpressionPrefix(kind) + message);
}

namespace expr {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentPart(char c) {
  return IsIdentStart(c) || (c >= '0' && c <= '9');
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The byte length of the UTF-8 sequence a lead byte starts (1 for anything
// that is not a valid lead byte), so an unexpected character is reported
// whole.
size_t Utf8Length(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8) return 4;
  if (c >= 0xE0) return c < 0xF0 ? 3 : 1;
  if (c >= 0xC0) return 2;
  return 1;
}

// DynamoDB's limit on the length of an expression.
constexpr size_t kMaxExpressionBytes = 4096;
// Deeper nesting is refused to keep the recursion's stack small (a few KB per
// level in sanitizer builds). Every level of sensible nesting adds an
// operator, so only expressions near or past DynamoDB's 300-operator cap get
// this deep; Enter() reports those past it by their operator count and the
// rest as a syntax error.
constexpr int kMaxDepth = 256;

}  // namespace

const char* CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "<>";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "";
}

Status CheckExpressionText(std::string_view text, ExpressionKind kind) {
  if (text.empty()) return ExpressionError(kind, "The expression can not be empty;");
  if (text.size() > kMaxExpressionBytes) {
    return ExpressionError(
        kind, "Expression size has exceeded the maximum allowed size; expression size: " +
                  std::to_string(text.size()));
  }
  return Status::Ok();
}

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0, n = text.size();
  auto add = [&](TokenType type, size_t begin, size_t end) {
    tokens.push_back({type, text.substr(begin, end - begin), begin, end});
  };
  while (i < n) {
    char c = text[i];
    size_t begin = i;
    if (IsSpace(c)) {
      ++i;
    } else if (IsIdentStart(c)) {
      while (i < n && IsIdentPart(text[i])) ++i;
      add(TokenType::kIdentifier, begin, i);
    } else if (c == '#' || c == ':') {
      ++i;
      while (i < n && IsIdentPart(text[i])) ++i;
      add(i == begin + 1 ? TokenType::kInvalid : (c == '#' ? TokenType::kName : TokenType::kValue),
          begin, i);
    } else if (c >= '0' && c <= '9') {
      while (i < n && text[i] >= '0' && text[i] <= '9') ++i;
      add(TokenType::kNumber, begin, i);
    } else if (c == '<' && i + 1 < n && (text[i + 1] == '=' || text[i + 1] == '>')) {
      i += 2;
      add(text[begin + 1] == '=' ? TokenType::kLe : TokenType::kNe, begin, i);
    } else if (c == '>' && i + 1 < n && text[i + 1] == '=') {
      i += 2;
      add(TokenType::kGe, begin, i);
    } else {
      TokenType type = TokenType::kInvalid;
      switch (c) {
        case '(':
          type = TokenType::kLParen;
          break;
        case ')':
          type = TokenType::kRParen;
          break;
        case '[':
          type = TokenType::kLBracket;
          break;
        case ']':
          type = TokenType::kRBracket;
          break;
        case ',':
          type = TokenType::kComma;
          break;
        case '.':
          type = TokenType::kDot;
          break;
        case '=':
          type = TokenType::kEq;
          break;
        case '<':
          type = TokenType::kLt;
          break;
        case '>':
          type = TokenType::kGt;
          break;
        case '+':
          type = TokenType::kPlus;
          break;
        case '-':
          type = TokenType::kMinus;
          break;
        default:
          break;
      }
      i += type == TokenType::kInvalid ? Utf8Length(static_cast<unsigned char>(c)) : 1;
      if (i > n) i = n;
      add(type, begin, i);
    }
  }
  size_t end = tokens.empty() ? 0 : tokens.back().end;
  tokens.push_back({TokenType::kEnd, "<EOF>", end, end});
  return tokens;
}

Parser::Parser(std::string_view text, ExpressionKind kind)
    : text_(text), kind_(kind), tokens_(Tokenize(text)) {}

const Token& Parser::Peek(size_t ahead) const {
  size_t i = pos_ + ahead;
  return tokens_[i < tokens_.size() ? i : tokens_.size() - 1];
}

bool Parser::AtKeyword(std::string_view keyword) const {
  const Token& t = Peek();
  return t.type == TokenType::kIdentifier && EqualsIgnoreCase(t.text, keyword);
}

Status Parser::SyntaxErrorAt(size_t index) const {
  if (index >= tokens_.size()) index = tokens_.size() - 1;
  const Token& t = tokens_[index];
  // DynamoDB quotes the offending token with its neighbours.
  size_t from = index > 0 ? tokens_[index - 1].begin : t.begin;
  size_t to = t.end;
  if (t.type != TokenType::kEnd && tokens_[index + 1].type != TokenType::kEnd) {
    to = tokens_[index + 1].end;
  }
  return ExpressionError(kind_, "Syntax error; token: \"" + std::string(t.text) + "\", near: \"" +
                                    std::string(text_.substr(from, to - from)) + "\"");
}

Status Parser::Expect(TokenType type) {
  if (!At(type)) return SyntaxError();
  Next();
  return Status::Ok();
}

Status Parser::Enter() {
  if (++depth_ <= kMaxDepth) return Status::Ok();
  // Too deep to parse: count the operators from the tokens instead.
  int operators = 0;
  bool update = kind_ == ExpressionKind::kUpdate;
  for (size_t i = 0; i + 1 < tokens_.size(); ++i) {
    const Token& t = tokens_[i];
    if (t.type == TokenType::kIdentifier && tokens_[i + 1].type == TokenType::kLParen) {
      ++operators;  // a function
    } else if (update) {
      operators += t.type == TokenType::kPlus || t.type == TokenType::kMinus;
    } else if (t.type >= TokenType::kEq && t.type <= TokenType::kGe) {
      ++operators;
    } else if (t.type == TokenType::kIdentifier) {
      // BETWEEN's AND is part of the BETWEEN.
      if (EqualsIgnoreCase(t.text, "BETWEEN")) --operators;
      for (const char* keyword : {"AND", "OR", "NOT", "BETWEEN", "IN"}) {
        operators += EqualsIgnoreCase(t.text, keyword);
      }
    }
  }
  if (operators <= kMaxOperators) return SyntaxError();
  return ExpressionError(kind_, "The expression contains too many operators; operator count: " +
                                    std::to_string(operators));
}

Result<std::unique_ptr<Node>> Parser::ParsePath(bool (*is_keyword)(std::string_view)) {
  const Token& t = Peek();
  auto node = std::make_unique<Node>(Kind::kPath);
  if (t.type == TokenType::kIdentifier && !is_keyword(t.text)) {
    node->raw_path.push_back({std::string(t.text), false, false, 0});
  } else if (t.type == TokenType::kName) {
    node->raw_path.push_back({std::string(t.text), true, false, 0});
  } else {
    return SyntaxError();
  }
  Next();
  RETURN_IF_ERROR(ParsePathSteps(node.get(), is_keyword));
  return node;
}

Status Parser::ParsePathSteps(Node* path, bool (*is_keyword)(std::string_view)) {
  for (;;) {
    if (At(TokenType::kDot)) {
      Next();
      const Token& t = Peek();
      if (t.type == TokenType::kIdentifier && !is_keyword(t.text)) {
        path->raw_path.push_back({std::string(t.text), false, false, 0});
      } else if (t.type == TokenType::kName) {
        path->raw_path.push_back({std::string(t.text), true, false, 0});
      } else {
        return SyntaxError();
      }
      Next();
    } else if (At(TokenType::kLBracket)) {
      Next();
      const Token& t = Peek();
      if (t.type != TokenType::kNumber) return SyntaxError();
      uint64_t index = 0;
      for (char c : t.text) {
        index = index * 10 + static_cast<uint64_t>(c - '0');
        if (index > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
          return SyntaxError();
        }
      }
      Next();
      RETURN_IF_ERROR(Expect(TokenType::kRBracket));
      path->raw_path.push_back({"", false, true, static_cast<uint32_t>(index)});
    } else {
      return Status::Ok();
    }
  }
}

}  // namespace expr
}  // namespace nimbus::tables
