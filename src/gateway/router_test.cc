#include "gateway/router.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace nimbus::gateway {
namespace {

// A router over `routes` ("METHOD /path" each), every one of which must add.
Router Make(const std::vector<std::pair<std::string, std::string>>& routes) {
  Router router;
  for (const auto& [method, path] : routes) {
    Status s = router.Add(method, path);
    EXPECT_TRUE(s.ok()) << method << " " << path << ": " << s.ToString();
  }
  return router;
}

// The index of the route `method path` matches, or -1 when none does.
int Matched(const Router& router, std::string_view method, std::string_view path) {
  auto m = router.Match(method, path);
  return m ? static_cast<int>(m->route) : -1;
}

TEST(RouterTest, MatchesLiteralPaths) {
  Router r = Make({{"GET", "/"}, {"GET", "/users"}, {"POST", "/users"}, {"GET", "/users/me"}});
  EXPECT_EQ(Matched(r, "GET", "/"), 0);
  EXPECT_EQ(Matched(r, "GET", "/users"), 1);
  EXPECT_EQ(Matched(r, "POST", "/users"), 2);
  EXPECT_EQ(Matched(r, "GET", "/users/me"), 3);
  EXPECT_EQ(Matched(r, "DELETE", "/users"), -1);
  EXPECT_EQ(Matched(r, "GET", "/users/you"), -1);
  EXPECT_EQ(Matched(r, "GET", "/Users"), -1);  // paths are case-sensitive
  EXPECT_EQ(Matched(r, "GET", "/users/"), -1);
  EXPECT_EQ(Matched(r, "GET", "/users/me/x"), -1);
  EXPECT_EQ(r.size(), 4u);
}

TEST(RouterTest, CapturesParameters) {
  Router r = Make({{"GET", "/users/{id}"}, {"GET", "/users/{id}/posts/{post_id}"}});
  auto m = r.Match("GET", "/users/42");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route, 0u);
  EXPECT_EQ(m->path_parameters, (std::map<std::string, std::string>{{"id", "42"}}));
  m = r.Match("GET", "/users/7/posts/abc");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route, 1u);
  EXPECT_EQ(m->path_parameters,
            (std::map<std::string, std::string>{{"id", "7"}, {"post_id", "abc"}}));
  // A parameter never matches an empty segment.
  EXPECT_EQ(Matched(r, "GET", "/users/"), -1);
  EXPECT_EQ(Matched(r, "GET", "/users//posts/abc"), -1);
}

TEST(RouterTest, PercentDecodesParametersButMatchesRawPaths) {
  Router r = Make({{"GET", "/files/{name}"}, {"GET", "/proxy/{rest+}"}, {"GET", "/a b"}});
  auto m = r.Match("GET", "/files/hello%20world%2Fx+y");
  ASSERT_TRUE(m);
  // %2F decodes to a slash inside the one segment; '+' stays '+' in a path.
  EXPECT_EQ(m->path_parameters.at("name"), "hello world/x+y");
  m = r.Match("GET", "/proxy/a%2Fb/c%41");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->path_parameters.at("rest"), "a/b/cA");
  // A malformed escape is kept as is.
  m = r.Match("GET", "/files/100%");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->path_parameters.at("name"), "100%");
  // Literal segments compare with the raw (encoded) path.
  EXPECT_EQ(Matched(r, "GET", "/a%20b"), -1);
  EXPECT_EQ(Matched(r, "GET", "/a b"), 2);
}

TEST(RouterTest, GreedyCapturesTheRestWithSlashes) {
  Router r = Make({{"ANY", "/{proxy+}"}, {"GET", "/static/{path+}"}});
  auto m = r.Match("GET", "/static/css/site/main.css");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route, 1u);
  EXPECT_EQ(m->path_parameters.at("path"), "css/site/main.css");
  m = r.Match("POST", "/a/b/c");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route, 0u);
  EXPECT_EQ(m->path_parameters.at("proxy"), "a/b/c");
  // A greedy segment needs at least one character: /{proxy+} does not match
  // the root, and /static/{path+} does not match /static itself.
  EXPECT_EQ(Matched(r, "GET", "/"), -1);
  m = r.Match("GET", "/static");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route, 0u);
  EXPECT_EQ(m->path_parameters.at("proxy"), "static");
  // A trailing slash is part of what the greedy segment captures.
  m = r.Match("GET", "/static/dir/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->path_parameters.at("path"), "dir/");
}

