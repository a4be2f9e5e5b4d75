// The condition grammar: ConditionExpression, FilterExpression and the
// syntax of KeyConditionExpression (condition_validator.cc checks the result).
//
//   condition  := disjunct (OR disjunct)*
//   disjunct   := conjunct (AND conjunct)*
//   conjunct   := NOT conjunct | comparison
//   comparison := atom [comparator atom | BETWEEN atom AND atom | IN ( atom, ... )]
//   atom       := ( condition ) [path steps] | function ( atom, ... ) | :value | path
//
// Operands and conditions share one grammar and are told apart afterwards, so
// parsing needs no backtracking; a node in the wrong role is a syntax error
// at the token that follows it.
#include "core/strings.h"
#include "tables/expression_internal.h"

namespace nimbus::tables {
namespace expr {
namespace {

bool IsConditionKeyword(std::string_view text) {
  return EqualsIgnoreCase(text, "AND") || EqualsIgnoreCase(text, "OR") ||
         EqualsIgnoreCase(text, "NOT") || EqualsIgnoreCase(text, "BETWEEN") ||
         EqualsIgnoreCase(text, "IN");
}

class ConditionParser : public Parser {
 public:
  using Parser::Parser;

  Result<std::unique_ptr<Node>> Parse() {
    ASSIGN_OR_RETURN(auto root, ParseOr());
    RETURN_IF_ERROR(RequireCondition(*root));
    if (!At(TokenType::kEnd)) return SyntaxError();
    return root;
  }

  bool redundant_parentheses() const { return redundant_parentheses_; }
  int operators() const { return operators_; }

 private:
  Status RequireCondition(const Node& n) const {
    if (n.IsOperand() && n.kind != Kind::kFunction) return SyntaxErrorAt(n.end_token);
    return Status::Ok();
  }
  Status RequireOperand(const Node& n) const {
    if (!n.IsOperand()) return SyntaxErrorAt(n.end_token);
    return Status::Ok();
  }

  std::unique_ptr<Node> Combine(Kind kind, std::unique_ptr<Node> a, std::unique_ptr<Node> b) {
    auto n = std::make_unique<Node>(kind);
    n->children.push_back(std::move(a));
    if (b) n->children.push_back(std::move(b));
    n->end_token = position();
    ++operators_;
    return n;
  }

  Result<std::unique_ptr<Node>> ParseOr() {
    ASSIGN_OR_RETURN(auto left, ParseAnd());
    while (AtKeyword("OR")) {
      RETURN_IF_ERROR(RequireCondition(*left));
      Next();
      ASSIGN_OR_RETURN(auto right, ParseAnd());
      RETURN_IF_ERROR(RequireCondition(*right));
      left = Combine(Kind::kOr, std::move(left), std::move(right));
    }
    return left;
  }

  Result<std::unique_ptr<Node>> ParseAnd() {
    ASSIGN_OR_RETURN(auto left, ParseNot());
    while (AtKeyword("AND")) {
      RETURN_IF_ERROR(RequireCondition(*left));
      Next();
      ASSIGN_OR_RETURN(auto right, ParseNot());
      RETURN_IF_ERROR(RequireCondition(*right));
      left = Combine(Kind::kAnd, std::move(left), std::move(right));
    }
    return left;
  }

  Result<std::unique_ptr<Node>> ParseNot() {
    if (!AtKeyword("NOT")) return ParseComparison();
    RETURN_IF_ERROR(Enter());
    Next();
    ASSIGN_OR_RETURN(auto operand, ParseNot());
    Leave();
    RETURN_IF_ERROR(RequireCondition(*operand));
    return Combine(Kind::kNot, std::move(operand), nullptr);
  }

  Result<std::unique_ptr<Node>> ParseComparison() {
    ASSIGN_OR_RETURN(auto left, ParseAtom());
    std::optional<CompareOp> op;
    switch (Peek().type) {
      case TokenType::kEq:
        op = CompareOp::kEq;
        break;
      case TokenType::kNe:
        op = CompareOp::kNe;
        break;
      case TokenType::kLt:
        op = CompareOp::kLt;
        break;
      case TokenType::kLe:
        op = CompareOp::kLe;
        break;
      case TokenType::kGt:
        op = CompareOp::kGt;
        break;
      case TokenType::kGe:
        op = CompareOp::kGe;
        break;
      default:
        break;
    }
    if (op) {
      RETURN_IF_ERROR(RequireOperand(*left));
      Next();
      ASSIGN_OR_RETURN(auto right, ParseOperand());
      auto n = Combine(Kind::kCompare, std::move(left), std::move(right));
      n->op = *op;
      return n;
    }
    if (AtKeyword("BETWEEN")) {
      RETURN_IF_ERROR(RequireOperand(*left));
      Next();
      ASSIGN_OR_RETURN(auto lower, ParseOperand());
      if (!AtKeyword("AND")) return SyntaxError();
      Next();
      ASSIGN_OR_RETURN(auto upper, ParseOperand());
      auto n = Combine(Kind::kBetween, std::move(left), std::move(lower));
      n->children.push_back(std::move(upper));
      return n;
    }
    if (AtKeyword("IN")) {
      RETURN_IF_ERROR(RequireOperand(*left));
      Next();
      RETURN_IF_ERROR(Expect(TokenType::kLParen));
      auto n = std::make_unique<Node>(Kind::kIn);
      n->children.push_back(std::move(left));
      for (;;) {
        ASSIGN_OR_RETURN(auto candidate, ParseOperand());
        n->children.push_back(std::move(candidate));
        if (!At(TokenType::kComma)) break;
        Next();
      }
      RETURN_IF_ERROR(Expect(TokenType::kRParen));
      n->end_token = position();
      ++operators_;
      return n;
    }
    return left;  // a bare operand; the caller decides whether it may stand here
  }

