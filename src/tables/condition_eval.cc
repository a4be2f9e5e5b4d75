// Evaluation of condition and filter expressions against an item.
#include "tables/expression_internal.h"

namespace nimbus::tables {
namespace expr {
namespace {

// An operand's value: a pointer into the item or the expression, or a value
// computed on the spot (size()). Null when the operand has no value.
struct Operand {
  const Value* value = nullptr;
  Value computed;
};

// UTF-16 code units, which is how DynamoDB's size() counts a string.
size_t Utf16Length(const std::string& s) {
  size_t units = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++units;  // each code point's first byte
    if (c >= 0xF0) ++units;           // beyond the BMP: a surrogate pair
  }
  return units;
}

std::optional<size_t> SizeOf(const Value& v) {
  switch (v.type()) {
    case ValueType::kS:
      return Utf16Length(v.s());
    case ValueType::kB:
      return v.b().size();
    case ValueType::kSS:
    case ValueType::kNS:
    case ValueType::kBS:
      return v.SetSize();
    case ValueType::kL:
      return v.l().size();
    case ValueType::kM:
      return v.m().size();
    default:
      return std::nullopt;
  }
}

void Resolve(const Node& n, const Item& item, Operand* out) {
  switch (n.kind) {
    case Kind::kPath:
      out->value = FindPath(item, n.path);
      return;
    case Kind::kValue:
      out->value = &n.value;
      return;
    case Kind::kFunction: {
      // size() is the only function that is an operand.
      Operand inner;
      Resolve(*n.children[0], item, &inner);
      if (inner.value == nullptr) return;
      if (auto size = SizeOf(*inner.value)) {
        out->computed = Value::N(Decimal::FromInt(static_cast<int64_t>(*size)));
        out->value = &out->computed;
      }
      return;
    }
    default:
      return;
  }
}

bool StartsWith(const Value& a, const Value& prefix) {
  if (a.is(ValueType::kS) && prefix.is(ValueType::kS)) return a.s().starts_with(prefix.s());
  if (a.is(ValueType::kB) && prefix.is(ValueType::kB)) return a.b().starts_with(prefix.b());
  return false;
}

bool Contains(const Value& a, const Value& element) {
  switch (a.type()) {
    case ValueType::kS:
      return element.is(ValueType::kS) && a.s().find(element.s()) != std::string::npos;
    case ValueType::kB:
      return element.is(ValueType::kB) && a.b().find(element.b()) != std::string::npos;
    case ValueType::kSS:
    case ValueType::kNS:
    case ValueType::kBS:
      return SetContains(a, element);
    case ValueType::kL:
      for (const Value& v : a.l()) {
        if (v == element) return true;
      }
      return false;
    default:
      return false;
  }
}

bool EvalFunction(const Node& f, const Item& item) {
  const std::string& name = f.name;
  if (name == "attribute_exists") return FindPath(item, f.children[0]->path) != nullptr;
  if (name == "attribute_not_exists") return FindPath(item, f.children[0]->path) == nullptr;
  Operand a, b;
  Resolve(*f.children[0], item, &a);
  Resolve(*f.children[1], item, &b);
  if (a.value == nullptr || b.value == nullptr) return false;
  if (name == "attribute_type")
    return b.value->is(ValueType::kS) && a.value->TypeName() == b.value->s();
  if (name == "begins_with") return StartsWith(*a.value, *b.value);
  if (name == "contains") return Contains(*a.value, *b.value);
  return false;
}

bool EvalCompare(CompareOp op, const Value* a, const Value* b) {
  if (op == CompareOp::kEq) return a != nullptr && b != nullptr && *a == *b;
  if (op == CompareOp::kNe) return !(a != nullptr && b != nullptr && *a == *b);
  if (a == nullptr || b == nullptr) return false;
  auto c = CompareScalars(*a, *b);
  if (!c) return false;
  switch (op) {
    case CompareOp::kLt:
      return *c < 0;
    case CompareOp::kLe:
      return *c <= 0;
    case CompareOp::kGt:
      return *c > 0;
    case CompareOp::kGe:
      return *c >= 0;
    default:
      return false;
  }
}

bool Eval(const Node& n, const Item& item) {
  switch (n.kind) {
    case Kind::kAnd:
      return Eval(*n.children[0], item) && Eval(*n.children[1], item);
    case Kind::kOr:
      return Eval(*n.children[0], item) || Eval(*n.children[1], item);
    case Kind::kNot:
      return !Eval(*n.children[0], item);
    case Kind::kFunction:
      return EvalFunction(n, item);
    case Kind::kCompare: {
      Operand a, b;
      Resolve(*n.children[0], item, &a);
      Resolve(*n.children[1], item, &b);
      return EvalCompare(n.op, a.value, b.value);
    }
    case Kind::kBetween: {
      Operand x, lo, hi;
      Resolve(*n.children[0], item, &x);
      Resolve(*n.children[1], item, &lo);
      Resolve(*n.children[2], item, &hi);
      if (x.value == nullptr || lo.value == nullptr || hi.value == nullptr) return false;
      auto c1 = CompareScalars(*x.value, *lo.value);
      auto c2 = CompareScalars(*x.value, *hi.value);
      return c1 && c2 && *c1 >= 0 && *c2 <= 0;
    }
    case Kind::kIn: {
      Operand x;
      Resolve(*n.children[0], item, &x);
      if (x.value == nullptr) return false;
      for (size_t i = 1; i < n.children.size(); ++i) {
        Operand candidate;
        Resolve(*n.children[i], item, &candidate);
        if (candidate.value != nullptr && *candidate.value == *x.value) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

}  // namespace
}  // namespace expr

Result<bool> Evaluate(const Condition& condition, const Item& item) {
  return expr::Eval(condition.root(), item);
}

}  // namespace nimbus::tables
