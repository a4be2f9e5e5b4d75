#include "deploy/naming.h"

#include <cctype>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/json.h"
#include "manifest/intrinsics.h"
#include "manifest/naming.h"

namespace nimbus::deploy {

std::string ServiceApiId(const manifest::Manifest& m) {
  return manifest::StackName(m.service, m.stage);
}

std::string RoleStackTag(const manifest::Manifest& m) {
  return m.region + "/" + manifest::StackName(m.service, m.stage);
}

Result<std::string> TableName(const manifest::Manifest& m, const manifest::TableDef& t) {
  const std::string stack = manifest::StackName(m.service, m.stage);
  if (const json::value* name = t.properties.if_contains("TableName")) {
    manifest::IntrinsicContext ctx;
    ctx.region = m.region;
    ctx.stack_name = stack;
    ctx.resolve = [](const std::string& id, const std::string&) -> Result<std::string> {
      return InvalidArgument("TableName may not refer to " + id);
    };
    return manifest::EvaluateIntrinsic(*name, ctx);
  }
  std::string digest = Hex(Sha256(stack + "/" + t.logical_id)).substr(0, 12);
  for (char& c : digest) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return stack + "-" + t.logical_id + "-" + digest;
}

std::string LambdaFunctionPath(std::string_view name) {
  return "/2015-03-31/functions/" + UriEncode(name, false);
}

std::string LambdaConcurrencyPath(std::string_view name) {
  return "/2017-10-31/functions/" + UriEncode(name, false) + "/concurrency";
}

}  // namespace nimbus::deploy
