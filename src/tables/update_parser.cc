// The update grammar and its validation.
//
//   update  := clause+                       (each keyword at most once)
//   clause  := SET path = value [, ...] | REMOVE path [, ...]
//            | ADD path :value [, ...] | DELETE path :value [, ...]
//   value   := term [(+ | -) term]
//   term    := ( value ) | function ( term, ... ) | :value | path
#include <cctype>

#include "core/strings.h"
#include "tables/expression_internal.h"

namespace nimbus::tables {
namespace expr {
namespace {

bool IsUpdateKeyword(std::string_view text) {
  return EqualsIgnoreCase(text, "SET") || EqualsIgnoreCase(text, "REMOVE") ||
         EqualsIgnoreCase(text, "ADD") || EqualsIgnoreCase(text, "DELETE");
}

class UpdateParser : public Parser {
 public:
  using Parser::Parser;

  Result<std::unique_ptr<Node>> Parse() {
    auto root = std::make_unique<Node>(Kind::kUpdate);
    do {
      const Token& t = Peek();
      if (t.type != TokenType::kIdentifier || !IsUpdateKeyword(t.text)) return SyntaxError();
      std::string keyword(t.text);
      for (char& c : keyword) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (!seen_.insert(keyword).second) {
        duplicate_section_.Set("The \"" + keyword +
                               "\" section can only be used once in an update expression;");
      }
      Next();
      for (;;) {
        ASSIGN_OR_RETURN(auto action, ParseAction(keyword));
        root->children.push_back(std::move(action));
        if (!At(TokenType::kComma)) break;
        Next();
      }
      if (!At(TokenType::kEnd) && !(At(TokenType::kIdentifier) && IsUpdateKeyword(Peek().text))) {
        return SyntaxError();
      }
    } while (!At(TokenType::kEnd));
    return root;
  }

  const FirstError& duplicate_section() const { return duplicate_section_; }
  int operators() const { return operators_; }

 private:
  Result<std::unique_ptr<Node>> ParseAction(const std::string& keyword) {
    Kind kind = keyword == "SET"      ? Kind::kSetAction
                : keyword == "REMOVE" ? Kind::kRemoveAction
                : keyword == "ADD"    ? Kind::kAddAction
                                      : Kind::kDeleteAction;
    auto action = std::make_unique<Node>(kind);
    ASSIGN_OR_RETURN(auto path, ParsePath(IsUpdateKeyword));
    action->children.push_back(std::move(path));
    if (kind == Kind::kSetAction) {
      RETURN_IF_ERROR(Expect(TokenType::kEq));
      ASSIGN_OR_RETURN(auto value, ParseValue());
      action->children.push_back(std::move(value));
    } else if (kind != Kind::kRemoveAction) {
      if (!At(TokenType::kValue)) return SyntaxError();
      action->children.push_back(ValueNode());
    }
    return action;
  }

  std::unique_ptr<Node> ValueNode() {
    auto n = std::make_unique<Node>(Kind::kValue);
    n->placeholder = std::string(Next().text);
    return n;
  }

  Result<std::unique_ptr<Node>> ParseValue() {
    ASSIGN_OR_RETURN(auto left, ParseTerm());
    if (!At(TokenType::kPlus) && !At(TokenType::kMinus)) return left;
    auto n = std::make_unique<Node>(At(TokenType::kPlus) ? Kind::kPlus : Kind::kMinus);
    Next();
    ASSIGN_OR_RETURN(auto right, ParseTerm());
    n->children.push_back(std::move(left));
    n->children.push_back(std::move(right));
    ++operators_;
    return n;
  }

  Result<std::unique_ptr<Node>> ParseTerm() {
    const Token& t = Peek();
    if (t.type == TokenType::kLParen) {
      RETURN_IF_ERROR(Enter());
      Next();
      ASSIGN_OR_RETURN(auto inner, ParseValue());
      RETURN_IF_ERROR(Expect(TokenType::kRParen));
      Leave();
      inner->parenthesized = true;
      return inner;
    }
    if (t.type == TokenType::kIdentifier && !IsUpdateKeyword(t.text) &&
        Peek(1).type == TokenType::kLParen) {
      auto n = std::make_unique<Node>(Kind::kFunction);
      n->name = std::string(t.text);
      Next();
      Next();
      RETURN_IF_ERROR(Enter());
      for (;;) {
        ASSIGN_OR_RETURN(auto arg, ParseTerm());
        n->children.push_back(std::move(arg));
        if (!At(TokenType::kComma)) break;
        Next();
      }
      RETURN_IF_ERROR(Expect(TokenType::kRParen));
      Leave();
      ++operators_;
      return n;
    }
    if (t.type == TokenType::kValue) return ValueNode();
    return ParsePath(IsUpdateKeyword);
  }

  std::set<std::string> seen_;
  FirstError duplicate_section_;
  int operators_ = 0;
};

// DynamoDB's names for value types in ADD and DELETE messages.
const char* LongTypeName(ValueType type) {
  switch (type) {
    case ValueType::kS:
      return "STRING";
    case ValueType::kN:
      return "NUMBER";
    case ValueType::kB:
      return "BINARY";
    case ValueType::kNull:
      return "NULL";
    case ValueType::kBool:
      return "BOOLEAN";
    case ValueType::kL:
      return "LIST";
    case ValueType::kM:
      return "MAP";
    default:
      return TypeName(type);
  }
}

class UpdateValidator {
 public:
  explicit UpdateValidator(ExpressionContext* context) : context_(context) {}

