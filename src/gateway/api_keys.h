// The values of a REST API's keys (`provider.apiGateway.apiKeys`). A key
// serverless.yml names without a value gets one from the gateway: 40 random
// characters, chosen when the key first appears and kept for that key name
// on every later deploy of the API. A value written in the file is used as
// it is. Stateless; any thread.
#pragma once

#include <string>

#include "gateway/api_config.h"

namespace nimbus::gateway {

// 40 characters from [A-Za-z0-9] drawn from the system's secure random
// source, as API Gateway's generated keys look.
std::string NewApiKeyValue();

// Whether `key`'s value is the one derived from the public development
// secret `test` (HMAC-SHA256 of "apikey:<api>:<name>", hex, 40 characters),
// which anyone can compute: such a value counts as not given.
bool IsPublicDerivedKey(const std::string& api_id, const ApiKeyConfig& key);

// Gives each key of `config` without a value (or with a publicly derived
// one) the value `deployed` — the API as it is deployed now, or null — has
// for the same name, else a new random one. Returns whether any value of
// `config` changed.
bool FillApiKeyValues(ApiConfig* config, const ApiConfig* deployed);

}  // namespace nimbus::gateway
