#include "gateway/jwt_keys.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "gateway/api_config.h"
#include "gateway/jwk_set.h"
#include "gateway/jwt_test_util.h"

namespace nimbus::gateway {
namespace {

using std::chrono::milliseconds;

// An issuer whose fetches block until the test lets them through, counting
// how many were made.
class FakeIssuer {
 public:
  Result<std::string> Fetch(const std::string&) {
    std::unique_lock lock(mu_);
    ++started_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return released_ > 0; });
    --released_;
    if (fail_) return Unavailable("connection refused");
    return jwt_test::Jwks({jwt_test::OctJwk(jwt_test::kSecret, kid_)});
  }
  void Release(int n = 1) {
    std::lock_guard lock(mu_);
    released_ += n;
    changed_.notify_all();
  }
  void WaitStarted(int n) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return started_ >= n; });
  }
  int started() {
    std::lock_guard lock(mu_);
    return started_;
  }
  void SetFail(bool fail) {
    std::lock_guard lock(mu_);
    fail_ = fail;
  }
  void SetKid(std::string kid) {
    std::lock_guard lock(mu_);
    kid_ = std::move(kid);
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int started_ = 0;
  int released_ = 0;
  bool fail_ = false;
  std::string kid_ = "k1";
};

AuthorizerConfig Discovered() {
  AuthorizerConfig a;
  a.name = "jwt";
  a.type = "jwt";
  a.issuer = "https://issuer.example.com";
  return a;
}

// Collects what one Get call answers, from whichever thread.
struct Answer {
  std::promise<std::shared_ptr<const JwkSet>> promise;
  std::future<std::shared_ptr<const JwkSet>> future = promise.get_future();
  JwtKeys::Then Callback() {
    return [this](std::shared_ptr<const JwkSet> keys) { promise.set_value(std::move(keys)); };
  }
  bool ready() { return future.wait_for(milliseconds(0)) == std::future_status::ready; }
};

// What Get answers, which must come at once, on the calling thread.
std::shared_ptr<const JwkSet> GetNow(JwtKeys& keys, const AuthorizerConfig& a, bool refresh) {
  std::optional<std::shared_ptr<const JwkSet>> got;
  keys.Get(a, refresh, [&](std::shared_ptr<const JwkSet> k) { got = std::move(k); });
  EXPECT_TRUE(got.has_value()) << "not answered on the calling thread";
  return got.value_or(nullptr);
}

// Waits for what Get answers, from whichever thread.
std::shared_ptr<const JwkSet> GetWait(JwtKeys& keys, bool refresh) {
  Answer answer;
  keys.Get(Discovered(), refresh, answer.Callback());
  return answer.future.get();
}

JwtKeysOptions WithIssuer(FakeIssuer& issuer, milliseconds refresh_gap = std::chrono::minutes(1)) {
  JwtKeysOptions o;
  o.fetch = [&issuer](const std::string& url) { return issuer.Fetch(url); };
  o.refresh_gap = refresh_gap;
  return o;
}

TEST(JwtKeysTest, ASlowIssuerDoesNotHoldTheCaller) {
  FakeIssuer issuer;
  JwtKeys keys(WithIssuer(issuer));
  Answer first, second;
  keys.Get(Discovered(), false, first.Callback());  // returns while the fetch hangs
  keys.Get(Discovered(), false, second.Callback());
  issuer.WaitStarted(1);
  EXPECT_FALSE(first.ready());
  EXPECT_FALSE(second.ready());
  issuer.Release();
  auto a = first.future.get();
  auto b = second.future.get();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a->size(), 1u);
  EXPECT_EQ(issuer.started(), 1) << "requests waiting together share one fetch";

  // Cached: answered at once, on the calling thread, without a fetch.
  EXPECT_EQ(GetNow(keys, Discovered(), false), a);
  EXPECT_EQ(issuer.started(), 1);
}

