#include "deploy/service_api.h"

#include <gtest/gtest.h>

namespace nimbus::deploy {
namespace {

const std::string kHead = "service: shop\nprovider:\n  name: aws\n  runtime: nodejs20.x\n";

manifest::Manifest Load(const std::string& yaml) {
  auto m = manifest::LoadManifestFromText(yaml, "/srv/shop", "serverless.yml", {});
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : manifest::Manifest{};
}

Result<gateway::ApiConfig> Build(const std::string& yaml,
                                 std::vector<std::string>* accepted = nullptr) {
  ServiceApiOptions options;
  options.accepted = accepted;
  return BuildServiceApi(Load(yaml), options);
}

TEST(ServiceApiTest, RoutesOfBothKindsWithDefaults) {
  auto api = Build(kHead +
                   "functions:\n"
                   "  api:\n    handler: h.api\n    events:\n"
                   "      - httpApi: 'GET /users/{id}'\n"
                   "      - httpApi: '*'\n"
                   "      - http:\n          method: post\n          path: orders\n"
                   "          private: true\n          cors: true\n");
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  EXPECT_EQ(api->id, "shop-dev");
  EXPECT_EQ(api->service, "shop");
  EXPECT_EQ(api->stage, "dev");
  ASSERT_EQ(api->routes.size(), 3u);
  EXPECT_EQ(api->routes[0].method, "GET");
  EXPECT_EQ(api->routes[0].path, "/users/{id}");
  EXPECT_EQ(api->routes[0].function, "shop-dev-api");
  EXPECT_EQ(api->routes[0].payload_version, "2.0");
  EXPECT_EQ(api->routes[1].path, "$default");
  EXPECT_TRUE(api->routes[2].rest);
  EXPECT_EQ(api->routes[2].method, "POST");
  EXPECT_EQ(api->routes[2].path, "/orders");
  EXPECT_EQ(api->routes[2].payload_version, "1.0");
  EXPECT_TRUE(api->routes[2].api_key_required);
  ASSERT_TRUE(api->routes[2].cors.has_value());
  EXPECT_EQ(api->routes[2].cors->allow_origins, (std::vector<std::string>{"*"}));
  EXPECT_FALSE(api->http_cors.has_value());
}

TEST(ServiceApiTest, HttpApiCorsAuthorizersAndThrottle) {
  std::vector<std::string> accepted;
  auto api =
      Build(kHead +
                "  httpApi:\n    payload: '1.0'\n    cors: true\n"
                "    throttle:\n      rateLimit: 10\n"
                "    authorizers:\n      jwtAuth:\n        issuerUrl: https://issuer.example\n"
                "        audience: [a1]\n"
                "      fnAuth:\n        type: request\n        functionName: auth\n"
                "functions:\n"
                "  auth:\n    handler: h.auth\n"
                "  api:\n    handler: h.api\n    events:\n"
                "      - httpApi:\n          method: GET\n          path: /me\n"
                "          authorizer:\n            name: jwtAuth\n            scopes: [read]\n",
            &accepted);
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  ASSERT_TRUE(api->http_cors.has_value());
  EXPECT_EQ(api->http_cors->allow_origins, (std::vector<std::string>{"*"}));
  EXPECT_EQ(api->http_cors->allow_headers.size(), 7u);
  EXPECT_EQ(api->throttle.rate, 10);
  EXPECT_EQ(api->throttle.burst, 10);  // the rate, when no burst is given
  ASSERT_EQ(api->authorizers.count("jwtAuth"), 1u);
  EXPECT_EQ(api->authorizers["jwtAuth"].type, "jwt");
  EXPECT_EQ(api->authorizers["jwtAuth"].identity_source,
            (std::vector<std::string>{"$request.header.Authorization"}));
  EXPECT_EQ(api->authorizers["fnAuth"].type, "request");
  EXPECT_EQ(api->authorizers["fnAuth"].function, "shop-dev-auth");
  EXPECT_EQ(api->authorizers["fnAuth"].result_ttl_s, 0);  // no identity source: no caching
  ASSERT_EQ(api->routes.size(), 1u);
  EXPECT_EQ(api->routes[0].payload_version, "1.0");
  EXPECT_EQ(api->routes[0].authorizer, "jwtAuth");
  EXPECT_EQ(api->routes[0].scopes, (std::vector<std::string>{"read"}));
  EXPECT_EQ(accepted, (std::vector<std::string>{"provider.httpApi.throttle"}));
}

TEST(ServiceApiTest, RefusalsNameTheirPlace) {
  // The loader checks authorizer names too; a manifest built otherwise is
  // checked again here.
  manifest::Manifest m = Load(kHead +
                              "functions:\n  api:\n    handler: h.api\n    events:\n"
                              "      - httpApi: 'GET /'\n");
  m.functions.at(0).http_events.at(0).settings["authorizer"] = json::object{{"name", "nope"}};
  auto unknown = BuildServiceApi(m, {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("authorizer 'nope' is not defined"), std::string::npos)
      << unknown.status().message();
  EXPECT_TRUE(unknown.status().message().starts_with("serverless.yml:"))
      << unknown.status().message();

  auto integration = Build(kHead +
                           "functions:\n  api:\n    handler: h.api\n    events:\n"
                           "      - http:\n          method: get\n          path: /\n"
                           "          integration: lambda\n");
  ASSERT_FALSE(integration.ok());
  EXPECT_NE(integration.status().message().find("integration 'lambda' is not supported"),
            std::string::npos);
}

TEST(ServiceApiTest, ApiKeysAndUsagePlans) {
  auto api =
      Build(kHead +
            "  apiGateway:\n    apiKeys:\n      - free: [k1]\n      - name: k2\n        value: "
            "abcdefghijklmnopqrstuvwxyz\n"
            "    usagePlan:\n      - free:\n          quota:\n            limit: 100\n"
            "            period: day\n"
            "functions:\n  api:\n    handler: h.api\n    events:\n"
            "      - http:\n          method: get\n          path: /\n          private: true\n");
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  ASSERT_EQ(api->usage_plans.size(), 1u);
  EXPECT_EQ(api->usage_plans[0].quota_limit, 100);
  EXPECT_EQ(api->usage_plans[0].quota_period, "DAY");
  ASSERT_EQ(api->api_keys.size(), 2u);
  EXPECT_EQ(api->api_keys[0].name, "k1");
  EXPECT_EQ(api->api_keys[0].usage_plan, "free");
  EXPECT_EQ(api->api_keys[0].value, "");  // the gateway chooses it
  EXPECT_EQ(api->api_keys[1].value, "abcdefghijklmnopqrstuvwxyz");

  gateway::ApiConfig deployed = *api;
  deployed.api_keys[0].value = "chosen-by-the-gateway-0001";
  deployed.api_keys[1].value = "old";
  KeepDeployedKeyValues(&*api, deployed);
  EXPECT_EQ(api->api_keys[0].value, "chosen-by-the-gateway-0001");
  EXPECT_EQ(api->api_keys[1].value, "abcdefghijklmnopqrstuvwxyz");  // the file's value wins
}

TEST(ServiceApiTest, NoEventsNoRoutes) {
  auto api = Build(kHead + "functions:\n  worker:\n    handler: h.work\n");
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  EXPECT_TRUE(api->routes.empty());
  EXPECT_EQ(api->id, "shop-dev");
}

}  // namespace
}  // namespace nimbus::deploy
