#include "triggers/function_invoker.h"

#include <utility>

#include "core/strings.h"
#include "functions/function_config.h"

namespace nimbus::triggers {
namespace {

// An ARN names a function of this platform only when its region and account
// are the platform's; ParseFunctionRef accepts any, as Lambda's API must.
Status CheckOwnArn(const std::string& text, const Platform& platform) {
  auto parts = Split(text, ':');
  bool arn = parts.size() >= 7 && parts[0] == "arn";
  bool partial = !arn && parts.size() >= 3 && parts[1] == "function";
  if (arn && (parts[3] != platform.region || parts[4] != platform.account_id)) {
    return NotFound("Function not found: " + text);
  }
  if (partial && parts[0] != platform.account_id) return NotFound("Function not found: " + text);
  return Status::Ok();
}

}  // namespace

FunctionInvoker::FunctionInvoker(functions::FunctionService& functions) : functions_(functions) {}

void FunctionInvoker::Invoke(const std::string& function, std::string payload,
                             invoker::InvokeCallback done) {
  auto ref = functions::ParseFunctionRef(function);
  Status own = ref.ok() ? CheckOwnArn(function, functions_.options().platform) : ref.status();
  if (!own.ok()) {
    invoker::InvokeResult r;
    r.status = std::move(own);
    return done(std::move(r));
  }
  functions::InvokeInput in;
  in.payload = std::move(payload);
  functions_.Invoke(*ref, std::move(in), std::move(done));
}

gateway::InvokeFunction FunctionInvoker::ForGateway() {
  return [this](const std::string& name, std::string payload, invoker::InvokeCallback done) {
    Invoke(name, std::move(payload), std::move(done));
  };
}

}  // namespace nimbus::triggers
