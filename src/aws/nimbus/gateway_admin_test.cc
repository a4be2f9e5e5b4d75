#include "aws/nimbus/gateway_admin.h"

#include <gtest/gtest.h>

#include "aws/frontend_test_util.h"
#include "net/event_loop.h"

namespace nimbus::aws {
namespace {

namespace json = boost::json;

std::string Config(const std::string& id) {
  gateway::ApiConfig c;
  c.id = id;
  c.service = "shop";
  c.stage = "dev";
  c.http_api_id = gateway::MakeApiId("http:" + id);
  gateway::RouteConfig r;
  r.method = "GET";
  r.path = "/items";
  r.function = "handler";
  r.payload_version = "2.0";
  c.routes.push_back(r);
  return json::serialize(gateway::ToJson(c));
}

class GatewayAdminTest : public ::testing::Test {
 protected:
  GatewayAdminTest()
      : kv_(store::NewMemoryStore()), loop_(1),
        gateway_(*kv_, loop_, [](const std::string&, std::string, invoker::InvokeCallback) {}),
        admin_(gateway_, [] { return std::string("http://127.0.0.1:3000"); }),
        h_(admin_, "nimbus") {
    EXPECT_TRUE(gateway_.Load().ok());
  }

  std::unique_ptr<store::KvStore> kv_;
  net::EventLoop loop_;
  gateway::Gateway gateway_;
  GatewayAdmin admin_;
  FrontendHarness h_;
};

TEST_F(GatewayAdminTest, PutsListsGetsAndDeletesApis) {
  auto put = h_.Rest("PUT", "/nimbus/apis/shop-dev?root=true", Config("shop-dev"));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(JsonBody(put)["root"], true);
  EXPECT_EQ(JsonBody(put)["routes"].as_array().size(), 1u);
  auto list = h_.Rest("GET", "/nimbus/apis");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(JsonBody(list)["apis"].as_array().size(), 1u);
  auto get = h_.Rest("GET", "/nimbus/apis/shop-dev");
  EXPECT_EQ(JsonBody(get)["id"], "shop-dev");
  EXPECT_EQ(h_.Rest("DELETE", "/nimbus/apis/shop-dev").status, 204);
  auto gone = h_.Rest("GET", "/nimbus/apis/shop-dev");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(HeaderOf(gone, "x-amzn-ErrorType"), "NotFoundException");
}

TEST_F(GatewayAdminTest, RefusesBadBodiesAndUnknownPathsInRestJson) {
  auto mismatch = h_.Rest("PUT", "/nimbus/apis/other", Config("shop-dev"));
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(HeaderOf(mismatch, "x-amzn-ErrorType"), "BadRequestException");
  auto garbage = h_.Rest("PUT", "/nimbus/apis/x", "{not json");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(HeaderOf(garbage, "x-amzn-ErrorType"), "BadRequestException");
  auto unknown = h_.Rest("POST", "/nimbus/other");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(gateway_.List().empty());
}

TEST_F(GatewayAdminTest, AFunctionReachesOnlyTheApisItsRoleGrants) {
  h_.ActAsInstance(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":"nimbus:GetApi","Resource":"arn:aws:nimbus:::api/mine"}]})");
  EXPECT_EQ(h_.Rest("GET", "/nimbus/apis/mine").status, 404);  // allowed, and absent
  auto denied = h_.Rest("PUT", "/nimbus/apis/mine", Config("mine"));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(HeaderOf(denied, "x-amzn-ErrorType"), "AccessDeniedException");
  EXPECT_EQ(h_.Rest("GET", "/nimbus/apis").status, 403);
  EXPECT_TRUE(gateway_.List().empty());
}

}  // namespace
}  // namespace nimbus::aws
