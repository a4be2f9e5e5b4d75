// Applying a parsed update expression to an item.
//
// DynamoDB evaluates every right-hand side against the item as it was, then
// writes. Target paths never overlap, so the writes are independent except
// for list positions: writes go in ascending path order (so that several
// appends past the end of one list land in index order) and removals in
// descending order (so that every index names the element it named in the
// original list).
#include <algorithm>

#include "tables/expression_internal.h"

namespace nimbus::tables {
namespace {

using expr::Kind;
using expr::Node;

constexpr char kInvalidPath[] =
    "The document path provided in the update expression is invalid for update";
constexpr char kWrongType[] = "An operand in the update expression has an incorrect data type";
constexpr char kMissingOperand[] =
    "The provided expression refers to an attribute that does not exist in the item";
constexpr char kTooDeep[] =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit";
constexpr size_t kMaxNesting = 32;

Result<Value> Evaluate(const Node& n, const Item& item) {
  switch (n.kind) {
    case Kind::kValue:
      return n.value;
    case Kind::kPath: {
      const Value* v = FindPath(item, n.path);
      if (v == nullptr) return InvalidArgument(kMissingOperand);
      return *v;
    }
    case Kind::kPlus:
    case Kind::kMinus: {
      ASSIGN_OR_RETURN(Value a, Evaluate(*n.children[0], item));
      ASSIGN_OR_RETURN(Value b, Evaluate(*n.children[1], item));
      if (!a.is(ValueType::kN) || !b.is(ValueType::kN)) return InvalidArgument(kWrongType);
      ASSIGN_OR_RETURN(Decimal r, n.kind == Kind::kPlus ? a.n().Add(b.n()) : a.n().Subtract(b.n()));
      return Value::N(r);
    }
    case Kind::kFunction:
      if (n.name == "if_not_exists") {
        if (const Value* v = FindPath(item, n.children[0]->path)) return *v;
        return Evaluate(*n.children[1], item);
      } else {
        ASSIGN_OR_RETURN(Value a, Evaluate(*n.children[0], item));
        ASSIGN_OR_RETURN(Value b, Evaluate(*n.children[1], item));
        if (!a.is(ValueType::kL) || !b.is(ValueType::kL)) return InvalidArgument(kWrongType);
        Value::List joined = a.l();
        joined.insert(joined.end(), b.l().begin(), b.l().end());
        return Value::L(std::move(joined));
      }
    default:
      return Internal("unexpected node in an update value");
  }
}

// The container a path's last step lives in, or null when a step before it
// is missing or of the wrong kind.
Value* Parent(Item* item, const Path& path) {
  Path prefix(path.begin(), path.end() - 1);
  return FindPath(item, prefix);
}

Status Write(Item* item, const Path& path, Value value) {
  if (path.size() == 1) {
    (*item)[path[0].name] = std::move(value);
    return Status::Ok();
  }
  Value* parent = Parent(item, path);
  if (parent == nullptr) return InvalidArgument(kInvalidPath);
  const PathElement& last = path.back();
  if (last.is_index) {
    if (!parent->is(ValueType::kL)) return InvalidArgument(kInvalidPath);
    Value::List& list = parent->l();
    if (last.index < list.size()) {
      list[last.index] = std::move(value);
    } else {
      list.push_back(std::move(value));  // past the end appends
    }
  } else {
    if (!parent->is(ValueType::kM)) return InvalidArgument(kInvalidPath);
    parent->m()[last.name] = std::move(value);
  }
  return Status::Ok();
}

Status Remove(Item* item, const Path& path) {
  if (path.size() == 1) {
    item->erase(path[0].name);
    return Status::Ok();
  }
  Value* parent = Parent(item, path);
  if (parent == nullptr) return InvalidArgument(kInvalidPath);
  const PathElement& last = path.back();
  if (last.is_index) {
    if (!parent->is(ValueType::kL)) return InvalidArgument(kInvalidPath);
    Value::List& list = parent->l();
    if (last.index < list.size()) list.erase(list.begin() + last.index);
  } else {
    if (!parent->is(ValueType::kM)) return InvalidArgument(kInvalidPath);
    parent->m().erase(last.name);
  }
  return Status::Ok();
}

// ADD: numbers add (a missing attribute counting as zero), sets unite.
Result<Value> Add(const Value* existing, const Value& operand) {
  if (existing == nullptr) return operand;
  if (existing->is(ValueType::kN) && operand.is(ValueType::kN)) {
    ASSIGN_OR_RETURN(Decimal sum, existing->n().Add(operand.n()));
    return Value::N(sum);
  }
  if (existing->IsSet() && existing->type() == operand.type()) return SetUnion(*existing, operand);
  return InvalidArgument(kWrongType);
}

struct PendingWrite {
  const Path* path;
  Value value;
};

}  // namespace

Result<UpdateResult> ApplyUpdate(const UpdatePlan& plan, const Item& old_item,
                                 const std::vector<std::string>& key_names) {
  if (!key_names.empty()) RETURN_IF_ERROR(CheckKeyAttributesNotUpdated(plan, key_names));
  UpdateResult result;
  std::vector<PendingWrite> writes;
  std::vector<const Path*> removals;
  for (const auto& action : plan.root().children) {
    const Path& path = action->children[0]->path;
    result.updated_paths.push_back(path);
    result.updated_attributes.insert(path[0].name);
    switch (action->kind) {
      case Kind::kSetAction: {
        ASSIGN_OR_RETURN(Value v, Evaluate(*action->children[1], old_item));
        writes.push_back({&path, std::move(v)});
        break;
      }
      case Kind::kRemoveAction:
        removals.push_back(&path);
        break;
      case Kind::kAddAction: {
        ASSIGN_OR_RETURN(Value v, Add(FindPath(old_item, path), action->children[1]->value));
        writes.push_back({&path, std::move(v)});
        break;
      }
      case Kind::kDeleteAction: {
        const Value* existing = FindPath(old_item, path);
        const Value& operand = action->children[1]->value;
        if (existing == nullptr) {
          removals.push_back(&path);  // nothing to delete; the path must still be valid
          break;
        }
        if (existing->type() != operand.type()) return InvalidArgument(kWrongType);
        Value rest = SetDifference(*existing, operand);
        if (rest.SetSize() == 0) {
          removals.push_back(&path);  // an emptied set disappears
        } else {
          writes.push_back({&path, std::move(rest)});
        }
        break;
      }
      default:
        return Internal("unexpected node in an update plan");
    }
  }

  result.item = old_item;
  std::stable_sort(writes.begin(), writes.end(),
                   [](const PendingWrite& a, const PendingWrite& b) { return *a.path < *b.path; });
  for (PendingWrite& w : writes) RETURN_IF_ERROR(Write(&result.item, *w.path, std::move(w.value)));
  std::stable_sort(removals.begin(), removals.end(),
                   [](const Path* a, const Path* b) { return *b < *a; });
  for (const Path* p : removals) RETURN_IF_ERROR(Remove(&result.item, *p));

  for (const std::string& name : result.updated_attributes) {
    auto it = result.item.find(name);
    if (it != result.item.end() && NestingDepth(it->second) > kMaxNesting) {
      return InvalidArgument(kTooDeep);
    }
  }
  return result;
}

}  // namespace nimbus::tables
