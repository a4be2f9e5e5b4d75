#include "iam/policy.h"

#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <exception>
#include <set>

#include "core/strings.h"

namespace nimbus::iam {
namespace {

namespace json = boost::json;

// A policy nests five levels (document, Statement list, statement,
// Condition, operator, key list); anything deeper is not a policy.
constexpr unsigned kMaxDepth = 16;

constexpr std::string_view kVendorRule =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";

Status Malformed(std::string message) {
  return Status(Code::kInvalidArgument, std::move(message), "MalformedPolicyDocument");
}

Status SyntaxError(std::string_view detail = {}) {
  if (detail.empty()) return Malformed("Syntax errors in policy.");
  return Malformed("Syntax errors in policy: " + std::string(detail) + ".");
}

// A string or a non-empty list of strings (Action, Resource, principal values).
Status StringList(const json::value& v, std::string_view field, std::vector<std::string>* out) {
  if (const json::string* s = v.if_string()) {
    out->emplace_back(*s);
    return Status::Ok();
  }
  const json::array* a = v.if_array();
  if (a == nullptr)
    return SyntaxError(std::string(field) + " must be a string or a list of strings");
  for (const json::value& e : *a) {
    const json::string* s = e.if_string();
    if (s == nullptr)
      return SyntaxError(std::string(field) + " must be a string or a list of strings");
    out->emplace_back(*s);
  }
  return Status::Ok();
}

// A condition value: strings, numbers and booleans, alone or in a list.
Status ScalarText(const json::value& v, std::vector<std::string>* out) {
  if (const json::string* s = v.if_string()) {
    out->emplace_back(*s);
  } else if (v.is_bool()) {
    out->emplace_back(v.get_bool() ? "true" : "false");
  } else if (v.is_int64()) {
    out->push_back(std::to_string(v.get_int64()));
  } else if (v.is_uint64()) {
    out->push_back(std::to_string(v.get_uint64()));
  } else if (v.is_double()) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double());
    if (ec != std::errc()) return SyntaxError("a condition value is not a valid number");
    out->emplace_back(buf, end);
  } else {
    return SyntaxError("condition values must be strings, numbers or booleans");
  }
  return Status::Ok();
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// "*" or "vendor:name" with a plain vendor ("s3:Get*", "SQS:SendMessage").
bool ValidAction(std::string_view a) {
  if (a == "*") return true;
  size_t colon = a.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == a.size()) return false;
  for (char c : a.substr(0, colon)) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

Status CheckResource(std::string_view r) {
  if (r == "*") return Status::Ok();
  // arn:partition:service:region:account:resource — the resource part may
  // hold further colons.
  size_t colons = 0, service_begin = 0, service_end = 0;
  for (size_t i = 0; i < r.size() && colons < 5; ++i) {
    if (r[i] != ':') continue;
    ++colons;
    if (colons == 2) service_begin = i + 1;
    if (colons == 3) service_end = i;
  }
  if (!r.starts_with("arn:") || colons < 5) {
    return Malformed("Resource " + std::string(r) + " must be in ARN format or \"*\".");
  }
  std::string_view service = r.substr(service_begin, service_end - service_begin);
  if (service.empty() || service.find_first_of("*?") != std::string_view::npos) {
    return Malformed("Resource vendor must be fully qualified and cannot contain regexes.");
  }
  return Status::Ok();
}

Status ParsePrincipal(const json::value& v, Statement* st) {
  if (const json::string* s = v.if_string()) {
    if (*s != "*") return Malformed("Invalid principal in policy: \"" + std::string(*s) + "\"");
    st->principals["*"].push_back("*");
    return Status::Ok();
  }
  const json::object* o = v.if_object();
  if (o == nullptr || o->empty()) return Malformed("Invalid principal in policy.");
  for (const auto& [type, values] : *o) {
    if (type != "AWS" && type != "Service" && type != "Federated" && type != "CanonicalUser") {
      return Malformed("Invalid principal in policy: \"" + std::string(type) + "\"");
    }
    std::vector<std::string>& list = st->principals[std::string(type)];
    RETURN_IF_ERROR(StringList(values, "Principal", &list));
    if (list.empty())
      return Malformed("Invalid principal in policy: \"" + std::string(type) + "\"");
    for (const std::string& p : list) {
      if (p.empty()) return Malformed("Invalid principal in policy: \"" + std::string(type) + "\"");
    }
  }
  return Status::Ok();
}

Status ParseConditions(const json::value& v, Statement* st) {
  const json::object* ops = v.if_object();
  if (ops == nullptr) return SyntaxError("Condition must be an object");
  for (const auto& [op, keys] : *ops) {
    Condition proto;
    proto.op = std::string(op);
    if (!DecodeConditionOperator(op, &proto)) {
      return Malformed("Invalid Condition type : " + std::string(op) + ".");
    }
    const json::object* ko = keys.if_object();
    if (ko == nullptr || ko->empty()) {
      return SyntaxError("the condition " + std::string(op) + " must map condition keys to values");
    }
    for (const auto& [key, values] : *ko) {
      size_t colon = key.find(':');
      if (colon == std::string_view::npos || colon == 0 || colon + 1 == key.size()) {
        return Malformed(std::string(kVendorRule));
      }
      Condition c = proto;
      c.key = ToLower(key);
      if (const json::array* a = values.if_array()) {
        if (a->empty())
          return SyntaxError("the condition key " + std::string(key) + " has no values");
        for (const json::value& e : *a) RETURN_IF_ERROR(ScalarText(e, &c.values));
      } else {
        RETURN_IF_ERROR(ScalarText(values, &c.values));
      }
      st->conditions.push_back(std::move(c));
    }
  }
  return Status::Ok();
}

Status ParseStatement(const json::value& v, PolicyKind kind, Statement* st) {
  const json::object* o = v.if_object();
  if (o == nullptr) return SyntaxError("each statement must be an object");
  const json::value *effect = nullptr, *action = nullptr, *not_action = nullptr,
                    *resource = nullptr, *not_resource = nullptr, *principal = nullptr,
                    *not_principal = nullptr, *condition = nullptr;
  for (const auto& [key, value] : *o) {
    if (key == "Sid") {
      const json::string* s = value.if_string();
      if (s == nullptr) return SyntaxError("Sid must be a string");
      st->sid = std::string(*s);
    } else if (key == "Effect") {
      effect = &value;
    } else if (key == "Action") {
      action = &value;
    } else if (key == "NotAction") {
      not_action = &value;
    } else if (key == "Resource") {
      resource = &value;
    } else if (key == "NotResource") {
      not_resource = &value;
    } else if (key == "Principal") {
      principal = &value;
    } else if (key == "NotPrincipal") {
      not_principal = &value;
    } else if (key == "Condition") {
      condition = &value;
    } else {
      return SyntaxError("unknown field " + std::string(key));
    }
  }

  if (kind == PolicyKind::kIdentity) {
    for (char c : st->sid) {
      if (!IsAlnum(c)) {
        return Malformed(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
            "regular expression [0-9A-Za-z]*");
      }
    }
  }

  if (effect == nullptr) return Malformed("Missing required field Effect");
  const json::string* e = effect->if_string();
  if (e == nullptr || (*e != "Allow" && *e != "Deny")) {
    return Malformed("Invalid effect: " + (e ? std::string(*e) : json::serialize(*effect)) +
                     ". Effect must be Allow or Deny.");
  }
  st->allow = *e == "Allow";

  if (action != nullptr && not_action != nullptr) {
    return Malformed("Statement cannot contain both Action and NotAction.");
  }
  if (action == nullptr && not_action == nullptr) {
    return Malformed("Policy statement must contain actions.");
  }
  st->not_action = not_action != nullptr;
  RETURN_IF_ERROR(StringList(action ? *action : *not_action, "Action", &st->actions));
  if (st->actions.empty()) return Malformed("Policy statement must contain actions.");
  for (const std::string& a : st->actions) {
    if (!ValidAction(a)) return Malformed(std::string(kVendorRule));
  }

  if (principal != nullptr || not_principal != nullptr) {
    if (kind == PolicyKind::kIdentity) {
      return Malformed("Policy document should not specify a principal.");
    }
    if (principal != nullptr && not_principal != nullptr) {
      return Malformed("Statement cannot contain both Principal and NotPrincipal.");
    }
    st->has_principal = principal != nullptr;
    st->not_principal = not_principal != nullptr;
    RETURN_IF_ERROR(ParsePrincipal(principal ? *principal : *not_principal, st));
  } else if (kind != PolicyKind::kIdentity) {
    return Malformed("Missing required field Principal");
  }

  if (resource != nullptr && not_resource != nullptr) {
    return Malformed("Statement cannot contain both Resource and NotResource.");
  }
  if (kind == PolicyKind::kTrust) {
    if (resource != nullptr) return Malformed("Has prohibited field Resource");
    if (not_resource != nullptr) return Malformed("Has prohibited field NotResource");
  } else if (resource != nullptr || not_resource != nullptr) {
    st->not_resource = not_resource != nullptr;
    RETURN_IF_ERROR(StringList(resource ? *resource : *not_resource, "Resource", &st->resources));
    if (st->resources.empty()) return Malformed("Policy statement must contain resources.");
    for (const std::string& r : st->resources) RETURN_IF_ERROR(CheckResource(r));
  } else if (kind == PolicyKind::kIdentity) {
    return Malformed("Policy statement must contain resources.");
  }

  if (condition != nullptr) RETURN_IF_ERROR(ParseConditions(*condition, st));
  return Status::Ok();
}

Result<std::shared_ptr<const Policy>> Parse(std::string_view text, PolicyKind kind) {
  // Characters, not bytes: UTF-8 continuation bytes do not count.
  size_t chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (chars > kMaxPolicyDocumentChars) {
    return Malformed("The policy document is longer than the maximum of 131072 characters.");
  }
  json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code ec;
  json::parser parser(json::storage_ptr(), options);
  parser.write(text.data(), text.size(), ec);
  if (ec) return SyntaxError();
  json::value root = parser.release();
  const json::object* doc = root.if_object();
  if (doc == nullptr) return SyntaxError();

  auto policy = std::make_shared<Policy>();
  policy->version = "2008-10-17";
  const json::value* statements = nullptr;
  for (const auto& [key, value] : *doc) {
    if (key == "Version") {
      const json::string* v = value.if_string();
      if (v == nullptr || (*v != "2012-10-17" && *v != "2008-10-17")) {
        return Malformed("The policy failed legacy parsing");
      }
      policy->version = std::string(*v);
    } else if (key == "Id") {
      if (!value.is_string()) return SyntaxError("Id must be a string");
    } else if (key == "Statement") {
      statements = &value;
    } else {
      return SyntaxError("unknown field " + std::string(key));
    }
  }
  if (statements == nullptr) return Malformed("Missing required field Statement");
  if (const json::array* list = statements->if_array()) {
    if (list->empty()) return Malformed("Missing required field Statement");
    for (const json::value& s : *list) {
      RETURN_IF_ERROR(ParseStatement(s, kind, &policy->statements.emplace_back()));
    }
  } else {
    RETURN_IF_ERROR(ParseStatement(*statements, kind, &policy->statements.emplace_back()));
  }

  std::set<std::string_view> sids;
  for (const Statement& s : policy->statements) {
    if (!s.sid.empty() && !sids.insert(s.sid).second) {
      return Malformed("Statement IDs (SID) in a single policy must be unique.");
    }
  }
  return std::shared_ptr<const Policy>(std::move(policy));
}

}  // namespace

Result<std::shared_ptr<const Policy>> ParsePolicy(std::string_view json, PolicyKind kind) {
  try {
    return Parse(json, kind);
  } catch (const std::exception& e) {
    // Boost.JSON throws only for exhausted memory here; report it, never let it escape.
    return Internal(std::string("could not parse a policy document: ") + e.what());
  }
}

}  // namespace nimbus::iam
