#include "manifest/intrinsics.h"

#include <algorithm>
#include <set>

#include "core/encoding.h"
#include "manifest/variable_resolver.h"

namespace nimbus::manifest {
namespace json = boost::json;
namespace {

constexpr const char* kNoValueReason = "manifest.novalue";
constexpr int kMaxDepth = 32;

Status NoValue() {
  return Status(Code::kNotFound, "AWS::NoValue", kNoValueReason);
}

class Evaluator {
 public:
  explicit Evaluator(const IntrinsicContext& ctx) : ctx_(ctx) {}

  Result<std::string> String(const json::value& v, int depth) {
    if (depth > kMaxDepth) return InvalidArgument("intrinsic functions nested too deeply");
    if (std::optional<std::string> text = InterpolationText(v)) return *text;
    if (v.is_null()) return InvalidArgument("null where a string is expected");
    if (v.is_array()) return InvalidArgument("a list where a string is expected");
    const json::object& o = v.get_object();
    if (!IsIntrinsic(v)) {
      return InvalidArgument("a mapping where a string or an intrinsic function is expected");
    }
    const std::string name(o.begin()->key());
    const json::value& arg = o.begin()->value();
    if (name == "Ref") {
      if (!arg.is_string()) return InvalidArgument("Ref needs a logical id");
      return Ref(std::string(arg.get_string()));
    }
    if (name == "Fn::GetAtt") return GetAtt(arg, depth);
    if (name == "Fn::Join") {
      const json::array* a = arg.if_array();
      if (a == nullptr || a->size() != 2 || !(*a)[0].is_string()) {
        return InvalidArgument("Fn::Join needs [delimiter, [values]]");
      }
      ASSIGN_OR_RETURN(std::vector<std::string> items, List((*a)[1], depth + 1));
      std::string out;
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += (*a)[0].get_string();
        out += items[i];
      }
      return out;
    }
    if (name == "Fn::Sub") return Sub(arg, depth);
    if (name == "Fn::Select") {
      const json::array* a = arg.if_array();
      if (a == nullptr || a->size() != 2)
        return InvalidArgument("Fn::Select needs [index, [values]]");
      ASSIGN_OR_RETURN(std::string index_text, String((*a)[0], depth + 1));
      ASSIGN_OR_RETURN(std::vector<std::string> items, List((*a)[1], depth + 1));
      if (index_text.empty() || index_text.find_first_not_of("0123456789") != std::string::npos ||
          index_text.size() > 9 || std::stoul(index_text) >= items.size()) {
        return InvalidArgument("Fn::Select index " + index_text + " is out of range");
      }
      return items[std::stoul(index_text)];
    }
    if (name == "Fn::Base64") {
      ASSIGN_OR_RETURN(std::string text, String(arg, depth + 1));
      return Base64Encode(text);
    }
    if (name == "Fn::Split" || name == "Fn::GetAZs") {
      return InvalidArgument(name + " gives a list; use it inside Fn::Join or Fn::Select");
    }
    return InvalidArgument(name + " is not supported by Nimbus");
  }

  Result<std::vector<std::string>> List(const json::value& v, int depth) {
    if (depth > kMaxDepth) return InvalidArgument("intrinsic functions nested too deeply");
    std::vector<std::string> out;
    if (v.is_array()) {
      for (const json::value& item : v.get_array()) {
        auto text = String(item, depth + 1);
        if (!text.ok() && IsNoValue(text.status())) continue;
        if (!text.ok()) return text.status();
        out.push_back(std::move(*text));
      }
      return out;
    }
    if (IsIntrinsic(v)) {
      const auto& member = *v.get_object().begin();
      if (member.key() == "Fn::Split") {
        const json::array* a = member.value().if_array();
        if (a == nullptr || a->size() != 2 || !(*a)[0].is_string() ||
            (*a)[0].get_string().empty()) {
          return InvalidArgument("Fn::Split needs [delimiter, string]");
        }
        std::string delim((*a)[0].get_string());
        ASSIGN_OR_RETURN(std::string source, String((*a)[1], depth + 1));
        for (size_t start = 0;;) {
          size_t at = source.find(delim, start);
          out.push_back(source.substr(start, at - start));
          if (at == std::string::npos) break;
          start = at + delim.size();
        }
        return out;
      }
      if (member.key() == "Fn::GetAZs") {
        for (const char* zone : {"a", "b", "c"}) out.push_back(ctx_.region + zone);
        return out;
      }
    }
    return InvalidArgument("expected a list of values");
  }

