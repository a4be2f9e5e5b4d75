// The variable sources of VariableResolver: self, sls, opt, env, param,
// file, aws, strToBool.
#include <filesystem>

#include "core/fs.h"
#include "core/json.h"
#include "core/strings.h"
#include "manifest/variable_resolver.h"
#include "manifest/yaml_loader.h"

namespace nimbus::manifest {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// Sources that read from AWS at deploy time; Nimbus has nothing to read them from.
bool IsRemoteSource(const std::string& type) {
  return type == "cf" || type == "ssm" || type == "s3" || type == "sm" || type == "secretsmanager";
}

// Copies the positions below `from_path` to below `to_path`, keeping the
// position of `to_path` itself: that is where the variable was written.
void GraftChildren(PositionMap* into, const PositionMap& from, std::string_view from_path,
                   const std::string& to_path) {
  SourcePos own = into->Find(to_path);
  into->Graft(from, from_path, to_path);
  into->Set(to_path, own);
}

// The real path of `full`, which must stay inside the service folder `base`
// once every symbolic link on the way is followed.
Result<std::string> RealPathInside(const fs::path& base, const fs::path& full,
                                   const std::string& file) {
  std::error_code ec;
  fs::path real_base = fs::canonical(base.empty() ? fs::path(".") : base, ec);
  if (ec) return InvalidArgument("Cannot resolve the service folder: " + ec.message());
  fs::path real = fs::canonical(full, ec);
  if (ec) return InvalidArgument("Cannot read \"" + file + "\": " + ec.message());
  fs::path rel = real.lexically_relative(real_base);
  if (rel.empty() || *rel.begin() == "..") {
    return InvalidArgument("Cannot load file from outside of service folder (\"" + file +
                           "\" leads to \"" + real.string() + "\" through a symbolic link)");
  }
  return real.string();
}

}  // namespace

Result<std::string> VariableResolver::Stage() {
  if (stage_) return *stage_;
  std::string stage = ctx_.stage;
  if (stage.empty() && ctx_.options.count("stage") != 0) stage = ctx_.options.at("stage");
  if (stage.empty()) {
    ASSIGN_OR_RETURN(json::value v, ResolvePath("provider.stage"));
    if (v.is_string() && !v.get_string().empty()) {
      stage = std::string(v.get_string());
    } else if (!v.is_null()) {
      return ErrorAt(PosOf("provider.stage"), "provider.stage must be a string");
    } else {
      stage = "dev";
    }
  }
  stage_ = stage;
  return stage;
}

Result<std::string> VariableResolver::Region() {
  if (region_) return *region_;
  std::string region = ctx_.region;
  if (region.empty() && ctx_.options.count("region") != 0) region = ctx_.options.at("region");
  if (region.empty()) {
    ASSIGN_OR_RETURN(json::value v, ResolvePath("provider.region"));
    if (v.is_string() && !v.get_string().empty()) {
      region = std::string(v.get_string());
    } else if (!v.is_null()) {
      return ErrorAt(PosOf("provider.region"), "provider.region must be a string");
    } else {
      region = kDefaultRegion;
    }
  }
  region_ = region;
  return region;
}

Result<VariableResolver::Found> VariableResolver::EvaluateSource(const Source& s,
                                                                 const std::string& where) {
  std::string address;
  if (s.has_address) {
    ASSIGN_OR_RETURN(address, EvaluateText(s.address, where));
  }
  std::vector<std::string> params;
  for (const Template& p : s.params) {
    ASSIGN_OR_RETURN(std::string text, EvaluateText(p, where));
    params.push_back(std::move(text));
  }
  Found none;
  none.empty_source = s.type;
  auto found = [](json::value v) {
    Found f;
    f.value = std::move(v);
    return f;
  };

  if (s.type == "self") return SelfSource(address, where);
  if (s.type == "file") {
    return FileSource(params.empty() ? std::string() : params[0], address, s.has_address, where);
  }
  if (s.type == "param") return ParamSource(address);
  if (s.type == "env") {
    if (address.empty())
      return InvalidArgument("Missing address argument in variable \"env\" source");
    auto it = ctx_.env.find(address);
    return it == ctx_.env.end() ? none : found(json::string(it->second));
  }
  if (s.type == "opt") {
    if (address.empty()) {
      json::object all;
      for (const auto& [k, v] : ctx_.options) all[k] = v;
      return found(std::move(all));
    }
    auto it = ctx_.options.find(address);
    return it == ctx_.options.end() ? none : found(json::string(it->second));
  }
  if (s.type == "sls") {
    if (address == "stage") {
      ASSIGN_OR_RETURN(std::string stage, Stage());
      return found(json::string(stage));
    }
    if (address == "instanceId") return found(json::string(instance_id_));
    return InvalidArgument("Unsupported \"sls\" variable \"" + address +
                           "\" (supported: stage, instanceId)");
  }
  if (s.type == "aws") {
    if (address == "region") {
      ASSIGN_OR_RETURN(std::string region, Region());
      return found(json::string(region));
    }
    if (address == "accountId") return found(json::string(ctx_.account_id));
    return InvalidArgument("Unsupported \"aws\" variable \"" + address +
                           "\" (supported: region, accountId)");
  }
  if (s.type == "strToBool") {
    if (params.empty()) return InvalidArgument("Missing \"strToBool\" input");
    std::string text = ToLower(Trim(params[0]));
    if (text == "true" || text == "1") return found(true);
    if (text == "false" || text == "0") return found(false);
    return InvalidArgument(
        "Invalid \"strToBool\" input: expected \"true\", \"false\", \"0\" or "
        "\"1\", got \"" +
        params[0] + "\"");
  }
  if (IsRemoteSource(s.type)) {
    none.unsupported = true;
    return none;
  }
  return InvalidArgument("Unrecognized variable source \"" + s.type + "\"");
}

