// Resolves Serverless variables in a Document, as Serverless v3 does before
// it reads any setting.
//
// Sources: self (this file), sls (stage, instanceId), opt (CLI options), env
// (environment), param (params.<stage> / params.default), file (YAML, JSON or
// text beside serverless.yml), aws (region, accountId) and strToBool. Remote
// sources (cf, ssm, s3) need AWS: they fall through to a fallback when one is
// given and are an error otherwise.
//
// Semantics worth knowing (all from v3):
//  * A value that is exactly one variable takes the referenced value's type
//    (object, number, bool); otherwise the string is interpolated and the
//    variables must yield strings, numbers or booleans.
//  * A source that finds nothing (null) passes to the next fallback; when none
//    is left: `Cannot resolve variable at "a.b": Value not found at "env" source`.
//  * ${self:} targets are resolved before they are read, so references chain;
//    a reference back to a value being resolved is a circular-reference error.
//  * A single-variable result that is a string holding variables (an env value,
//    a file's content) is resolved again, at most 10 levels deep.
//  * ${file()} content is resolved in the context of serverless.yml; ${self:}
//    inside an included file means serverless.yml.
//  * What variables produce is at most 16 MB in all (values that repeat other
//    values grow exponentially): past that, an error.
//
// Every error is positioned at the value being resolved (or, for content from
// another file, at its place in that file). One resolver resolves one Document
// in place, on one thread.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/platform.h"
#include "core/status.h"
#include "manifest/document.h"
#include "manifest/variable_syntax.h"

namespace nimbus::manifest {

struct ResolveContext {
  std::string service_dir;  // base of ${file()}; files outside it, even through links, are refused
  std::string stage;        // --stage; empty: provider.stage, else "dev"
  std::string region;       // --region; empty: provider.region, else kDefaultRegion
  std::string account_id{kDefaultAccountId};
  std::map<std::string, std::string> options;  // ${opt:name}
  std::map<std::string, std::string> env;      // ${env:NAME}
};

class VariableResolver {
 public:
  // `doc` is changed in place and must outlive the resolver.
  VariableResolver(Document* doc, ResolveContext context);

  // Resolves every variable of the document.
  Status ResolveAll();
  // Resolves the value at a dot path ("provider.stage", "a.0.b") and
  // everything below it; returns a copy, or null when there is no such value.
  Result<boost::json::value> ResolvePath(std::string_view dot_path);

  // The stage and region Serverless would deploy to (see ResolveContext).
  Result<std::string> Stage();
  Result<std::string> Region();

 private:
  using Path = std::vector<std::string>;

  // The outcome of one variable: a value, or which source came up empty.
  struct Found {
    std::optional<boost::json::value> value;
    bool resolved = false;  // already fully resolved (a copy from ${self:})
    std::string empty_source;
    bool unsupported = false;  // the last source was a remote one Nimbus lacks
  };

  boost::json::value* At(const Path& path);
  std::string Display(const Path& path) const;
  SourcePos PosOf(const std::string& display) const;

  Status ResolveTree(const Path& path);
  Status ResolveLeaf(const Path& path);
  // Resolves the values on the way to `path`; false when it does not exist.
  Result<bool> Walk(const Path& path);
  void MarkResolved(const Path& path, const boost::json::value& v);

  Result<Found> EvaluateTemplate(const Template& t, const std::string& where);
  Result<Found> EvaluateVariable(const Variable& v, const std::string& where);
  Result<Found> EvaluateSource(const Source& s, const std::string& where);
  Result<std::string> EvaluateText(const Template& t, const std::string& where);

  Result<Found> SelfSource(const std::string& address, const std::string& where);
  Result<Found> FileSource(const std::string& file, const std::string& address, bool has_address,
                           const std::string& where);
  Result<Found> ParamSource(const std::string& address);
  Status CycleError(const std::string& display) const;

  Document* doc_;
  ResolveContext ctx_;
  std::set<std::string> resolved_;                 // display paths of final strings
  std::vector<std::string> active_;                // leaves being resolved, outermost first
  std::map<std::string, int, std::less<>> depth_;  // nesting of values produced by variables
  std::map<std::string, Document> files_;          // ${file()} contents by absolute path
  size_t produced_bytes_ = 0;                      // text placed by variables so far
  std::optional<std::string> stage_, region_;
  std::string instance_id_;
};

// "a.b.0" -> {"a", "b", "0"}; "" -> {}.
std::vector<std::string> SplitDotPath(std::string_view dot_path);

// How JavaScript prints a value inside a string ("12", "1.5", "true"); nullopt
// for null, objects and arrays, which cannot be interpolated.
std::optional<std::string> InterpolationText(const boost::json::value& v);

}  // namespace nimbus::manifest
