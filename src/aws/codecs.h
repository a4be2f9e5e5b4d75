// The request side of each wire protocol, shared by every frontend:
//   JSON 1.0/1.1  the operation from X-Amz-Target, the input a JSON object;
//   rest-json and rest-xml  the operation from the method and a path
//                 template ("GET /2015-03-31/functions/{FunctionName}"), the
//                 input the path's labels, the query, the headers and a body;
//   query         the operation from the form's Action, the input the form.
// Decoding returns errors (Status with the reason kSerializationReason for a
// body that is not the protocol's shape); it never throws. Safe on any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/status.h"
#include "net/http.h"

namespace nimbus::aws {

// The Status reason of a body that is not valid for the protocol: frontends'
// error tables map it to the service's SerializationException (or its own
// name for it, e.g. Lambda's InvalidRequestContentException).
inline constexpr std::string_view kSerializationReason = "SerializationException";

// --- JSON 1.0/1.1 ------------------------------------------------------------

// The operation named by "X-Amz-Target: <prefix>.<Operation>" for one of
// `prefixes` ("DynamoDB_20120810"); nullopt when the header names none.
std::optional<std::string> JsonTarget(const net::HttpRequest& req,
                                      const std::vector<std::string>& prefixes);
// The request body as a JSON object; an empty body is {}.
Result<boost::json::object> DecodeJsonObject(std::string_view body);

// The typed members of a decoded JSON input. A member of the wrong type is a
// serialization error (kSerializationReason) naming it; an absent one is
// nullopt (or the default given).
class JsonMembers {
 public:
  explicit JsonMembers(const boost::json::object& object, std::string context = {});
  Result<std::optional<std::string>> String(std::string_view key) const;
  Result<std::string> String(std::string_view key, std::string fallback) const;
  Result<std::optional<int64_t>> Int(std::string_view key) const;
  Result<int64_t> Int(std::string_view key, int64_t fallback) const;
  Result<std::optional<bool>> Bool(std::string_view key) const;
  Result<bool> Bool(std::string_view key, bool fallback) const;
  Result<const boost::json::object*> Object(std::string_view key) const;  // nullptr when absent
  Result<const boost::json::array*> Array(std::string_view key) const;    // nullptr when absent
  // An array of strings (absent: empty).
  Result<std::vector<std::string>> Strings(std::string_view key) const;
  bool Has(std::string_view key) const;

 private:
  const boost::json::object& object_;
  std::string context_;
};

// --- rest-json and rest-xml ----------------------------------------------------

// One route: "METHOD /literal/{Label}/literal/{Greedy+}?subresource". A
// `{Label}` matches one path segment, `{Label+}` the rest of the path; every
// query key after `?` must be present in the request.
class RestRoute {
 public:
  static Result<RestRoute> Parse(std::string_view spec);
  // The labels (percent-decoded) when `req` matches.
  std::optional<std::map<std::string, std::string>> Match(const net::HttpRequest& req) const;
  // Literal segments first: a route with more of them is more specific.
  int specificity() const { return specificity_; }

 private:
  struct Segment {
    std::string text;  // literal text, or the label's name
    bool label = false;
    bool greedy = false;
  };
  std::string method_;
  std::vector<Segment> segments_;
  std::vector<std::string> query_keys_;
  bool trailing_slash_ok_ = true;
  int specificity_ = 0;
};

// --- query --------------------------------------------------------------------

// A query-protocol request's form fields: the body for POST, the query
// string for GET; later duplicates win, as on AWS.
using FormFields = std::map<std::string, std::string>;
FormFields DecodeForm(const net::HttpRequest& req);
// The members of a list field: "Tags.member.1.Key" ... for prefix
// "Tags.member" and `field` "Key" gives the values in order, stopping at the
// first gap.
std::vector<std::string> FormList(const FormFields& form, std::string_view prefix,
                                  std::string_view field = {});

}  // namespace nimbus::aws