Result<VariableResolver::Found> VariableResolver::SelfSource(const std::string& address,
                                                             const std::string& where) {
  Path path = SplitDotPath(address);
  Found none;
  none.empty_source = "self";
  ASSIGN_OR_RETURN(bool exists, Walk(path));
  if (!exists) return none;
  RETURN_IF_ERROR(ResolveTree(path));
  json::value* v = At(path);
  if (v == nullptr || v->is_null()) return none;
  Found f;
  f.value = *v;
  f.resolved = true;
  GraftChildren(&doc_->positions, doc_->positions, Display(path), where);
  return f;
}

Result<VariableResolver::Found> VariableResolver::ParamSource(const std::string& address) {
  if (address.empty())
    return InvalidArgument("Missing address argument in variable \"param\" source");
  ASSIGN_OR_RETURN(std::string stage, Stage());
  for (const std::string& group : {stage, std::string("default")}) {
    Path path{"params", group, address};
    ASSIGN_OR_RETURN(bool exists, Walk(path));
    if (!exists) continue;
    RETURN_IF_ERROR(ResolveTree(path));
    json::value* v = At(path);
    if (v == nullptr || v->is_null()) continue;
    Found f;
    f.value = *v;
    f.resolved = true;
    return f;
  }
  Found none;
  none.empty_source = "param";
  return none;
}

Result<VariableResolver::Found> VariableResolver::FileSource(const std::string& file,
                                                             const std::string& address,
                                                             bool has_address,
                                                             const std::string& where) {
  if (file.empty()) return InvalidArgument("Missing path argument in variable \"file\" source");
  fs::path base = fs::path(ctx_.service_dir).lexically_normal();
  fs::path full = (base / file).lexically_normal();
  fs::path rel = full.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") {
    return InvalidArgument("Cannot load file from outside of service folder (\"" + file + "\")");
  }
  Found none;
  none.empty_source = "file";
  std::string key = full.string();
  auto cached = files_.find(key);
  if (cached == files_.end()) {
    if (!PathExists(key)) return none;  // a missing file is "no value": fallbacks apply
    ASSIGN_OR_RETURN(std::string real, RealPathInside(base, full, file));
    std::string ext = full.extension().string();
    Document doc;
    doc.file = rel.string();
    doc.positions.Set("", SourcePos{doc.file, 1, 1});
    if (ext == ".yml" || ext == ".yaml") {
      ASSIGN_OR_RETURN(doc, LoadYamlFile(real, rel.string()));
    } else if (ext == ".js" || ext == ".mjs" || ext == ".cjs" || ext == ".ts") {
      return InvalidArgument("JavaScript file sources (\"" + file +
                             "\") are not supported by Nimbus; use a YAML or JSON file");
    } else {
      ASSIGN_OR_RETURN(std::string text, ReadFile(real));
      if (ext == ".json" || ext == ".tfstate") {
        auto parsed = ParseJson(text);
        if (!parsed.ok()) {
          return InvalidArgument("Cannot parse \"" + rel.string() +
                                 "\": " + parsed.status().message());
        }
        doc.root = std::move(*parsed);
      } else {
        doc.root = json::string(text);  // any other file is plain text
      }
    }
    cached = files_.emplace(key, std::move(doc)).first;
  }
  const Document& doc = cached->second;
  if (!has_address || address.empty()) {
    Found f;
    f.value = doc.root;
    GraftChildren(&doc_->positions, doc.positions, "", where);
    return f;
  }
  // The address is followed through the file as written: variables in the
  // file are resolved after the value is placed into serverless.yml.
  const json::value* v = &doc.root;
  std::string display;
  for (const std::string& seg : SplitDotPath(address)) {
    if (v->is_object() && v->get_object().contains(seg)) {
      v = &v->get_object().at(seg);
      display = JoinKey(display, seg);
    } else if (v->is_array() && !seg.empty() &&
               seg.find_first_not_of("0123456789") == std::string::npos && seg.size() < 10 &&
               std::stoul(seg) < v->get_array().size()) {
      size_t i = std::stoul(seg);
      v = &v->get_array()[i];
      display = JoinIndex(display, i);
    } else {
      return none;
    }
  }
  if (v->is_null()) return none;
  Found f;
  f.value = *v;
  GraftChildren(&doc_->positions, doc.positions, display, where);
  doc_->positions.Set(where, doc.positions.Find(display));
  return f;
}

}  // namespace nimbus::manifest
