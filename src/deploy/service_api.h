// The gateway configuration a serverless.yml describes: its `httpApi` and
// `http` events become routes; provider.httpApi (payload, cors, authorizers)
// and provider.apiGateway (apiKeys, usagePlan) become the API's settings, with
// the Serverless Framework's defaults. A setting the gateway cannot honour is
// an error naming its place in the file, never a silent bypass. Pure
// functions; any thread.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "gateway/api_config.h"
#include "manifest/manifest.h"

namespace nimbus::deploy {

struct ServiceApiOptions {
  // Settings the conversion accepted that the manifest reported as
  // unsupported (Nimbus's own keys, such as throttles): removed from it.
  std::vector<std::string>* accepted = nullptr;
};

// API keys declared by name only come without a value: the gateway gives
// each one a random value and keeps it on later deploys (gateway/api_keys.h).
Result<gateway::ApiConfig> BuildServiceApi(const manifest::Manifest& m,
                                           const ServiceApiOptions& options);

// Gives each key of `wanted` without a value the value `deployed` (the API
// as the gateway serves it now) has for the same name, so that a redeploy
// compares equal to what is deployed when nothing changed.
void KeepDeployedKeyValues(gateway::ApiConfig* wanted, const gateway::ApiConfig& deployed);

}  // namespace nimbus::deploy
