// LoadManifest: parse, apply .env files, resolve variables, build.
#include "manifest/manifest.h"

#include <filesystem>

#include "core/fs.h"
#include "manifest/dotenv.h"
#include "manifest/manifest_builder.h"
#include "manifest/variable_resolver.h"
#include "manifest/yaml_loader.h"

namespace nimbus::manifest {
namespace json = boost::json;

const FunctionDef* Manifest::FindFunction(std::string_view key) const {
  for (const FunctionDef& fn : functions) {
    if (fn.key == key) return &fn;
  }
  return nullptr;
}

std::vector<std::string> Manifest::PatternsFor(const FunctionDef& fn) const {
  std::vector<std::string> out = package_patterns;
  out.insert(out.end(), fn.package_patterns.begin(), fn.package_patterns.end());
  return out;
}

Result<Manifest> LoadManifestFromText(std::string_view text, const std::string& dir,
                                      const std::string& file_name, const LoadOptions& options) {
  ASSIGN_OR_RETURN(Document doc, ParseYaml(text, file_name));
  if (!doc.root.is_object()) {
    return ErrorAt(SourcePos{file_name, 1, 1},
                   doc.root.is_null() ? "the file is empty: it needs at least service and provider"
                                      : "the file must be a mapping of settings (service, "
                                        "provider, functions, ...)");
  }
  ResolveContext ctx;
  ctx.service_dir = dir;
  ctx.stage = options.stage;
  ctx.region = options.region;
  ctx.account_id = options.account_id;
  ctx.options = options.options;
  ctx.env = options.env;
  if (!options.stage.empty()) ctx.options["stage"] = options.stage;
  if (!options.region.empty()) ctx.options["region"] = options.region;

  // The .env files depend on the stage, and the stage may depend on
  // variables: like v3, settle the stage first on a scratch copy, then load
  // the files, then resolve the whole document with the final environment.
  {
    Document scratch = doc;
    VariableResolver first(&scratch, ctx);
    ASSIGN_OR_RETURN(std::string stage, first.Stage());
    ASSIGN_OR_RETURN(json::value use_dotenv, first.ResolvePath("useDotenv"));
    if (!use_dotenv.is_null() && !use_dotenv.is_bool()) {
      return ErrorAt(scratch.positions.Find("useDotenv"), "useDotenv must be true or false");
    }
    if (use_dotenv.is_bool() && use_dotenv.get_bool()) {
      RETURN_IF_ERROR(LoadDotenv(dir, stage, &ctx.env));
    }
  }
  VariableResolver resolver(&doc, ctx);
  RETURN_IF_ERROR(resolver.ResolveAll());

  Manifest m;
  m.dir = dir;
  m.file = (std::filesystem::path(dir) / file_name).string();
  ASSIGN_OR_RETURN(m.stage, resolver.Stage());
  ASSIGN_OR_RETURN(m.region, resolver.Region());
  Builder builder(doc, &m);
  RETURN_IF_ERROR(builder.Build());
  return m;
}

Result<Manifest> LoadManifest(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  std::filesystem::path full = std::filesystem::absolute(path, ec).lexically_normal();
  if (ec) return InvalidArgument("cannot resolve the path " + path + ": " + ec.message());
  if (!PathExists(full.string())) {
    return NotFound(full.string() + " does not exist (is this a Serverless service folder?)");
  }
  ASSIGN_OR_RETURN(std::string text, ReadFile(full.string()));
  return LoadManifestFromText(text, full.parent_path().string(), full.filename().string(), options);
}

}  // namespace nimbus::manifest
