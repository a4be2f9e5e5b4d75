// KeyConditionExpression: a condition in the condition grammar, restricted
// to an equality on the partition key and at most one range condition on the
// sort key.
#include <map>

#include "tables/expression_internal.h"

namespace nimbus::tables {
namespace {

using expr::Kind;
using expr::Node;

// One condition on one key attribute, as written.
struct KeyTerm {
  std::string attribute;
  const Node* node = nullptr;
  size_t attribute_index = 0;  // which operand is the attribute
};

Status Invalid(const std::string& message) {
  return InvalidArgument(message);
}

// DynamoDB's structural rules, checked in the order it checks them.
Status CollectTerms(const Node& n, std::vector<KeyTerm>* terms) {
  switch (n.kind) {
    case Kind::kOr:
      return Invalid("Invalid operator used in KeyConditionExpression: OR");
    case Kind::kNot:
      return Invalid("Invalid operator used in KeyConditionExpression: NOT");
    case Kind::kIn:
      return Invalid("Invalid operator used in KeyConditionExpression: IN");
    case Kind::kAnd:
      RETURN_IF_ERROR(CollectTerms(*n.children[0], terms));
      return CollectTerms(*n.children[1], terms);
    default:
      break;
  }
  if (n.kind == Kind::kCompare && n.op == expr::CompareOp::kNe) {
    return Invalid("Invalid operator used in KeyConditionExpression: <>");
  }
  if (n.kind == Kind::kFunction) {
    if (n.name == "size")
      return Invalid("KeyConditionExpressions cannot contain nested operations");
    if (n.name != "begins_with") {
      return Invalid("Invalid operator used in KeyConditionExpression: " + n.name);
    }
  }
  bool first_must_be_key = n.kind == Kind::kBetween || n.kind == Kind::kFunction;
  if (first_must_be_key && n.children[0]->kind != Kind::kPath) {
    return Invalid("Invalid condition in KeyConditionExpression: " +
                   std::string(n.kind == Kind::kBetween ? "BETWEEN" : "begins_with") +
                   " operator must have the key attribute as its first operand");
  }
  KeyTerm term;
  term.node = &n;
  bool found = false;
  for (size_t i = 0; i < n.children.size(); ++i) {
    const Node& operand = *n.children[i];
    if (operand.kind == Kind::kPath) {
      if (found) {
        return Invalid(
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
      }
      if (operand.path.size() > 1) {
        return Invalid("KeyConditionExpressions cannot have conditions on nested attributes");
      }
      found = true;
      term.attribute = operand.path[0].name;
      term.attribute_index = i;
    } else if (operand.kind == Kind::kFunction) {
      return Invalid("KeyConditionExpressions cannot contain nested operations");
    }
  }
  if (!found)
    return Invalid("Invalid condition in KeyConditionExpression: No key attribute specified");
  for (const KeyTerm& t : *terms) {
    if (t.attribute == term.attribute) {
      return Invalid("KeyConditionExpressions must only contain one condition per key");
    }
  }
  terms->push_back(term);
  return Status::Ok();
}

// Writes `:v < sk` as `sk > :v`.
RangeOp Mirrored(expr::CompareOp op, bool attribute_first) {
  switch (op) {
    case expr::CompareOp::kLt:
      return attribute_first ? RangeOp::kLt : RangeOp::kGt;
    case expr::CompareOp::kLe:
      return attribute_first ? RangeOp::kLe : RangeOp::kGe;
    case expr::CompareOp::kGt:
      return attribute_first ? RangeOp::kGt : RangeOp::kLt;
    case expr::CompareOp::kGe:
      return attribute_first ? RangeOp::kGe : RangeOp::kLe;
    default:
      return RangeOp::kEq;
  }
}

}  // namespace

bool RangeCondition::Matches(const Value& sort_key) const {
  if (op == RangeOp::kBeginsWith) {
    if (sort_key.is(ValueType::kS) && value.is(ValueType::kS)) {
      return sort_key.s().starts_with(value.s());
    }
    if (sort_key.is(ValueType::kB) && value.is(ValueType::kB)) {
      return sort_key.b().starts_with(value.b());
    }
    return false;
  }
  auto c = expr::CompareScalars(sort_key, value);
  if (!c) return false;
  switch (op) {
    case RangeOp::kEq:
      return *c == 0;
    case RangeOp::kLt:
      return *c < 0;
    case RangeOp::kLe:
      return *c <= 0;
    case RangeOp::kGt:
      return *c > 0;
    case RangeOp::kGe:
      return *c >= 0;
    case RangeOp::kBetween: {
      auto c2 = expr::CompareScalars(sort_key, upper);
      return *c >= 0 && c2 && *c2 <= 0;
    }
    default:
      return false;
  }
}

Result<KeyCondition> ParseKeyCondition(std::string_view text, const KeySchema& schema,
                                       ExpressionContext* context) {
  ASSIGN_OR_RETURN(auto root,
                   expr::ParseConditionTree(text, ExpressionKind::kKeyCondition, context));
  std::vector<KeyTerm> terms;
  RETURN_IF_ERROR(CollectTerms(*root, &terms));
  if (terms.size() > 2) return Invalid("Conditions can be of length 1 or 2 only");

  size_t schema_size = schema.range ? 2 : 1;
  if (terms.size() > schema_size) return Invalid("Query key condition not supported");
  auto find = [&terms](const std::string& name) -> const KeyTerm* {
    for (const KeyTerm& t : terms) {
      if (t.attribute == name) return &t;
    }
    return nullptr;
  };
  const KeyTerm* hash = find(schema.hash.name);
  if (hash == nullptr) {
    return Invalid("Query condition missed key schema element: " + schema.hash.name);
  }
  const KeyTerm* range = nullptr;
  if (terms.size() == 2) {
    range = find(schema.range->name);
    if (range == nullptr) {
      return Invalid("Query condition missed key schema element: " + schema.range->name);
    }
  }
  for (const KeyTerm* t : {hash, range}) {
    if (t == nullptr) continue;
    ValueType want = t == hash ? schema.hash.type : schema.range->type;
    for (const auto& operand : t->node->children) {
      if (operand->kind == Kind::kValue && operand->value.type() != want) {
        return Invalid(
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
      }
    }
  }
  const Node& h = *hash->node;
  if (h.kind != Kind::kCompare || h.op != expr::CompareOp::kEq) {
    return Invalid("Query key condition not supported");
  }

  KeyCondition out;
  out.hash_value = h.children[1 - hash->attribute_index]->value;
  if (range != nullptr) {
    const Node& r = *range->node;
    RangeCondition rc;
    if (r.kind == Kind::kBetween) {
      rc.op = RangeOp::kBetween;
      rc.value = r.children[1]->value;
      rc.upper = r.children[2]->value;
    } else if (r.kind == Kind::kFunction) {
      rc.op = RangeOp::kBeginsWith;
      rc.value = r.children[1]->value;
    } else {
      rc.op = Mirrored(r.op, range->attribute_index == 0);
      rc.value = r.children[1 - range->attribute_index]->value;
    }
    out.range = std::move(rc);
  }
  return out;
}

}  // namespace nimbus::tables
