#include "gateway/api_keys.h"

#include <string_view>

#include "core/crypto.h"
#include "core/encoding.h"

namespace nimbus::gateway {
namespace {

constexpr size_t kKeyLength = 40;
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
// The secret `--dev-credentials` accepts, printed in the documentation.
constexpr std::string_view kPublicSecret = "test";

bool Usable(const std::string& api_id, const ApiKeyConfig& key) {
  return !key.value.empty() && !IsPublicDerivedKey(api_id, key);
}

}  // namespace

std::string NewApiKeyValue() {
  std::string out;
  out.reserve(kKeyLength);
  while (out.size() < kKeyLength) {
    for (unsigned char b : RandomBytes(kKeyLength)) {
      // 248 = 4 * 62: bytes at or above it are dropped, so every character
      // is equally likely.
      if (b < 248 && out.size() < kKeyLength) out.push_back(kAlphabet[b % kAlphabet.size()]);
    }
  }
  return out;
}

bool IsPublicDerivedKey(const std::string& api_id, const ApiKeyConfig& key) {
  if (key.value.size() != kKeyLength) return false;
  std::string derived = Hex(HmacSha256(kPublicSecret, "apikey:" + api_id + ":" + key.name));
  return ConstantTimeEquals(derived.substr(0, kKeyLength), key.value);
}

bool FillApiKeyValues(ApiConfig* config, const ApiConfig* deployed) {
  bool changed = false;
  for (ApiKeyConfig& key : config->api_keys) {
    if (Usable(config->id, key)) continue;
    std::string value;
    if (deployed != nullptr && deployed->id == config->id) {
      for (const ApiKeyConfig& old : deployed->api_keys) {
        if (old.name == key.name && Usable(deployed->id, old)) value = old.value;
      }
    }
    key.value = value.empty() ? NewApiKeyValue() : std::move(value);
    changed = true;
  }
  return changed;
}

}  // namespace nimbus::gateway
