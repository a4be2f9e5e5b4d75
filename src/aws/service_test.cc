#include "aws/service.h"

#include <gtest/gtest.h>

#include "aws/frontend_test_util.h"

namespace nimbus::aws {
namespace {

namespace json = boost::json;

// A service of each protocol, with one operation that echoes what it decoded.
ServiceSpec Spec(Protocol protocol) {
  ServiceSpec spec;
  spec.signing_name = "demo";
  spec.iam_prefix = "demo";
  spec.protocol = protocol;
  spec.json_targets = {"Demo_20200101"};
  spec.style.xml_namespace = "https://demo.example/doc/";
  spec.errors = ErrorTable({{Code::kInvalidArgument, 400, "SerializationException",
                             kSerializationReason},
                            {Code::kInvalidArgument, 400, "ValidationException"},
                            {Code::kNotFound, 404, "NoSuchThing"},
                            {Code::kConflict, 409, "Conflict", {}, true}},
                           {Code::kInternal, 500, "InternalFailure"});
  return spec;
}

Operation Echo() {
  Operation op;
  op.name = "Echo";
  op.route = "POST /things/{Name}";
  op.resources = [](const Call& c) {
    std::string name = c.Label("Name").empty() ? c.Field("Name") : c.Label("Name");
    if (name.empty()) name = JsonMembers(c.body).String("Name", "").value_or("");
    return std::vector<std::string>{"arn:aws:demo:::thing/" + name};
  };
  op.handle = [](Call& c, Reply reply) {
    if (c.ctx.service != "demo") return reply.Error(InvalidArgument("wrong service"));
    if (c.Field("Fail") == "missing" || c.Label("Name") == "missing") {
      return reply.Error(NotFound("no such thing"));
    }
    if (c.Label("Name") == "busy") return reply.Error(Status(Code::kConflict, "busy", "ThingBusy"));
    if (!c.form.empty()) {
      return reply.Query([&](pugi::xml_node result) { AddText(result, "Name", c.Field("Name")); });
    }
    json::object out = c.body;
    if (!c.Label("Name").empty()) out["Name"] = c.Label("Name");
    reply.Json(out);
  };
  return op;
}

TEST(ServiceFrontendTest, JsonRoutesByTargetAndAnswersUnknownTargetsInJson) {
  ServiceFrontend fe(Spec(Protocol::kJson), {Echo()});
  FrontendHarness h(fe, "demo");
  auto ok = h.Json("Demo_20200101.Echo", R"({"Name":"a"})");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(JsonBody(ok)["Name"], "a");
  EXPECT_EQ(HeaderOf(ok, "Content-Type"), "application/x-amz-json-1.1");
  auto unknown = h.Json("Demo_20200101.Nope", "{}");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(JsonBody(unknown)["__type"], "UnknownOperationException");
  auto bad = h.Json("Demo_20200101.Echo", "[1,2]");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(JsonBody(bad)["__type"], "SerializationException");
}

TEST(ServiceFrontendTest, RestJsonRoutesByPathAndMapsStatusesThroughTheTable) {
  ServiceFrontend fe(Spec(Protocol::kRestJson), {Echo()});
  FrontendHarness h(fe, "demo");
  auto ok = h.Rest("POST", "/things/x%20y", R"({"k":1})");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(JsonBody(ok)["Name"], "x y");
  EXPECT_EQ(JsonBody(ok)["k"], 1);
  auto missing = h.Rest("POST", "/things/missing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(HeaderOf(missing, "x-amzn-ErrorType"), "NoSuchThing");
  auto busy = h.Rest("POST", "/things/busy");
  EXPECT_EQ(busy.status, 409);
  EXPECT_EQ(HeaderOf(busy, "x-amzn-ErrorType"), "ThingBusy");  // the reason names the type
  auto unknown = h.Rest("GET", "/elsewhere");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(HeaderOf(unknown, "x-amzn-ErrorType"), "UnknownOperationException");
}

TEST(ServiceFrontendTest, QueryAnswersInXmlAndUnknownActionsTooInXml) {
  ServiceFrontend fe(Spec(Protocol::kQuery), {Echo()});
  FrontendHarness h(fe, "demo");
  auto ok = h.Query("Action=Echo&Name=a%3Cb");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body,
            "<EchoResponse xmlns=\"https://demo.example/doc/\"><EchoResult><Name>a&lt;b</Name>"
            "</EchoResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
            "</EchoResponse>");
  auto unknown = h.Query("Action=Nope");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("<Code>InvalidAction</Code>"), std::string::npos) << unknown.body;
  EXPECT_NE(unknown.body.find("<ErrorResponse xmlns=\"https://demo.example/doc/\">"),
            std::string::npos);
  auto missing = h.Query("Action=Echo&Fail=missing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("<Code>NoSuchThing</Code>"), std::string::npos);
}

TEST(ServiceFrontendTest, RestXmlErrorsAreS3Shaped) {
  ServiceFrontend fe(Spec(Protocol::kRestXml), {Echo()});
  FrontendHarness h(fe, "demo");
  auto missing = h.Rest("POST", "/things/missing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchThing</Code>"
            "<Message>no such thing</Message><RequestId>req-1</RequestId></Error>");
  EXPECT_EQ(HeaderOf(missing, "x-amz-request-id"), "req-1");
  auto unknown = h.Rest("DELETE", "/things/x");
  EXPECT_EQ(unknown.status, 501);
  EXPECT_NE(unknown.body.find("<Code>NotImplemented</Code>"), std::string::npos);
}

TEST(ServiceFrontendTest, AnInstanceIsAuthorizedOnTheOperationsResourcesBeforeItRuns) {
  bool ran = false;
  Operation op = Echo();
  auto handle = op.handle;
  op.handle = [&ran, handle](Call& c, Reply r) {
    ran = true;
    handle(c, std::move(r));
  };
  ServiceFrontend fe(Spec(Protocol::kJson), {op});
  FrontendHarness h(fe, "demo");
  h.ActAsInstance(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":"demo:Echo","Resource":"arn:aws:demo:::thing/mine"}]})");
  EXPECT_EQ(h.Json("Demo_20200101.Echo", R"({"Name":"mine"})").status, 200);
  EXPECT_TRUE(ran);
  ran = false;
  auto denied = h.Json("Demo_20200101.Echo", R"({"Name":"other"})");
  EXPECT_EQ(denied.status, 403);
  EXPECT_FALSE(ran);
  EXPECT_NE(denied.body.find("is not authorized to perform: demo:Echo on resource: "
                             "arn:aws:demo:::thing/other"),
            std::string::npos)
      << denied.body;
  h.ActAsRoot();
  EXPECT_EQ(h.Json("Demo_20200101.Echo", R"({"Name":"other"})").status, 200);
}

TEST(ServiceFrontendTest, AnOverLimitBodyIsAnsweredWithTheServicesError) {
  ServiceFrontend fe(Spec(Protocol::kJson), {Echo()});
  FrontendHarness h(fe, "demo");
  net::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers.push_back({"X-Amz-Target", "Demo_20200101.Echo"});
  req.body_too_large = true;
  auto r = h.Send(std::move(req));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(JsonBody(r)["__type"], "RequestTooLargeException");
}

}  // namespace
}  // namespace nimbus::aws