 private:
  Result<std::string> Ref(const std::string& id) {
    if (id.rfind("AWS::", 0) == 0) {
      if (id == "AWS::Region") return ctx_.region;
      if (id == "AWS::AccountId") return ctx_.account_id;
      if (id == "AWS::StackName") return ctx_.stack_name;
      if (id == "AWS::Partition") return std::string("aws");
      if (id == "AWS::URLSuffix") return std::string("amazonaws.com");
      if (id == "AWS::NoValue") return NoValue();
      return InvalidArgument("pseudo parameter " + id + " is not supported by Nimbus");
    }
    return Resolve(id, "");
  }

  Result<std::string> GetAtt(const json::value& arg, int depth) {
    std::string id, attribute;
    if (arg.is_string()) {  // "Resource.Attribute"
      std::string text(arg.get_string());
      size_t dot = text.find('.');
      if (dot == std::string::npos) return InvalidArgument("Fn::GetAtt needs Resource.Attribute");
      id = text.substr(0, dot);
      attribute = text.substr(dot + 1);
    } else if (arg.is_array() && arg.get_array().size() == 2 && arg.get_array()[0].is_string()) {
      id = std::string(arg.get_array()[0].get_string());
      ASSIGN_OR_RETURN(attribute, String(arg.get_array()[1], depth + 1));
    } else {
      return InvalidArgument("Fn::GetAtt needs [LogicalId, Attribute]");
    }
    return Resolve(id, attribute);
  }

  Result<std::string> Resolve(const std::string& id, const std::string& attribute) {
    if (!ctx_.resolve) {
      return FailedPrecondition("cannot evaluate a reference to " + id + " here");
    }
    return ctx_.resolve(id, attribute);
  }

  Result<std::string> Sub(const json::value& arg, int depth) {
    const json::value* tmpl = &arg;
    const json::object* vars = nullptr;
    if (arg.is_array()) {
      const json::array& a = arg.get_array();
      if (a.size() != 2 || !a[1].is_object()) {
        return InvalidArgument("Fn::Sub needs a template or [template, {variables}]");
      }
      tmpl = &a[0];
      vars = &a[1].get_object();
    }
    if (!tmpl->is_string()) return InvalidArgument("Fn::Sub needs a template string");
    std::string_view s = tmpl->get_string();
    std::string out;
    for (size_t i = 0; i < s.size();) {
      if (s.substr(i, 2) != "${") {
        out += s[i++];
        continue;
      }
      size_t close = s.find('}', i + 2);
      if (close == std::string_view::npos) {
        return InvalidArgument("Fn::Sub template has an unterminated ${");
      }
      std::string name(s.substr(i + 2, close - i - 2));
      i = close + 1;
      if (!name.empty() && name[0] == '!') {  // ${!Literal} writes "${Literal}"
        out += "${" + name.substr(1) + "}";
        continue;
      }
      if (vars != nullptr && vars->contains(name)) {
        ASSIGN_OR_RETURN(std::string value, String(vars->at(name), depth + 1));
        out += value;
      } else if (name.rfind("AWS::", 0) == 0) {
        ASSIGN_OR_RETURN(std::string value, Ref(name));
        out += value;
      } else if (size_t dot = name.find('.'); dot != std::string::npos) {
        ASSIGN_OR_RETURN(std::string value, Resolve(name.substr(0, dot), name.substr(dot + 1)));
        out += value;
      } else {
        ASSIGN_OR_RETURN(std::string value, Resolve(name, ""));
        out += value;
      }
    }
    return out;
  }

