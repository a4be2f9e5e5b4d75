// Internals shared by the expression parsers and evaluators: the token
// stream, the syntax tree and the parser's common machinery. Not for use
// outside src/tables; see expression.h for the interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "tables/expression.h"

namespace nimbus::tables {

// The message prefix of an expression kind: "Invalid ConditionExpression: ".
std::string ExpressionPrefix(ExpressionKind kind);
Status ExpressionError(ExpressionKind kind, const std::string& message);

namespace expr {

// ---------------------------------------------------------------------------
// Tokens.

enum class TokenType {
  kIdentifier,  // [A-Za-z_][A-Za-z0-9_]*: a name, keyword or function name
  kName,        // #placeholder
  kValue,       // :placeholder
  kNumber,      // digits (only valid as a list index)
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kInvalid,  // a character the language does not use
  kEnd,
};

struct Token {
  TokenType type;
  std::string_view text;  // "<EOF>" for kEnd
  size_t begin = 0;       // byte offsets into the expression
  size_t end = 0;
};

// DynamoDB's cap on the operators and functions of one expression.
inline constexpr int kMaxOperators = 300;

// Always ends with one kEnd token.
std::vector<Token> Tokenize(std::string_view text);

// The checks on the raw text every expression gets first: not empty, at most
// 4 KB (which also bounds the parsers' recursion).
Status CheckExpressionText(std::string_view text, ExpressionKind kind);

// ---------------------------------------------------------------------------
// Syntax tree. Parsers build it, validation resolves placeholders into it,
// and then it is shared read-only.

enum class Kind : uint8_t {
  kPath,      // raw_path, path
  kValue,     // placeholder, value
  kFunction,  // name, children = arguments
  kCompare,   // op, children = [left, right]
  kBetween,   // children = [operand, lower, upper]
  kIn,        // children = [operand, candidates...]
  kAnd,       // children = [left, right]
  kOr,
  kNot,   // children = [operand]
  kPlus,  // update values: children = [left, right]
  kMinus,
  // Update expressions: the root is kUpdate with one child per action.
  kUpdate,
  kSetAction,     // children = [path, value]
  kRemoveAction,  // children = [path]
  kAddAction,     // children = [path, value]
  kDeleteAction,  // children = [path, value]
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
const char* CompareOpText(CompareOp op);

struct RawPathElement {
  std::string text;  // identifier or #placeholder; empty for an index
  bool placeholder = false;
  bool is_index = false;
  uint32_t index = 0;
};

struct Node {
  explicit Node(Kind k) : kind(k) {}

  Kind kind;
  bool parenthesized = false;  // written inside its own parentheses
  size_t end_token = 0;        // index of the first token after the node

  std::vector<RawPathElement> raw_path;  // kPath, as written
  Path path;                             // kPath, resolved

  std::string placeholder;  // kValue, as written
  Value value;              // kValue, resolved
  bool undefined = false;   // kValue whose placeholder has no definition

  std::string name;  // kFunction
  CompareOp op = CompareOp::kEq;
  std::vector<std::unique_ptr<Node>> children;

  bool IsOperand() const {
    return kind == Kind::kPath || kind == Kind::kValue || kind == Kind::kFunction;
  }
};

// ---------------------------------------------------------------------------
// The machinery every grammar shares: a cursor over the tokens, syntax
// errors in DynamoDB's form, document paths and a nesting bound.

class Parser {
 public:
  Parser(std::string_view text, ExpressionKind kind);

  const Token& Peek(size_t ahead = 0) const;
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  size_t position() const { return pos_; }
  bool At(TokenType type) const { return Peek().type == type; }
  // A case-insensitive keyword (AND, SET...) at the cursor.
  bool AtKeyword(std::string_view keyword) const;

  // `Syntax error; token: "x", near: "a x b"` at the token at `index`.
  Status SyntaxErrorAt(size_t index) const;
  Status SyntaxError() const { return SyntaxErrorAt(pos_); }
  Status Expect(TokenType type);

  // A document path; `is_keyword` says which identifiers the grammar reserves
  // for itself (they cannot name attributes).
  Result<std::unique_ptr<Node>> ParsePath(bool (*is_keyword)(std::string_view));
  // Continues a path with `.name` and `[index]` steps.
  Status ParsePathSteps(Node* path, bool (*is_keyword)(std::string_view));

  // Bounds recursion so that hostile input cannot exhaust the stack.
  Status Enter();
  void Leave() { --depth_; }

  ExpressionKind kind() const { return kind_; }

 private:
  std::string_view text_;
  ExpressionKind kind_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

// ---------------------------------------------------------------------------
// Validation helpers shared by the grammars.

// Collects the first error of each category, in source order, so that the
// category DynamoDB reports first can win.
struct FirstError {
  std::optional<std::string> message;
  void Set(std::string m) {
    if (!message) message = std::move(m);
  }
  explicit operator bool() const { return message.has_value(); }
};

// Resolves a path's placeholders; records the first reserved bare name and
// the first undefined #name.
void ResolvePath(Node* node, ExpressionContext* context, FirstError* reserved,
                 FirstError* undefined_name);
// Resolves a value placeholder; records the first undefined one.
void ResolveValue(Node* node, ExpressionContext* context, FirstError* undefined_value);

// DynamoDB's rendering of a value in messages: "{S:a}" is written "S:a".
std::string DescribeValue(const Value& value);

// Two paths overlap when one is a prefix of the other, and conflict when they
// differ in kind (name against index) at the first position where they differ.
// Checks a list of target paths as DynamoDB does, in order.
void CheckPathOverlaps(const std::vector<const Path*>& paths, FirstError* overlap,
                       FirstError* conflict);

// attribute_exists, attribute_not_exists, attribute_type, begins_with,
// contains and size (names are case-sensitive).
bool IsConditionFunction(const std::string& name);

// Resolves a parsed condition's placeholders and checks it; the error is the
// one DynamoDB reports first.
Status ValidateCondition(Node* root, ExpressionKind kind, ExpressionContext* context);

// Parses and validates a condition-grammar expression (condition, filter or
// key condition): everything but the key condition's structural rules.
Result<std::shared_ptr<Node>> ParseConditionTree(std::string_view text, ExpressionKind kind,
                                                 ExpressionContext* context);

// Comparison semantics shared by conditions and key conditions: -1/0/1, or
// nullopt when the values are not comparable (different types, or types
// without an order).
std::optional<int> CompareScalars(const Value& a, const Value& b);

}  // namespace expr
}  // namespace nimbus::tables
