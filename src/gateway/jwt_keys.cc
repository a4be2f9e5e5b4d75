#include "gateway/jwt_keys.h"

#include <spdlog/spdlog.h>

#include "core/json.h"
#include "core/time.h"
#include "gateway/api_config.h"
#include "gateway/jwk_set.h"
#include "net/url_fetch.h"

namespace nimbus::gateway {

JwtKeys::JwtKeys(JwtKeysOptions options) : options_(std::move(options)) {
  if (!options_.fetch) options_.fetch = &JwtKeys::Discover;
}

JwtKeys::~JwtKeys() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (fetcher_.joinable()) fetcher_.join();
}

Result<std::string> JwtKeys::Discover(const std::string& issuer) {
  auto fetch = [](const std::string& url) -> Result<std::string> {
    ASSIGN_OR_RETURN(net::HttpResponse resp, net::FetchUrl(url));
    if (resp.status != 200) return Unavailable(url + " answered " + std::to_string(resp.status));
    return std::move(resp.body);
  };
  std::string base = issuer;
  while (base.ends_with('/')) base.pop_back();
  ASSIGN_OR_RETURN(std::string discovery, fetch(base + "/.well-known/openid-configuration"));
  ASSIGN_OR_RETURN(json::value doc, ParseJson(discovery));
  const json::value* uri = doc.is_object() ? doc.get_object().if_contains("jwks_uri") : nullptr;
  if (uri == nullptr || !uri->is_string()) {
    return Unavailable("the issuer's openid-configuration has no jwks_uri");
  }
  return fetch(std::string(uri->get_string()));
}

void JwtKeys::Get(const AuthorizerConfig& a, bool refresh, Then then) {
  if (!a.jwks.empty()) {
    std::string key = a.name + '\0' + a.jwks;
    std::shared_ptr<const JwkSet> keys;
    {
      std::lock_guard lock(mu_);
      auto it = inline_.find(key);
      if (it != inline_.end()) keys = it->second;
    }
    if (!keys) {
      auto parsed = JwkSet::Parse(a.jwks);
      if (!parsed.ok()) {
        spdlog::warn("gateway: authorizer {}: the JWKS is unusable: {}", a.name,
                     parsed.status().message());
        return then(nullptr);
      }
      keys = std::make_shared<const JwkSet>(std::move(*parsed));
      std::lock_guard lock(mu_);
      if (inline_.size() >= options_.max_inline_sets) inline_.clear();
      inline_.emplace(key, keys);
    }
    return then(std::move(keys));
  }

  const int64_t now = NowEpochMillis();
  std::unique_lock lock(mu_);
  Entry& e = issuers_[a.issuer];
  const bool fresh = e.keys && e.expires_ms > now;
  const bool may_refresh = now - e.fetched_ms >= options_.refresh_gap.count();
  if (fresh && (!refresh || !may_refresh)) {
    auto keys = e.keys;
    lock.unlock();
    return then(std::move(keys));
  }
  e.waiting.push_back(std::move(then));
  if (e.fetching) return;
  e.fetching = true;
  queue_.push_back(a.issuer);
  if (!fetcher_.joinable()) fetcher_ = std::thread([this] { Run(); });
  lock.unlock();
  wake_.notify_one();
}

void JwtKeys::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    std::string issuer = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    FetchOne(issuer);
    lock.lock();
  }
}

void JwtKeys::FetchOne(const std::string& issuer) {
  std::shared_ptr<const JwkSet> fetched;
  Result<std::string> document = options_.fetch(issuer);
  if (!document.ok()) {
    spdlog::warn("gateway: cannot fetch the keys of JWT issuer {}: {}", issuer,
                 document.status().message());
  } else if (auto parsed = JwkSet::Parse(*document); !parsed.ok()) {
    spdlog::warn("gateway: the keys of JWT issuer {} are unusable: {}", issuer,
                 parsed.status().message());
  } else {
    fetched = std::make_shared<const JwkSet>(std::move(*parsed));
  }

  const int64_t now = NowEpochMillis();
  std::vector<Then> waiting;
  std::shared_ptr<const JwkSet> answer;
  {
    std::lock_guard lock(mu_);
    if (stop_) return;  // the waiting requests are dropped with the gateway
    Entry& e = issuers_[issuer];
    e.fetching = false;
    e.fetched_ms = now;  // failed attempts count against the refresh gap too
    if (fetched) {
      e.keys = fetched;
      e.expires_ms = now + options_.ttl.count();
    }
    // A failed refresh leaves the keys still within their time in use.
    answer = e.keys && e.expires_ms > now ? e.keys : nullptr;
    waiting.swap(e.waiting);
  }
  for (auto& then : waiting) then(answer);
}

}  // namespace nimbus::gateway