  const IntrinsicContext& ctx_;
};

Result<json::value> Deep(const json::value& v, Evaluator& e, int depth) {
  if (depth > 100) return InvalidArgument("value nested too deeply");
  if (IsIntrinsic(v)) {
    std::string_view name = v.get_object().begin()->key();
    if (name == "Fn::Split" || name == "Fn::GetAZs") {
      ASSIGN_OR_RETURN(std::vector<std::string> items, e.List(v, 0));
      json::array out;
      for (auto& item : items) out.emplace_back(json::string(item));
      return json::value(std::move(out));
    }
    ASSIGN_OR_RETURN(std::string text, e.String(v, 0));
    return json::value(json::string(text));
  }
  if (v.is_object()) {
    json::object out;
    for (const auto& member : v.get_object()) {
      auto r = Deep(member.value(), e, depth + 1);
      if (!r.ok() && IsNoValue(r.status())) continue;
      if (!r.ok()) return r.status();
      out[member.key()] = std::move(*r);
    }
    return json::value(std::move(out));
  }
  if (v.is_array()) {
    json::array out;
    for (const json::value& item : v.get_array()) {
      auto r = Deep(item, e, depth + 1);
      if (!r.ok() && IsNoValue(r.status())) continue;
      if (!r.ok()) return r.status();
      out.push_back(std::move(*r));
    }
    return json::value(std::move(out));
  }
  return v;
}

void CollectSubNames(std::string_view s, const json::object* vars, std::set<std::string>* out) {
  for (size_t i = s.find("${"); i != std::string_view::npos; i = s.find("${", i)) {
    size_t close = s.find('}', i + 2);
    if (close == std::string_view::npos) return;
    std::string name(s.substr(i + 2, close - i - 2));
    i = close + 1;
    if (name.empty() || name[0] == '!' || name.rfind("AWS::", 0) == 0) continue;
    if (vars != nullptr && vars->contains(name)) continue;
    out->insert(name.substr(0, name.find('.')));
  }
}

void Collect(const json::value& v, std::set<std::string>* out, int depth) {
  if (depth > 100) return;
  if (IsIntrinsic(v)) {
    const auto& member = *v.get_object().begin();
    const json::value& arg = member.value();
    if (member.key() == "Ref" && arg.is_string()) {
      std::string id(arg.get_string());
      if (id.rfind("AWS::", 0) != 0) out->insert(id);
      return;
    }
    if (member.key() == "Fn::GetAtt") {
      if (arg.is_string()) {
        std::string text(arg.get_string());
        out->insert(text.substr(0, text.find('.')));
        return;
      }
      if (arg.is_array() && !arg.get_array().empty() && arg.get_array()[0].is_string()) {
        out->insert(std::string(arg.get_array()[0].get_string()));
      }
    }
    if (member.key() == "Fn::Sub") {
      if (arg.is_string()) {
        CollectSubNames(arg.get_string(), nullptr, out);
        return;
      }
      if (arg.is_array() && arg.get_array().size() == 2 && arg.get_array()[0].is_string()) {
        CollectSubNames(arg.get_array()[0].get_string(), arg.get_array()[1].if_object(), out);
      }
    }
  }
  if (v.is_object()) {
    for (const auto& member : v.get_object()) Collect(member.value(), out, depth + 1);
  } else if (v.is_array()) {
    for (const json::value& item : v.get_array()) Collect(item, out, depth + 1);
  }
}

}  // namespace

bool IsIntrinsic(const json::value& v) {
  if (!v.is_object() || v.get_object().size() != 1) return false;
  std::string_view key = v.get_object().begin()->key();
  return key == "Ref" || key == "Condition" || key.rfind("Fn::", 0) == 0;
}

bool IsNoValue(const Status& status) {
  return status.reason() == kNoValueReason;
}

Result<std::string> EvaluateIntrinsic(const json::value& v, const IntrinsicContext& ctx) {
  Evaluator e(ctx);
  return e.String(v, 0);
}

Result<json::value> EvaluateIntrinsicsIn(const json::value& v, const IntrinsicContext& ctx) {
  Evaluator e(ctx);
  return Deep(v, e, 0);
}

std::vector<std::string> ReferencedLogicalIds(const json::value& v) {
  std::set<std::string> ids;
  Collect(v, &ids, 0);
  return {ids.begin(), ids.end()};
}

}  // namespace nimbus::manifest
