// The syntax of Serverless variables inside string values:
//
//   ${source:address}            ${self:custom.table}, ${env:HOME}, ${sls:stage}
//   ${source(param, ...):addr}   ${file(./config.yml):a.b}, ${strToBool(${env:X})}
//   ${a, b, 'literal'}           fallbacks, tried left to right; a literal
//                                ('text', "text", 12, true, false, null) ends the list
//   ${env:${opt:stage}_ARN}      variables nest inside addresses and parameters
//
// As in Serverless v3, `${` only starts a variable when a lower-case source
// name and ':' or '(' follow; anything else (`${AWS::Region}`, `${Bucket}`,
// `${Bucket.Arn}`) is CloudFormation's Fn::Sub syntax and stays as written.
// `\${` writes a literal "${". A nested `${...}` may also stand as a fallback
// (`${env:A, ${self:b}}`), which v3 rejects and older versions accepted.
//
// Parsing is pure and stateless; the resolver (variable_resolver.h) gives
// the result its meaning.
#pragma once

#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace nimbus::manifest {

struct Variable;

// A piece of a string: literal text or one variable.
struct Piece {
  std::string text;                          // when `variable` is null
  std::shared_ptr<const Variable> variable;  // otherwise
};

// A string that may contain variables.
struct Template {
  std::vector<Piece> pieces;

  bool HasVariables() const;
  // Exactly one variable and nothing else: the value keeps the variable's
  // type (object, number, bool) instead of becoming a string.
  bool IsSingleVariable() const;
  // The text when there are no variables (escapes already removed).
  std::string Text() const;
};

// One alternative of a variable.
struct Source {
  enum class Kind { kLiteral, kTyped, kNested };
  Kind kind = Kind::kLiteral;
  boost::json::value literal;  // kLiteral
  std::string type;            // kTyped: "self", "env", "file", ...
  bool has_params = false;
  std::vector<Template> params;  // kTyped with "(...)"
  bool has_address = false;
  Template address;                        // kTyped with ":..."
  std::shared_ptr<const Variable> nested;  // kNested: a `${...}` fallback
};

struct Variable {
  std::vector<Source> sources;  // first choice, then fallbacks
  std::string text;             // as written, "${env:X, 'y'}"
};

// Parses `value`. Errors (unterminated variable, bad literal) carry a plain
// message naming the offending index; the caller adds the position.
Result<Template> ParseTemplate(std::string_view value);

}  // namespace nimbus::manifest
