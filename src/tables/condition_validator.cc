// Validation of a parsed condition: resolves its placeholders and finds the
// error DynamoDB would report first, if any.
#include "tables/expression_internal.h"

namespace nimbus::tables {
namespace expr {

bool IsConditionFunction(const std::string& name) {
  return name == "attribute_exists" || name == "attribute_not_exists" || name == "attribute_type" ||
         name == "begins_with" || name == "contains" || name == "size";
}

namespace {

// DynamoDB caps the operands of IN.
constexpr size_t kMaxInOperands = 100;

// The errors of one atomic condition (a comparison, BETWEEN, IN or a
// function), by category in DynamoDB's order of precedence.
struct LocalErrors {
  FirstError undefined;  // names and values
  FirstError operands;
  FirstError distinct;
  FirstError function;

  std::optional<std::string> First() const {
    for (const FirstError* e : {&undefined, &operands, &distinct, &function}) {
      if (*e) return e->message;
    }
    return std::nullopt;
  }
};

size_t Arity(const std::string& name) {
  return name == "attribute_exists" || name == "attribute_not_exists" || name == "size" ? 1 : 2;
}

// The type an operand is known to have before any item is seen.
std::optional<ValueType> StaticType(const Node& n) {
  if (n.kind == Kind::kValue && !n.undefined) return n.value.type();
  if (n.kind == Kind::kFunction && n.name == "size") return ValueType::kN;
  return std::nullopt;
}

std::string OperandTypeError(const std::string& function, const std::string& type) {
  return "Incorrect operand type for operator or function; operator or function: " + function +
         ", operand type: " + type;
}

std::string DistinctError(const std::string& op, const Path& path) {
  return "The first operand must be distinct from the remaining operands for this operator or "
         "function; operator: " +
         op + ", first operand: " + PathToString(path);
}

class ConditionValidator {
 public:
  explicit ConditionValidator(ExpressionContext* context) : context_(context) {}

  void Condition(Node* n) {
    switch (n->kind) {
      case Kind::kAnd:
      case Kind::kOr:
      case Kind::kNot:
        for (auto& child : n->children) Condition(child.get());
        return;
      default:
        break;
    }
    LocalErrors local;
    if (n->kind == Kind::kFunction) {
      if (n->name == "size") Misused(n->name);
      Function(n, &local);
    } else {
      for (auto& child : n->children) Operand(child.get(), &local);
      if (n->kind == Kind::kCompare) {
        Distinct(CompareOpText(n->op), *n->children[0], *n->children[1], &local);
      } else if (n->kind == Kind::kBetween) {
        BetweenBounds(*n->children[1], *n->children[2], &local);
      } else if (n->kind == Kind::kIn && n->children.size() - 1 > kMaxInOperands) {
        local.operands.Set(
            "The IN operator is provided with too many operands; number of operands: " +
            std::to_string(n->children.size() - 1));
      }
    }
    if (auto message = local.First()) condition_.Set(*message);
  }

  // DynamoDB's order: unknown functions, misused functions, reserved words,
  // then the first atomic condition's own error.
  std::optional<std::string> First() const {
    for (const FirstError* e : {&unknown_function_, &misused_function_, &reserved_, &condition_}) {
      if (*e) return e->message;
    }
    return std::nullopt;
  }

 private:
  void Misused(const std::string& name) {
    misused_function_.Set(
        "The function is not allowed to be used this way in an expression; function: " + name);
  }

  void Operand(Node* n, LocalErrors* local) {
    switch (n->kind) {
      case Kind::kPath:
        ResolvePath(n, context_, &reserved_, &local->undefined);
        break;
      case Kind::kValue:
        ResolveValue(n, context_, &local->undefined);
        break;
      case Kind::kFunction:
        if (n->name != "size" && IsConditionFunction(n->name)) Misused(n->name);
        Function(n, local);
        break;
      default:
        break;
    }
  }

  void Distinct(const std::string& op, const Node& a, const Node& b, LocalErrors* local) {
    if (a.kind == Kind::kPath && b.kind == Kind::kPath && a.path == b.path) {
      local->distinct.Set(DistinctError(op, a.path));
    }
  }

  void BetweenBounds(const Node& lower, const Node& upper, LocalErrors* local) {
    if (lower.kind != Kind::kValue || upper.kind != Kind::kValue || lower.undefined ||
        upper.undefined) {
      return;
    }
    std::string operands = "lower bound operand: AttributeValue: {" + DescribeValue(lower.value) +
                           "}, upper bound operand: AttributeValue: {" +
                           DescribeValue(upper.value) + "}";
    if (lower.value.type() != upper.value.type()) {
      local->function.Set(
          "The BETWEEN operator requires same data type for lower and upper bounds; " + operands);
    } else if (auto c = CompareScalars(lower.value, upper.value); c && *c > 0) {
      local->function.Set(
          "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " +
          operands);
    }
  }

  void Function(Node* f, LocalErrors* local) {
    for (auto& arg : f->children) Operand(arg.get(), local);
    const std::string& name = f->name;
    if (!IsConditionFunction(name)) {
      if (name == "if_not_exists" || name == "list_append") {
        unknown_function_.Set("The function is not allowed in a condition expression; function: " +
                              name);
      } else {
        unknown_function_.Set("Invalid function name; function: " + name);
      }
      return;
    }
    auto& args = f->children;
    if (args.size() != Arity(name)) {
      local->operands.Set(
          "Incorrect number of operands for operator or function; operator or function: " + name +
          ", number of operands: " + std::to_string(args.size()));
      return;
    }
    if (args.size() == 2) Distinct(name, *args[0], *args[1], local);
    if (name == "attribute_exists" || name == "attribute_not_exists") {
      if (args[0]->kind != Kind::kPath) {
        local->function.Set(
            "Operator or function requires a document path; operator or function: " + name);
      }
    } else if (name == "begins_with") {
      for (auto& arg : args) {
        auto type = StaticType(*arg);
        if (type && *type != ValueType::kS && *type != ValueType::kB) {
          local->function.Set(OperandTypeError(name, TypeName(*type)));
          break;
        }
      }
    } else if (name == "attribute_type") {
      auto type = StaticType(*args[1]);
      if (!type || *type != ValueType::kS) {
        local->function.Set(
            OperandTypeError(name, type ? TypeName(*type) : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"));
      } else if (!TypeFromName(args[1]->value.s())) {
        local->function.Set("Invalid attribute type name found; type: " + args[1]->value.s() +
                            ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
      }
    } else if (name == "size") {
      auto type = StaticType(*args[0]);
      if (type &&
          (*type == ValueType::kN || *type == ValueType::kBool || *type == ValueType::kNull)) {
        local->function.Set(OperandTypeError(name, TypeName(*type)));
      }
    }
  }

  ExpressionContext* context_;
  FirstError unknown_function_, misused_function_, reserved_, condition_;
};

}  // namespace

Status ValidateCondition(Node* root, ExpressionKind kind, ExpressionContext* context) {
  ConditionValidator validator(context);
  validator.Condition(root);
  if (auto message = validator.First()) return ExpressionError(kind, *message);
  return Status::Ok();
}

}  // namespace expr
}  // namespace nimbus::tables