  Result<std::unique_ptr<Node>> ParseOperand() {
    ASSIGN_OR_RETURN(auto n, ParseAtom());
    RETURN_IF_ERROR(RequireOperand(*n));
    return n;
  }

  Result<std::unique_ptr<Node>> ParseAtom() {
    const Token& t = Peek();
    if (t.type == TokenType::kLParen) {
      RETURN_IF_ERROR(Enter());
      Next();
      ASSIGN_OR_RETURN(auto inner, ParseOr());
      RETURN_IF_ERROR(Expect(TokenType::kRParen));
      Leave();
      if (inner->parenthesized) redundant_parentheses_ = true;
      inner->parenthesized = true;
      // A parenthesised path may go on, (a.b).c, and is then no longer
      // parenthesised as a whole.
      if (inner->kind == Kind::kPath) {
        size_t steps = inner->raw_path.size();
        RETURN_IF_ERROR(ParsePathSteps(inner.get(), IsConditionKeyword));
        if (inner->raw_path.size() != steps) inner->parenthesized = false;
      }
      inner->end_token = position();
      return inner;
    }
    if (t.type == TokenType::kIdentifier && !IsConditionKeyword(t.text) &&
        Peek(1).type == TokenType::kLParen) {
      auto n = std::make_unique<Node>(Kind::kFunction);
      n->name = std::string(t.text);
      Next();
      Next();
      RETURN_IF_ERROR(Enter());
      for (;;) {
        ASSIGN_OR_RETURN(auto arg, ParseOperand());
        n->children.push_back(std::move(arg));
        if (!At(TokenType::kComma)) break;
        Next();
      }
      RETURN_IF_ERROR(Expect(TokenType::kRParen));
      Leave();
      n->end_token = position();
      ++operators_;
      return n;
    }
    if (t.type == TokenType::kValue) {
      auto n = std::make_unique<Node>(Kind::kValue);
      n->placeholder = std::string(t.text);
      Next();
      n->end_token = position();
      return n;
    }
    ASSIGN_OR_RETURN(auto path, ParsePath(IsConditionKeyword));
    path->end_token = position();
    return path;
  }

  bool redundant_parentheses_ = false;
  int operators_ = 0;
};

void CollectTopLevel(const Node& n, std::set<std::string>* out) {
  if (n.kind == Kind::kPath && !n.path.empty()) out->insert(n.path[0].name);
  for (const auto& child : n.children) CollectTopLevel(*child, out);
}

}  // namespace

Result<std::shared_ptr<Node>> ParseConditionTree(std::string_view text, ExpressionKind kind,
                                                 ExpressionContext* context) {
  RETURN_IF_ERROR(CheckExpressionText(text, kind));
  ConditionParser parser(text, kind);
  ASSIGN_OR_RETURN(std::unique_ptr<Node> root, parser.Parse());
  if (parser.operators() > kMaxOperators) {
    return ExpressionError(kind, "The expression contains too many operators; operator count: " +
                                     std::to_string(parser.operators()));
  }
  if (parser.redundant_parentheses()) {
    return ExpressionError(kind, "The expression has redundant parentheses;");
  }
  RETURN_IF_ERROR(ValidateCondition(root.get(), kind, context));
  return std::shared_ptr<Node>(std::move(root));
}

}  // namespace expr

Result<Condition> ParseCondition(std::string_view text, ExpressionKind kind,
                                 ExpressionContext* context) {
  ASSIGN_OR_RETURN(auto root, expr::ParseConditionTree(text, kind, context));
  return Condition(std::move(root));
}

std::set<std::string> TopLevelAttributes(const Condition& condition) {
  std::set<std::string> out;
  expr::CollectTopLevel(condition.root(), &out);
  return out;
}

}  // namespace nimbus::tables
