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
  std::optional<std::shared_ptr<const JwkSet>> cached;
  keys.Get(Discovered(), false, [&](std::shared_ptr<const JwkSet> k) { cached = k; });
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(*cached, a);
  EXPECT_EQ(issuer.started(), 1);
}

TEST(JwtKeysTest, RefreshIsGrantedOncePerGap) {
  FakeIssuer issuer;
  issuer.Release(10);
  JwtKeys keys(WithIssuer(issuer, std::chrono::hours(1)));
  Answer first;
  keys.Get(Discovered(), false, first.Callback());
  auto old_keys = first.future.get();
  ASSERT_NE(old_keys, nullptr);
  // Right after a fetch a refresh answers with the cached keys: a stream of
  // bad tokens does not reach the issuer.
  for (int i = 0; i < 5; ++i) {
    std::optional<std::shared_ptr<const JwkSet>> got;
    keys.Get(Discovered(), true, [&](std::shared_ptr<const JwkSet> k) { got = k; });
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, old_keys);
  }
  EXPECT_EQ(issuer.started(), 1);
}

TEST(JwtKeysTest, RefreshFetchesRotatedKeysAfterTheGap) {
  FakeIssuer issuer;
  issuer.Release(10);
  JwtKeys keys(WithIssuer(issuer, milliseconds(0)));
  Answer first;
  keys.Get(Discovered(), false, first.Callback());
  auto old_keys = first.future.get();
  issuer.SetKid("k2");
  Answer refreshed;
  keys.Get(Discovered(), true, refreshed.Callback());
  auto new_keys = refreshed.future.get();
  ASSERT_NE(new_keys, nullptr);
  EXPECT_NE(new_keys, old_keys);
  EXPECT_EQ(issuer.started(), 2);

  // A failed refresh keeps the keys that are still within their hour.
  issuer.SetFail(true);
  Answer failed;
  keys.Get(Discovered(), true, failed.Callback());
  EXPECT_EQ(failed.future.get(), new_keys);
}

TEST(JwtKeysTest, AnUnreachableIssuerGivesNoKeys) {
  FakeIssuer issuer;
  issuer.SetFail(true);
  issuer.Release(10);
  JwtKeys keys(WithIssuer(issuer));
  Answer a;
  keys.Get(Discovered(), false, a.Callback());
  EXPECT_EQ(a.future.get(), nullptr);
  // Nothing was cached: the next request tries again.
  issuer.SetFail(false);
  Answer b;
  keys.Get(Discovered(), false, b.Callback());
  EXPECT_NE(b.future.get(), nullptr);
  EXPECT_EQ(issuer.started(), 2);
}

TEST(JwtKeysTest, InlineKeysAreParsedOnceAndNeverFetched) {
  FakeIssuer issuer;
  JwtKeys keys(WithIssuer(issuer));
  AuthorizerConfig a = Discovered();
  a.jwks = jwt_test::Jwks({jwt_test::OctJwk(jwt_test::kSecret, "inline")});
  std::shared_ptr<const JwkSet> first, second;
  keys.Get(a, false, [&](std::shared_ptr<const JwkSet> k) { first = k; });
  keys.Get(a, true, [&](std::shared_ptr<const JwkSet> k) { second = k; });
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first, second);
  EXPECT_EQ(issuer.started(), 0);

  a.jwks = "{\"keys\": 3}";
  bool called = false;
  keys.Get(a, false, [&](std::shared_ptr<const JwkSet> k) {
    called = true;
    EXPECT_EQ(k, nullptr);
  });
  EXPECT_TRUE(called);
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
