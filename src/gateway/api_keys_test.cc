#include "gateway/api_keys.h"

#include <gtest/gtest.h>

#include <set>

#include "core/crypto.h"
#include "core/encoding.h"
#include "gateway/gateway.h"
#include "net/event_loop.h"
#include "store/kv_store.h"

namespace nimbus::gateway {
namespace {

ApiKeyConfig Key(std::string name, std::string value = "") {
  ApiKeyConfig k;
  k.name = std::move(name);
  k.value = std::move(value);
  return k;
}

ApiConfig Api(const std::string& id, std::vector<ApiKeyConfig> keys) {
  ApiConfig c;
  c.id = id;
  c.service = id.substr(0, id.rfind('-'));
  c.stage = "dev";
  RouteConfig r;
  r.rest = true;
  r.method = "GET";
  r.path = "/private";
  r.function = c.service + "-dev-handler";
  r.payload_version = "1.0";
  r.api_key_required = true;
  c.routes.push_back(r);
  c.api_keys = std::move(keys);
  return c;
}

// What a value derived from the public development secret looks like.
std::string PublicDerived(const std::string& api_id, const std::string& name) {
  return Hex(HmacSha256("test", "apikey:" + api_id + ":" + name)).substr(0, 40);
}

bool AllAlphanumeric(const std::string& s) {
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

TEST(ApiKeysTest, NewValuesAreFortyRandomAlphanumerics) {
  std::set<std::string> seen;
  std::set<char> chars;
  for (int i = 0; i < 1000; ++i) {
    std::string v = NewApiKeyValue();
    ASSERT_EQ(v.size(), 40u);
    ASSERT_TRUE(AllAlphanumeric(v)) << v;
    seen.insert(v);
    chars.insert(v.begin(), v.end());
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(chars.size(), 62u);  // every character of the alphabet turns up
}

TEST(ApiKeysTest, KeysWithoutValuesGetRandomOnesAndGivenValuesStay) {
  ApiConfig c = Api("shop-dev", {Key("partner"), Key("fixed", "fixed-value-0123456789abcdef")});
  EXPECT_TRUE(FillApiKeyValues(&c, nullptr));
  EXPECT_EQ(c.api_keys[0].value.size(), 40u);
  EXPECT_FALSE(IsPublicDerivedKey(c.id, c.api_keys[0]));
  EXPECT_EQ(c.api_keys[1].value, "fixed-value-0123456789abcdef");
  EXPECT_FALSE(FillApiKeyValues(&c, nullptr));  // nothing left to fill

  // Another API's key of the same name gets a value of its own.
  ApiConfig other = Api("blog-dev", {Key("partner")});
  FillApiKeyValues(&other, nullptr);
  EXPECT_NE(other.api_keys[0].value, c.api_keys[0].value);
}

TEST(ApiKeysTest, RedeploysKeepTheDeployedValueOfEachName) {
  ApiConfig deployed = Api("shop-dev", {Key("partner"), Key("old")});
  FillApiKeyValues(&deployed, nullptr);
  ApiConfig next = Api("shop-dev", {Key("new"), Key("partner")});
  FillApiKeyValues(&next, &deployed);
  EXPECT_EQ(next.api_keys[1].value, deployed.api_keys[0].value);
  EXPECT_NE(next.api_keys[0].value, deployed.api_keys[1].value);
  EXPECT_EQ(next.api_keys[0].value.size(), 40u);
  // Values are never taken from another API.
  ApiConfig elsewhere = Api("blog-dev", {Key("partner")});
  FillApiKeyValues(&elsewhere, &deployed);
  EXPECT_NE(elsewhere.api_keys[0].value, deployed.api_keys[0].value);
}

// Anyone can compute HMAC-SHA256("test", "apikey:<api>:<name>"): such a value,
// sent or stored, is replaced by a random one.
TEST(ApiKeysTest, ValuesDerivedFromThePublicSecretAreReplaced) {
  std::string guessable = PublicDerived("shop-dev", "partner");
  ApiConfig sent = Api("shop-dev", {Key("partner", guessable)});
  EXPECT_TRUE(IsPublicDerivedKey("shop-dev", sent.api_keys[0]));
  EXPECT_FALSE(IsPublicDerivedKey("blog-dev", sent.api_keys[0]));
  EXPECT_TRUE(FillApiKeyValues(&sent, nullptr));
  EXPECT_NE(sent.api_keys[0].value, guessable);

  ApiConfig deployed = Api("shop-dev", {Key("partner", guessable)});
  ApiConfig next = Api("shop-dev", {Key("partner")});
  FillApiKeyValues(&next, &deployed);
  EXPECT_NE(next.api_keys[0].value, guessable);
  EXPECT_FALSE(IsPublicDerivedKey("shop-dev", next.api_keys[0]));
}

class GatewayKeysTest : public ::testing::Test {
 protected:
  std::unique_ptr<Gateway> NewGateway() {
    auto g = std::make_unique<Gateway>(
        *store_, loop_, [](const std::string&, std::string, invoker::InvokeCallback) {});
    EXPECT_TRUE(g->Load().ok());
    return g;
  }
  std::string KeyOf(Gateway& g, const std::string& id) {
    auto c = g.Get(id);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() && !c->api_keys.empty() ? c->api_keys[0].value : "";
  }
  std::unique_ptr<store::KvStore> store_ = store::NewMemoryStore();
  net::EventLoop loop_{1};
};

TEST_F(GatewayKeysTest, PutGivesRandomValuesKeptAcrossPutsAndRestarts) {
  auto gateway = NewGateway();
  ASSERT_TRUE(gateway->Put(Api("shop-dev", {Key("partner")}), std::nullopt).ok());
  ASSERT_TRUE(gateway->Put(Api("blog-dev", {Key("partner")}), std::nullopt).ok());
  std::string shop = KeyOf(*gateway, "shop-dev");
  std::string blog = KeyOf(*gateway, "blog-dev");
  EXPECT_EQ(shop.size(), 40u);
  EXPECT_NE(shop, blog);
  EXPECT_NE(shop, PublicDerived("shop-dev", "partner"));
  // A redeploy that names the key again keeps its value.
  ASSERT_TRUE(gateway->Put(Api("shop-dev", {Key("partner")}), std::nullopt).ok());
  EXPECT_EQ(KeyOf(*gateway, "shop-dev"), shop);
  // So does a restart.
  gateway.reset();
  auto restarted = NewGateway();
  EXPECT_EQ(KeyOf(*restarted, "shop-dev"), shop);
  EXPECT_EQ(KeyOf(*restarted, "blog-dev"), blog);
}

// What `nimbus deploy` sends for keys named without a value.
TEST_F(GatewayKeysTest, ConfigurationsMayLeaveKeyValuesToTheGateway) {
  ApiConfig sent = Api("shop-dev", {Key("partner")});
  auto read = ApiConfigFromJson(ToJson(sent));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  auto gateway = NewGateway();
  ASSERT_TRUE(gateway->Put(std::move(*read), std::nullopt).ok());
  EXPECT_EQ(KeyOf(*gateway, "shop-dev").size(), 40u);
  // A value given must still be long enough to be hard to guess.
  sent.api_keys[0].value = "short";
  EXPECT_FALSE(ApiConfigFromJson(ToJson(sent)).ok());
}

TEST_F(GatewayKeysTest, StoredPubliclyDerivedValuesAreReplacedAtLoad) {
  std::string guessable = PublicDerived("shop-dev", "partner");
  ApiConfig stored = Api("shop-dev", {Key("partner", guessable)});
  stored.http_api_id = MakeApiId("http:shop-dev");
  stored.rest_api_id = MakeApiId("rest:shop-dev");
  ASSERT_TRUE(store_->Put("g/api/shop-dev", nimbus::ToJson(ToJson(stored)), true).ok());
  auto gateway = NewGateway();
  std::string now = KeyOf(*gateway, "shop-dev");
  EXPECT_EQ(now.size(), 40u);
  EXPECT_NE(now, guessable);
  gateway.reset();
  EXPECT_EQ(KeyOf(*NewGateway(), "shop-dev"), now);  // the new value was stored
}

}  // namespace
}  // namespace nimbus::gateway