TEST(RouterTest, LiteralBeatsParameterBeatsGreedy) {
  // Added least specific first, so the order of addition cannot be what wins.
  Router r = Make({{"GET", "/{proxy+}"},
                   {"GET", "/users/{proxy+}"},
                   {"GET", "/users/{id}"},
                   {"GET", "/users/me"},
                   {"GET", "/{a}/{b}"},
                   {"GET", "/{a}/settings"}});
  EXPECT_EQ(Matched(r, "GET", "/users/me"), 3);
  EXPECT_EQ(Matched(r, "GET", "/users/42"), 2);
  EXPECT_EQ(Matched(r, "GET", "/users/42/posts"), 1);
  EXPECT_EQ(Matched(r, "GET", "/orders/42"), 4);
  EXPECT_EQ(Matched(r, "GET", "/orders/settings"), 5);
  EXPECT_EQ(Matched(r, "GET", "/users/settings"), 2);  // compared from the left: users is literal
  EXPECT_EQ(Matched(r, "GET", "/x/y/z"), 0);
  EXPECT_EQ(Matched(r, "GET", "/x"), 0);
}

TEST(RouterTest, MethodBeatsAnyForTheSamePath) {
  Router r = Make({{"ANY", "/items/{id}"}, {"GET", "/items/{id}"}, {"ANY", "/items"}});
  EXPECT_EQ(Matched(r, "GET", "/items/1"), 1);
  EXPECT_EQ(Matched(r, "DELETE", "/items/1"), 0);
  EXPECT_EQ(Matched(r, "PATCH", "/items"), 2);
  // Path specificity comes before the method: ANY /items beats GET /{proxy+}.
  ASSERT_TRUE(r.Add("GET", "/{proxy+}").ok());
  EXPECT_EQ(Matched(r, "GET", "/items"), 2);
}