  void Action(Node* action) {
    ResolvePath(action->children[0].get(), context_, &reserved_, &undefined_name_);
    if (action->kind == Kind::kSetAction) {
      ValueTree(action->children[1].get());
    } else if (action->kind != Kind::kRemoveAction) {
      Node* v = action->children[1].get();
      ResolveValue(v, context_, &undefined_value_);
      bool add = action->kind == Kind::kAddAction;
      if (!v->undefined && !v->value.IsSet() && !(add && v->value.is(ValueType::kN))) {
        operand_.Set(std::string("Incorrect operand type for operator or function; operator: ") +
                     (add ? "ADD" : "DELETE") + ", operand type: " + LongTypeName(v->value.type()) +
                     (add ? ", typeSet: ALLOWED_FOR_ADD_OPERAND" : ", typeSet: ALLOWED_FOR_DELETE_OPERAND"));
      }
    }
  }

  // DynamoDB's order of precedence among the categories.
  std::optional<std::string> First(const FirstError& duplicate_section,
                                   const std::vector<const Path*>& targets) {
    FirstError overlap, conflict;
    CheckPathOverlaps(targets, &overlap, &conflict);
    const FirstError* order[] = {&reserved_,       &unknown_function_, &duplicate_section,
                                 &undefined_name_, &undefined_value_,  &overlap,
                                 &conflict,        &operand_,          &function_};
    for (const FirstError* e : order) {
      if (*e) return e->message;
    }
    return std::nullopt;
  }

 private:
  // Values given directly as operands must already have the right type.
  void RequireImmediateType(const std::string& op, const Node& n, ValueType want) {
    if (n.kind == Kind::kValue && !n.undefined && !n.value.is(want)) {
      function_.Set("Incorrect operand type for operator or function; operator or function: " + op +
                    ", operand type: " + TypeName(n.value.type()));
    }
  }

  void ValueTree(Node* n) {
    switch (n->kind) {
      case Kind::kPath:
        ResolvePath(n, context_, &reserved_, &undefined_name_);
        return;
      case Kind::kValue:
        ResolveValue(n, context_, &undefined_value_);
        return;
      case Kind::kPlus:
      case Kind::kMinus:
        for (auto& child : n->children) ValueTree(child.get());
        for (auto& child : n->children) {
          RequireImmediateType(n->kind == Kind::kPlus ? "+" : "-", *child, ValueType::kN);
        }
        return;
      case Kind::kFunction:
        Function(n);
        return;
      default:
        return;
    }
  }

  void Function(Node* f) {
    for (auto& arg : f->children) ValueTree(arg.get());
    const std::string& name = f->name;
    if (name != "if_not_exists" && name != "list_append") {
      unknown_function_.Set(
          IsConditionFunction(name)
              ? "The function is not allowed in an update expression; function: " + name
              : "Invalid function name; function: " + name);
      return;
    }
    if (f->children.size() != 2) {
      function_.Set(
          "Incorrect number of operands for operator or function; operator or function: " + name +
          ", number of operands: " + std::to_string(f->children.size()));
      return;
    }
    if (name == "if_not_exists") {
      if (f->children[0]->kind != Kind::kPath) {
        function_.Set("Operator or function requires a document path; operator or function: " +
                      name);
      }
    } else {
      for (auto& arg : f->children) RequireImmediateType(name, *arg, ValueType::kL);
    }
  }

  ExpressionContext* context_;
  FirstError reserved_, unknown_function_, undefined_name_, undefined_value_, operand_, function_;
};

}  // namespace
}  // namespace expr

std::vector<Path> UpdatePlan::TargetPaths() const {
  std::vector<Path> out;
  for (const auto& action : root_->children) out.push_back(action->children[0]->path);
  return out;
}

Result<UpdatePlan> ParseUpdate(std::string_view text, ExpressionContext* context) {
  constexpr ExpressionKind kKind = ExpressionKind::kUpdate;
  RETURN_IF_ERROR(expr::CheckExpressionText(text, kKind));
  expr::UpdateParser parser(text, kKind);
  ASSIGN_OR_RETURN(std::unique_ptr<expr::Node> root, parser.Parse());
  if (parser.operators() > expr::kMaxOperators) {
    return ExpressionError(kKind, "The expression contains too many operators; operator count: " +
                                      std::to_string(parser.operators()));
  }
  expr::UpdateValidator validator(context);
  std::vector<const Path*> targets;
  for (auto& action : root->children) {
    validator.Action(action.get());
    targets.push_back(&action->children[0]->path);
  }
  if (auto message = validator.First(parser.duplicate_section(), targets)) {
    return ExpressionError(kKind, *message);
  }
  return UpdatePlan(std::shared_ptr<const expr::Node>(std::move(root)));
}

Status CheckKeyAttributesNotUpdated(const UpdatePlan& plan,
                                    const std::vector<std::string>& key_names) {
  for (const std::string& key : key_names) {
    for (const auto& action : plan.root().children) {
      const Path& path = action->children[0]->path;
      if (!path.empty() && !path[0].is_index && path[0].name == key) {
        return InvalidArgument(
            "One or more parameter values were invalid: Cannot update attribute " + key +
            ". This attribute is part of the key");
      }
    }
  }
  return Status::Ok();
}

}  // namespace nimbus::tables
