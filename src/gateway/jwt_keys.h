// The JWT authorizers' signing keys, by issuer.
//
// Keys given inline (a JWKS document in the service's configuration) are
// parsed once. Keys found as API Gateway finds them — the issuer's
// /.well-known/openid-configuration, then its jwks_uri — are fetched on a
// thread of their own, so a slow or unreachable issuer never holds a gateway
// I/O thread: the requests that need them wait, the others go on. At most one
// fetch per issuer runs at a time and every request waiting for it gets its
// result; keys are kept for an hour. A token signed with a key the cached set
// lacks (the issuer rotated its keys) may ask for a refresh, granted at most
// once per `refresh_gap` per issuer, so a stream of bad tokens cannot turn
// the gateway into a load generator against the issuer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"

namespace nimbus::gateway {

class JwkSet;
struct AuthorizerConfig;

struct JwtKeysOptions {
  // Fetches an issuer's JWKS document; the default discovers it over
  // https (or plain http, for a local identity provider).
  std::function<Result<std::string>(const std::string& issuer)> fetch;
  std::chrono::milliseconds ttl = std::chrono::hours(1);
  std::chrono::milliseconds refresh_gap = std::chrono::minutes(1);
  // Parsed inline documents kept; each redeploy that changes a document adds
  // one, so the cache starts over when it holds this many.
  size_t max_inline_sets = 64;
};

class JwtKeys {
 public:
  using Then = std::function<void(std::shared_ptr<const JwkSet>)>;

  explicit JwtKeys(JwtKeysOptions options = {});
  // Waits for a fetch in progress to end (it is bounded by the fetch's own
  // timeouts); callers still waiting are dropped without an answer.
  ~JwtKeys();
  JwtKeys(const JwtKeys&) = delete;
  JwtKeys& operator=(const JwtKeys&) = delete;

  // Calls `then` with the authorizer's keys, or null when they cannot be had
  // (the reason is logged). Cached and inline keys answer at once on the
  // calling thread; otherwise `then` runs later on the fetching thread.
  void Get(const AuthorizerConfig& authorizer, bool refresh, Then then);

  // API Gateway's discovery: <issuer>/.well-known/openid-configuration, then
  // the document at its jwks_uri.
  static Result<std::string> Discover(const std::string& issuer);

 private:
  struct Entry {
    std::shared_ptr<const JwkSet> keys;
    int64_t expires_ms = 0;
    int64_t fetched_ms = 0;
    bool fetching = false;
    std::vector<Then> waiting;
  };

  void Run();
  void FetchOne(const std::string& issuer);

  JwtKeysOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, Entry> issuers_;
  std::map<std::string, std::shared_ptr<const JwkSet>> inline_;  // by authorizer and document
  std::deque<std::string> queue_;  // issuers to fetch
  bool stop_ = false;
  std::thread fetcher_;  // started by the first fetch
};

}  // namespace nimbus::gateway
