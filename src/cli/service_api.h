// The gateway configuration a serverless.yml describes: its `httpApi` and
// `http` events become routes; provider.httpApi (payload, cors, authorizers)
// and provider.apiGateway (apiKeys, usagePlan) become the API's settings, with
// the Serverless Framework's defaults. A setting the gateway cannot honour is
// an error naming its place in the file, never a silent bypass.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "gateway/api_config.h"
#include "manifest/manifest.h"

namespace nimbus::cli {

struct ServiceApiOptions {
  // Secret that derives the values of API keys declared by name only, so
  // that redeploying gives every key the same value.
  std::string key_secret;
  // Settings the conversion accepted that the manifest reported as
  // unsupported (Nimbus's own keys, such as throttles): removed from it.
  std::vector<std::string>* accepted = nullptr;
};

// The API id of a service: "<service>-<stage>".
std::string ServiceApiId(const manifest::Manifest& m);

Result<gateway::ApiConfig> BuildServiceApi(const manifest::Manifest& m,
                                           const ServiceApiOptions& options);

}  // namespace nimbus::cli