TEST(RouterTest, DefaultRouteComesLast) {
  Router r = Make({{"ANY", "$default"}, {"ANY", "/{proxy+}"}, {"GET", "/health"}});
  EXPECT_EQ(Matched(r, "GET", "/health"), 2);
  EXPECT_EQ(Matched(r, "POST", "/health"), 1);
  EXPECT_EQ(Matched(r, "GET", "/a/b"), 1);
  auto m = r.Match("GET", "/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route, 0u);  // nothing else matches the root
  EXPECT_TRUE(m->path_parameters.empty());
  Router only_default = Make({{"GET", "$default"}});
  // $default catches every method, whatever method it was declared with.
  EXPECT_EQ(Matched(only_default, "DELETE", "/any/thing"), 0);
}

TEST(RouterTest, MethodsAreNormalised) {
  Router r = Make({{"get", "/a"}, {"*", "/b"}});
  EXPECT_EQ(Matched(r, "GET", "/a"), 0);
  EXPECT_EQ(Matched(r, "PUT", "/b"), 1);
  EXPECT_EQ(r.Add("FETCH", "/c").code(), Code::kInvalidArgument);
  EXPECT_EQ(r.Add("", "/c").code(), Code::kInvalidArgument);
}

TEST(RouterTest, RejectsDuplicates) {
  Router r = Make({{"GET", "/users/{id}"}, {"ANY", "/users/{id}"}, {"GET", "/{proxy+}"}});
  // Parameter names do not make two routes different.
  Status s = r.Add("GET", "/users/{user}");
  EXPECT_EQ(s.code(), Code::kAlreadyExists);
  EXPECT_NE(s.message().find("declared twice"), std::string::npos) << s.message();
  EXPECT_EQ(r.Add("get", "/users/{id}").code(), Code::kAlreadyExists);
  EXPECT_EQ(r.Add("GET", "/{other+}").code(), Code::kAlreadyExists);
  EXPECT_EQ(r.Add("*", "/users/{x}").code(), Code::kAlreadyExists);
  ASSERT_TRUE(r.Add("ANY", "$default").ok());
  EXPECT_EQ(r.Add("GET", "$default").code(), Code::kAlreadyExists);
  // Different literals, kinds or lengths are different routes.
  EXPECT_TRUE(r.Add("GET", "/users/me").ok());
  EXPECT_TRUE(r.Add("GET", "/users/{id}/x").ok());
  EXPECT_TRUE(r.Add("GET", "/users/{id+}").ok());
  EXPECT_EQ(r.size(), 7u);
}

TEST(RouterTest, MethodsForListsTheMatchingRoutesMethods) {
  Router r = Make({{"GET", "/users/{id}"},
                   {"PUT", "/users/{id}"},
                   {"GET", "/users/me"},
                   {"ANY", "/admin/{proxy+}"},
                   {"ANY", "$default"}});
  EXPECT_EQ(r.MethodsFor("/users/42"), (std::vector<std::string>{"GET", "PUT"}));
  EXPECT_EQ(r.MethodsFor("/users/me"), (std::vector<std::string>{"GET", "PUT"}));
  EXPECT_EQ(r.MethodsFor("/admin/a/b"), std::vector<std::string>{"ANY"});
  EXPECT_TRUE(r.MethodsFor("/nothing").empty());  // $default does not count
}

TEST(RouteTemplateTest, AcceptsValidTemplates) {
  for (std::string_view ok : {"/", "/users", "/users/{id}", "/users/{id}/posts/{post-id}",
                              "/{proxy+}", "/a/{p.q_r}/{rest+}", "$default", "/v1.0/x~y"}) {
    EXPECT_TRUE(ValidateRouteTemplate(ok).ok()) << ok;
  }
}

TEST(RouteTemplateTest, NamesEachProblem) {
  auto error = [](std::string_view path) {
    Status s = ValidateRouteTemplate(path);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << path;
    return s.message();
  };
  EXPECT_EQ(error(""), "route path '' must start with '/'");
  EXPECT_EQ(error("users"), "route path 'users' must start with '/'");
  EXPECT_EQ(error("$Default"), "route path '$Default' must start with '/'");
  EXPECT_EQ(error("/users/"), "route path '/users/' must not end with '/'");
  EXPECT_EQ(error("/a//b"), "route path '/a//b' has an empty segment");
  EXPECT_EQ(error("/a/{id"),
            "route path '/a/{id': segment '{id' must be a literal or a whole {parameter}");
  EXPECT_EQ(error("/a/id}"),
            "route path '/a/id}': segment 'id}' must be a literal or a whole {parameter}");
  EXPECT_EQ(error("/a/x{id}"),
            "route path '/a/x{id}': segment 'x{id}' must be a literal or a whole {parameter}");
  EXPECT_EQ(error("/a/{"),
            "route path '/a/{': segment '{' must be a literal or a whole {parameter}");
  EXPECT_EQ(error("/{proxy+}/x"),
            "route path '/{proxy+}/x': a greedy {proxy+} must be the last segment");
  EXPECT_EQ(error("/{}"), "route path '/{}': bad parameter name ''");
  EXPECT_EQ(error("/{+}"), "route path '/{+}': bad parameter name ''");
  EXPECT_EQ(error("/{a b}"), "route path '/{a b}': bad parameter name 'a b'");
  EXPECT_EQ(error("/{a+b}"), "route path '/{a+b}': bad parameter name 'a+b'");
  EXPECT_EQ(error("/{a{b}"), "route path '/{a{b}': bad parameter name 'a{b'");
  EXPECT_EQ(error("/{id}/{id}"), "route path '/{id}/{id}' repeats parameter 'id'");
  EXPECT_EQ(error("/{id}/{id+}"), "route path '/{id}/{id+}' repeats parameter 'id'");
}

TEST(RouteTemplateTest, AddReportsTemplateErrors) {
  Router r;
  EXPECT_EQ(r.Add("GET", "/a/{x+}/b").code(), Code::kInvalidArgument);
  EXPECT_EQ(r.Add("GET", "no-slash").code(), Code::kInvalidArgument);
  EXPECT_EQ(r.size(), 0u);
}

}  // namespace
}  // namespace nimbus::gateway