TEST(JwtKeysTest, RefreshIsGrantedOncePerGap) {
  FakeIssuer issuer;
  issuer.Release(10);
  JwtKeys keys(WithIssuer(issuer, std::chrono::hours(1)));
  auto old_keys = GetWait(keys, false);
  ASSERT_NE(old_keys, nullptr);
  // Right after a fetch a refresh answers with the cached keys: a stream of
  // bad tokens does not reach the issuer.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(GetNow(keys, Discovered(), true), old_keys);
  EXPECT_EQ(issuer.started(), 1);
}

TEST(JwtKeysTest, RefreshFetchesRotatedKeysAfterTheGap) {
  FakeIssuer issuer;
  issuer.Release(10);
  JwtKeys keys(WithIssuer(issuer, milliseconds(0)));
  auto old_keys = GetWait(keys, false);
  issuer.SetKid("k2");
  auto new_keys = GetWait(keys, true);
  ASSERT_NE(new_keys, nullptr);
  EXPECT_NE(new_keys, old_keys);
  EXPECT_EQ(issuer.started(), 2);

  // A failed refresh keeps the keys that are still within their hour.
  issuer.SetFail(true);
  EXPECT_EQ(GetWait(keys, true), new_keys);
}

TEST(JwtKeysTest, AnUnreachableIssuerGivesNoKeys) {
  FakeIssuer issuer;
  issuer.SetFail(true);
  issuer.Release(10);
  JwtKeys keys(WithIssuer(issuer));
  EXPECT_EQ(GetWait(keys, false), nullptr);
  // Nothing was cached: the next request tries again.
  issuer.SetFail(false);
  EXPECT_NE(GetWait(keys, false), nullptr);
  EXPECT_EQ(issuer.started(), 2);
}

TEST(JwtKeysTest, InlineKeysAreParsedOnceAndNeverFetched) {
  FakeIssuer issuer;
  JwtKeys keys(WithIssuer(issuer));
  AuthorizerConfig a = Discovered();
  a.jwks = jwt_test::Jwks({jwt_test::OctJwk(jwt_test::kSecret, "inline")});
  auto first = GetNow(keys, a, false);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(GetNow(keys, a, true), first);
  EXPECT_EQ(issuer.started(), 0);

  a.jwks = "{\"keys\": 3}";
  EXPECT_EQ(GetNow(keys, a, false), nullptr);
}

TEST(JwtKeysTest, TheInlineCacheIsBounded) {
  FakeIssuer issuer;
  JwtKeysOptions options = WithIssuer(issuer);
  options.max_inline_sets = 2;
  JwtKeys keys(options);
  AuthorizerConfig a = Discovered();
  auto with_kid = [&](const std::string& kid) {
    a.jwks = jwt_test::Jwks({jwt_test::OctJwk(jwt_test::kSecret, kid)});
    return GetNow(keys, a, false);
  };
  auto first = with_kid("one");
  ASSERT_NE(first, nullptr);
  auto second = with_kid("two");
  EXPECT_EQ(with_kid("one"), first);  // both kept while under the bound
  EXPECT_EQ(with_kid("two"), second);
  auto third = with_kid("three");  // starts the cache over
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(with_kid("three"), third);
  auto again = with_kid("one");  // parsed anew: the old set is gone
  ASSERT_NE(again, nullptr);
  EXPECT_NE(again, first);
}

TEST(JwtKeysTest, DestroyingWithAFetchInFlightDropsTheWaiters) {
  FakeIssuer issuer;
  std::atomic<bool> answered{false};
  std::thread release;
  {
    JwtKeys keys(WithIssuer(issuer));
    keys.Get(Discovered(), false, [&](std::shared_ptr<const JwkSet>) { answered = true; });
    issuer.WaitStarted(1);
    release = std::thread([&] {
      std::this_thread::sleep_for(milliseconds(20));  // lets the destructor start waiting
      issuer.Release();
    });
  }  // joins the fetcher once the fetch returns
  release.join();
  EXPECT_FALSE(answered);
}

}  // namespace
}  // namespace nimbus::gateway
