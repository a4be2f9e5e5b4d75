// DynamoDB's expression language: condition and filter expressions, key
// condition expressions, update expressions and projection expressions.
//
// Each Parse* function takes the expression text and the request's
// ExpressionContext (its ExpressionAttributeNames and -Values) and returns a
// parsed, validated, immutable expression or an InvalidArgument Status whose
// message is DynamoDB's, prefixed the way DynamoDB prefixes it
// ("Invalid ConditionExpression: ...", syntax errors as
// `Syntax error; token: "x", near: "a x b"`). Evaluation never needs the
// context again: placeholders are resolved while parsing.
//
// Parsed expressions are cheap to copy and safe to share between threads. An
// ExpressionContext belongs to one request and one thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "tables/key_codec.h"
#include "tables/path.h"
#include "tables/value.h"

namespace nimbus::tables {

namespace expr {
struct Node;
}  // namespace expr

using ExpressionNames = std::map<std::string, std::string>;  // "#n" -> "name"
using ExpressionValues = std::map<std::string, Value>;       // ":v" -> value

// The request parameter an expression came from: it selects the message
// prefix and which grammar applies.
enum class ExpressionKind { kCondition, kFilter, kKeyCondition, kUpdate, kProjection };

// The placeholders of one request and which of them its expressions used.
// Parse every expression of the request with the same context, then call
// CheckAllUsed().
class ExpressionContext {
 public:
  // nullptr: the request had no such parameter.
  ExpressionContext(const ExpressionNames* names, const ExpressionValues* values)
      : names_(names), values_(values) {}

  // The checks on the maps themselves: not empty when present, keys of the
  // form #name / :name.
  Status ValidateMaps() const;
  // "Value provided in ExpressionAttributeNames unused in expressions: keys:
  // {#a, #b}" (names first, then values); keys listed in sorted order.
  Status CheckAllUsed() const;

  // For the parsers: the definition of a placeholder, marked as used; nullptr
  // when it is not defined.
  const std::string* UseName(const std::string& placeholder);
  const Value* UseValue(const std::string& placeholder);

 private:
  const ExpressionNames* names_;
  const ExpressionValues* values_;
  std::set<std::string> used_names_;
  std::set<std::string> used_values_;
};

// ---------------------------------------------------------------------------
// Condition and filter expressions.

class Condition {
 public:
  explicit Condition(std::shared_ptr<const expr::Node> root) : root_(std::move(root)) {}
  const expr::Node& root() const { return *root_; }

 private:
  std::shared_ptr<const expr::Node> root_;
};

// `kind` is kCondition or kFilter (the message prefix differs).
Result<Condition> ParseCondition(std::string_view text, ExpressionKind kind,
                                 ExpressionContext* context);

// Evaluates against an item (an empty item when none exists). DynamoDB's
// semantics: a comparison with a missing attribute or with operands of
// different types is false (so `<>` is true), functions on the wrong types
// are false. No error is raised at evaluation time today; the Result leaves
// room for one.
Result<bool> Evaluate(const Condition& condition, const Item& item);

// The top-level attribute names a condition reads (for "Filter Expression can
// only contain non-primary key attributes").
std::set<std::string> TopLevelAttributes(const Condition& condition);

// ---------------------------------------------------------------------------
// Key condition expressions (Query).

enum class RangeOp { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };

struct RangeCondition {
  RangeOp op = RangeOp::kEq;
  Value value;  // the bound; the lower bound for kBetween
  Value upper;  // kBetween only

  // Whether a sort key value satisfies the condition.
  bool Matches(const Value& sort_key) const;
};

struct KeyCondition {
  Value hash_value;
  std::optional<RangeCondition> range;
};

// Parses `pk = :v [AND <range condition on sk>]` for the table's or index's
// key schema, with DynamoDB's structural errors ("Query condition missed key
// schema element: pk", "Invalid operator used in KeyConditionExpression: OR",
// "Query key condition not supported", type mismatches...).
Result<KeyCondition> ParseKeyCondition(std::string_view text, const KeySchema& schema,
                                       ExpressionContext* context);

// ---------------------------------------------------------------------------
// Projection expressions.

class Projection {
 public:
  explicit Projection(std::vector<Path> paths) : paths_(std::move(paths)) {}
  const std::vector<Path>& paths() const { return paths_; }
  // The top-level attributes the projection reads.
  std::set<std::string> TopLevelAttributes() const;

 private:
  std::vector<Path> paths_;
};

Result<Projection> ParseProjection(std::string_view text, ExpressionContext* context);

// The parts of `item` the paths name, nested structure preserved: a list
// element `a[1]` comes back as a list holding that element (several elements
// of one list in index order), a map entry `m.k` as a map holding that entry.
// Missing paths are skipped.
Item Project(const Projection& projection, const Item& item);
Item ProjectPaths(const std::vector<Path>& paths, const Item& item);

// ---------------------------------------------------------------------------
// Update expressions.

class UpdatePlan {
 public:
  explicit UpdatePlan(std::shared_ptr<const expr::Node> root) : root_(std::move(root)) {}
  const expr::Node& root() const { return *root_; }
  // Every path the expression writes (SET, REMOVE, ADD and DELETE targets),
  // in the order written.
  std::vector<Path> TargetPaths() const;

 private:
  std::shared_ptr<const expr::Node> root_;
};

Result<UpdatePlan> ParseUpdate(std::string_view text, ExpressionContext* context);

// "One or more parameter values were invalid: Cannot update attribute pk.
// This attribute is part of the key" when any target path starts at a key
// attribute.
Status CheckKeyAttributesNotUpdated(const UpdatePlan& plan,
                                    const std::vector<std::string>& key_names);

struct UpdateResult {
  Item item;                                 // the item after the update
  std::vector<Path> updated_paths;           // the target paths, as written
  std::set<std::string> updated_attributes;  // their top-level attributes
};

// Applies an update to an item (an empty item, or just its key, when none
// exists). All right-hand sides read the item as it was before the update.
// Errors are DynamoDB's apply-time ValidationException messages ("The
// document path provided in the update expression is invalid for update",
// "An operand in the update expression has an incorrect data type", "The
// provided expression refers to an attribute that does not exist in the
// item", number overflow...). With key names given, the key check above runs
// first. UPDATED_OLD and UPDATED_NEW are ProjectPaths(updated_paths, old or
// new item).
Result<UpdateResult> ApplyUpdate(const UpdatePlan& plan, const Item& old_item,
                                 const std::vector<std::string>& key_names = {});

}  // namespace nimbus::tables
