#include "manifest/variable_resolver.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <filesystem>

#include "manifest/test_util.h"
#include "manifest/yaml_loader.h"

namespace nimbus::manifest {
namespace {

namespace json = boost::json;
using testing::TempDir;

Result<json::value> Resolve(const std::string& yaml, ResolveContext ctx = {}) {
  ASSIGN_OR_RETURN(Document doc, ParseYaml(yaml, "serverless.yml"));
  VariableResolver resolver(&doc, std::move(ctx));
  RETURN_IF_ERROR(resolver.ResolveAll());
  return doc.root;
}

std::string ResolveJson(const std::string& yaml, ResolveContext ctx = {}) {
  auto v = Resolve(yaml, std::move(ctx));
  if (!v.ok()) return "ERROR: " + v.status().message();
  return json::serialize(*v);
}

std::string ResolveError(const std::string& yaml, ResolveContext ctx = {}) {
  auto v = Resolve(yaml, std::move(ctx));
  return v.ok() ? "resolved: " + json::serialize(*v) : v.status().message();
}

TEST(VariableResolverTest, SelfReferencesFollowDotPathsAndIndexes) {
  EXPECT_EQ(ResolveJson("custom: {a: {b: x}, list: [p, {q: r}]}\n"
                        "v1: ${self:custom.a.b}\nv2: ${self:custom.list.0}\n"
                        "v3: ${self:custom.list.1.q}\n"),
            R"({"custom":{"a":{"b":"x"},"list":["p",{"q":"r"}]},"v1":"x","v2":"p","v3":"r"})");
}

TEST(VariableResolverTest, SingleVariableKeepsTypeOtherwiseInterpolates) {
  EXPECT_EQ(ResolveJson("c: {n: 5, b: true, o: {k: v}, f: 1.5}\n"
                        "n: ${self:c.n}\nb: ${self:c.b}\no: ${self:c.o}\n"
                        "s: n=${self:c.n} b=${self:c.b} f=${self:c.f}\n"),
            R"({"c":{"n":5,"b":true,"o":{"k":"v"},"f":1.5E0},"n":5,"b":true,"o":{"k":"v"},)"
            R"("s":"n=5 b=true f=1.5"})");
}

TEST(VariableResolverTest, InterpolatingAnObjectIsAnError) {
  EXPECT_EQ(ResolveError("c: {o: {k: v}}\nx: prefix-${self:c.o}\n"),
            "serverless.yml:2:4: Cannot resolve variable at \"x\": String value consists of "
            "variable ${self:c.o} which resolves to a non-string value (an object, a list or "
            "null cannot be part of a string)");
}

TEST(VariableResolverTest, TargetsAreResolvedRecursively) {
  EXPECT_EQ(ResolveJson("a: ${self:b}-a\nb: ${self:c.d}-b\nc: {d: '${opt:x}'}\n",
                        ResolveContext{.options = {{"x", "X"}}}),
            R"({"a":"X-b-a","b":"X-b","c":{"d":"X"}})");
  // An object target has its own variables resolved before it is copied.
  EXPECT_EQ(ResolveJson("copy: ${self:orig}\norig: {name: '${sls:stage}-t', n: '${self:num}'}\n"
                        "num: 3\n"),
            R"({"copy":{"name":"dev-t","n":3},"orig":{"name":"dev-t","n":3},"num":3})");
}

TEST(VariableResolverTest, StageAndRegion) {
  const std::string yaml =
      "provider: {name: aws}\ns: ${sls:stage}\no: ${opt:stage, 'none'}\n"
      "r: ${aws:region}\nacct: ${aws:accountId}\n";
  EXPECT_EQ(
      ResolveJson(yaml),
      R"({"provider":{"name":"aws"},"s":"dev","o":"none","r":"us-east-1","acct":"000000000000"})");
  EXPECT_EQ(
      ResolveJson("provider: {stage: qa, region: eu-west-1}\ns: ${sls:stage}\nr: ${aws:region}\n"),
      R"({"provider":{"stage":"qa","region":"eu-west-1"},"s":"qa","r":"eu-west-1"})");
  ResolveContext ctx;
  ctx.stage = "prod";
  ctx.region = "ap-south-1";
  ctx.options = {{"stage", "prod"}, {"region", "ap-south-1"}};
  ctx.account_id = "123456789012";
  EXPECT_EQ(
      ResolveJson("provider: {stage: qa}\n" + yaml.substr(yaml.find('\n') + 1), ctx),
      R"({"provider":{"stage":"qa"},"s":"prod","o":"prod","r":"ap-south-1","acct":"123456789012"})");
  // provider.stage may itself use variables.
  EXPECT_EQ(ResolveJson("provider: {stage: '${opt:s, \"beta\"}'}\nx: ${sls:stage}\n"),
            R"({"provider":{"stage":"beta"},"x":"beta"})");
}

TEST(VariableResolverTest, OptionsAndEnvironment) {
  ResolveContext ctx;
  ctx.options = {{"foo", "bar"}};
  ctx.env = {{"HOME_DIR", "/home/me"}, {"EMPTY", ""}};
  EXPECT_EQ(ResolveJson("a: ${opt:foo}\nb: ${env:HOME_DIR}/x\nc: '${env:EMPTY}'\n", ctx),
            R"({"a":"bar","b":"/home/me/x","c":""})");
}

TEST(VariableResolverTest, Fallbacks) {
  ResolveContext ctx;
  ctx.env = {{"B", "from-b"}};
  EXPECT_EQ(ResolveJson("custom: {y: why}\n"
                        "s: ${env:NOPE, 'default'}\n"
                        "d: ${env:NOPE, \"dq\"}\n"
                        "self: ${env:NOPE, self:custom.y}\n"
                        "chain: ${env:A, env:NOPE, env:B, 'z'}\n"
                        "num: ${env:NOPE, 123}\n"
                        "flt: ${env:NOPE, 1.5}\n"
                        "t: ${env:NOPE, true}\n"
                        "f: ${env:NOPE, false}\n"
                        "n: ${env:NOPE, null}\n"
                        "nested: ${env:NOPE, ${self:custom.y}}\n"
                        "inner: x-${env:NOPE, 'q'}-y\n",
                        ctx),
            R"({"custom":{"y":"why"},"s":"default","d":"dq","self":"why","chain":"from-b",)"
            R"("num":123,"flt":1.5E0,"t":true,"f":false,"n":null,"nested":"why","inner":"x-q-y"})");
}

TEST(VariableResolverTest, NestedVariablesInAddresses) {
  ResolveContext ctx;
  ctx.options = {{"stage", "prod"}};
  ctx.env = {{"prod_ARN", "arn:prod"}};
  EXPECT_EQ(ResolveJson("custom: {prod: {size: 10}, dev: {size: 1}}\n"
                        "arn: ${env:${opt:stage}_ARN}\n"
                        "size: ${self:custom.${sls:stage}.size}\n",
                        ctx),
            R"({"custom":{"prod":{"size":10},"dev":{"size":1}},"arn":"arn:prod","size":10})");
}

TEST(VariableResolverTest, Params) {
  const std::string yaml =
      "params:\n  default: {domain: dev.example.com, only: d}\n  prod: {domain: example.com}\n"
      "a: ${param:domain}\nb: ${param:only}\nc: ${param:none, 'fallback'}\n";
  EXPECT_EQ(ResolveJson(yaml, ResolveContext{.stage = "prod"}).substr(0, 1), "{");
  auto prod = Resolve(yaml, ResolveContext{.stage = "prod"});
  ASSERT_TRUE(prod.ok()) << prod.status().ToString();
  EXPECT_EQ(prod->at("a"), json::value("example.com"));
  EXPECT_EQ(prod->at("b"), json::value("d"));
  EXPECT_EQ(prod->at("c"), json::value("fallback"));
  auto dev = Resolve(yaml);
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev->at("a"), json::value("dev.example.com"));
}

TEST(VariableResolverTest, StrToBool) {
  ResolveContext ctx;
  ctx.env = {{"FLAG", "TRUE"}, {"OFF", "0"}};
  EXPECT_EQ(ResolveJson("a: ${strToBool(${env:FLAG})}\nb: ${strToBool(${env:OFF})}\n"
                        "c: ${strToBool(false)}\n",
                        ctx),
            R"({"a":true,"b":false,"c":false})");
  EXPECT_EQ(ResolveError("a: ${strToBool(maybe)}\n"),
            "serverless.yml:1:4: Cannot resolve variable at \"a\": Invalid \"strToBool\" input: "
            "expected \"true\", \"false\", \"0\" or \"1\", got \"maybe\"");
}

TEST(VariableResolverTest, CloudFormationPlaceholdersPassThrough) {
  EXPECT_EQ(
      ResolveJson("r: !Sub 'arn:aws:s3:::${Bucket}/${AWS::Region}/${Bucket.Arn}-${sls:stage}'\n"
                  "j: '${!Literal}'\n"),
      R"({"r":{"Fn::Sub":"arn:aws:s3:::${Bucket}/${AWS::Region}/${Bucket.Arn}-dev"},)"
      R"("j":"${!Literal}"})");
}

TEST(VariableResolverTest, EscapedDollarBraceIsLiteral) {
  EXPECT_EQ(ResolveJson("a: '\\${self:b}'\nb: x\n"), R"({"a":"${self:b}","b":"x"})");
}

TEST(VariableResolverTest, ValuesHoldingVariablesAreResolvedAgain) {
  ResolveContext ctx;
  ctx.env = {{"INDIRECT", "${self:target}"}};
  EXPECT_EQ(ResolveJson("target: found\na: ${env:INDIRECT}\n", ctx),
            R"({"target":"found","a":"found"})");
}

TEST(VariableResolverTest, UnresolvableVariableNamesPathAndPosition) {
  EXPECT_EQ(ResolveError("service: demo\nprovider:\n  name: aws\n  environment:\n"
                         "    X: ${env:MISSING_VAR}\n"),
            "serverless.yml:5:8: Cannot resolve variable at \"provider.environment.X\": "
            "Value not found at \"env\" source");
  EXPECT_EQ(
      ResolveError("a: ${self:nothing.here}\n"),
      "serverless.yml:1:4: Cannot resolve variable at \"a\": Value not found at \"self\" source");
  EXPECT_EQ(ResolveError("list:\n  - ok\n  - ${opt:nope}\n"),
            "serverless.yml:3:5: Cannot resolve variable at \"list[1]\": Value not found at "
            "\"opt\" source");
}

TEST(VariableResolverTest, CyclesAreErrors) {
  EXPECT_EQ(ResolveError("a: ${self:b}\nb: ${self:a}\n"),
            "serverless.yml:1:4: Cannot resolve variable at \"a\": Circular reference: \"a\" -> "
            "\"b\" -> \"a\"");
  EXPECT_EQ(ResolveError("a: x${self:a}\n"),
            "serverless.yml:1:4: Cannot resolve variable at \"a\": Circular reference: \"a\" -> "
            "\"a\"");
  // An object that includes itself.
  EXPECT_NE(ResolveError("o: {k: '${self:o}'}\n").find("Circular reference"), std::string::npos);
  EXPECT_NE(ResolveError("provider: {stage: '${sls:stage}'}\n").find("Circular reference"),
            std::string::npos);
}

TEST(VariableResolverTest, RemoteSourcesNeedAFallback) {
  EXPECT_EQ(ResolveJson("a: ${ssm:/my/param, 'local'}\n"), R"({"a":"local"})");
  EXPECT_EQ(ResolveError("a: ${cf:stack.Output}\n"),
            "serverless.yml:1:4: Cannot resolve variable at \"a\": \"cf\" variables are read "
            "from AWS, which Nimbus does not do; give a fallback (${cf:..., 'value'})");
  EXPECT_EQ(ResolveError("a: ${nope:x}\n"),
            "serverless.yml:1:4: Cannot resolve variable at \"a\": Unrecognized variable source "
            "\"nope\"");
}

TEST(VariableResolverTest, SyntaxErrorsArePositioned) {
  EXPECT_EQ(ResolveError("x: 1\na: ${env:X, dev}\n"),
            "serverless.yml:2:4: Variable syntax error at \"a\": Invalid literal source \"dev\" "
            "(quote text fallbacks: 'text') at index 9 in \"${env:X, dev}\"");
  EXPECT_NE(ResolveError("a: ${self:b\n").find("Missing variable closing bracket"),
            std::string::npos);
}

TEST(VariableResolverTest, FileSources) {
  TempDir dir;
  dir.Write("config/dev.yml",
            "table: users\nsettings:\n  size: 5\n  name: ${self:service}-x\n"
            "list: [a, b]\nbad: ${env:NOT_SET}\n");
  dir.Write("data.json", R"({"k": {"v": [1, 2, 3]}, "s": "text"})");
  dir.Write("note.txt", "hello\n");
  ResolveContext ctx;
  ctx.service_dir = dir.path();
  EXPECT_EQ(ResolveJson("service: svc\n"
                        "a: ${file(./config/dev.yml):table}\n"
                        "b: ${file(./config/${sls:stage}.yml):settings}\n"
                        "c: ${file(config/dev.yml):list.1}\n"
                        "d: ${file(./data.json)}\n"
                        "e: ${file(./data.json):k.v.2}\n"
                        "f: ${file(./missing.yml), 'none'}\n"
                        "g: ${file(./missing.yml):a, self:service}\n"
                        "h: ${file(./note.txt)}\n",
                        ctx),
            R"({"service":"svc","a":"users","b":{"size":5,"name":"svc-x"},"c":"b",)"
            R"("d":{"k":{"v":[1,2,3]},"s":"text"},"e":3,"f":"none","g":"svc","h":"hello\n"})");
  // Errors inside included content point into the included file.
  EXPECT_EQ(
      ResolveError("x: ${file(./config/dev.yml):bad}\n", ctx),
      "config/dev.yml:6:6: Cannot resolve variable at \"x\": Value not found at \"env\" source");
  EXPECT_EQ(ResolveError("x: ${file(../outside.yml)}\n", ctx),
            "serverless.yml:1:4: Cannot resolve variable at \"x\": Cannot load file from outside "
            "of service folder (\"../outside.yml\")");
  EXPECT_EQ(
      ResolveError("x: ${file(./nope.yml):a}\n", ctx),
      "serverless.yml:1:4: Cannot resolve variable at \"x\": Value not found at \"file\" source");
}

TEST(VariableResolverTest, FileSourceRefusesLinksLeavingTheServiceFolder) {
  TempDir dir;
  dir.Write("outside/secret.yml", "key: secret\n");
  dir.Write("service/config/dev.yml", "key: inside\n");
  std::filesystem::path service = dir.Abs("service");
  std::filesystem::create_symlink("../outside/secret.yml", service / "relative.yml");
  std::filesystem::create_symlink(dir.Abs("outside/secret.yml"), service / "absolute.yml");
  std::filesystem::create_symlink("../outside", service / "conf");
  std::filesystem::create_symlink("conf/secret.yml", service / "chained.yml");
  std::filesystem::create_symlink("config/dev.yml", service / "alias.yml");
  std::filesystem::create_symlink("config", service / "settings");
  ResolveContext ctx;
  ctx.service_dir = service.string();
  std::string secret = std::filesystem::canonical(dir.Abs("outside/secret.yml")).string();
  for (const char* file : {"./relative.yml", "absolute.yml", "./conf/secret.yml", "chained.yml"}) {
    EXPECT_EQ(
        ResolveError("service: s\nx: ${file(" + std::string(file) + "):key, 'fallback'}\n", ctx),
        "serverless.yml:2:4: Cannot resolve variable at \"x\": Cannot load file from "
        "outside of service folder (\"" +
            std::string(file) + "\" leads to \"" + secret + "\" through a symbolic link)");
  }
  // Links that stay inside the folder work, as does a folder reached through a link.
  std::filesystem::create_symlink(service, dir.Abs("service-link"));
  ctx.service_dir = dir.Abs("service-link");
  EXPECT_EQ(ResolveJson("a: ${file(./alias.yml):key}\nb: ${file(./settings/dev.yml):key}\n", ctx),
            R"({"a":"inside","b":"inside"})");
}

TEST(VariableResolverTest, SyntaxErrorInIncludedFileNamesThatFile) {
  TempDir dir;
  dir.Write("bad.yml", "a: [1,\n");
  ResolveContext ctx;
  ctx.service_dir = dir.path();
  std::string error = ResolveError("x: ${file(./bad.yml)}\n", ctx);
  EXPECT_EQ(error.rfind("bad.yml:", 0), 0u) << error;
}

TEST(VariableResolverTest, SelfIncludingFileStopsAtDepthLimit) {
  TempDir dir;
  dir.Write("loop.yml", "again: ${file(./loop.yml)}\n");
  ResolveContext ctx;
  ctx.service_dir = dir.path();
  EXPECT_NE(ResolveError("x: ${file(./loop.yml)}\n", ctx).find("Excessive"), std::string::npos);
}

// "Billion laughs" through variables: each value repeats the previous twice.
TEST(VariableResolverTest, ValuesThatDoubleAreCappedAt16MB) {
  std::string strings = "custom:\n  a0: " + std::string(1024, 'x') + "\n";
  std::string lists = "custom:\n  a0: [" + std::string(1024, 'x') + "]\n";
  for (int i = 1; i <= 40; ++i) {
    std::string prev = "${self:custom.a" + std::to_string(i - 1) + "}";
    strings += "  a" + std::to_string(i) + ": " + prev + prev + "\n";
    lists += "  a" + std::to_string(i) + ": ['" + prev + "', '" + prev + "']\n";
  }
  for (const std::string& yaml : {strings, lists}) {
    std::string error = ResolveError(yaml);
    EXPECT_NE(error.find("variables expand the file to more than 16 MB"), std::string::npos)
        << error.substr(0, 300);
    EXPECT_EQ(error.rfind("serverless.yml:", 0), 0u) << error.substr(0, 300);
  }
  // One long interpolation is capped as it is built.
  std::string wide = "custom:\n  a: " + std::string(1 << 20, 'x') + "\nb: '";
  for (int i = 0; i < 20; ++i) wide += "${self:custom.a}";
  wide += "'\n";
  EXPECT_NE(ResolveError(wide).find("more than 16 MB"), std::string::npos);
  // Large values used a few times are fine.
  std::string fine = "custom:\n  a: " + std::string(1 << 20, 'x') + "\nb: ${self:custom.a}\n" +
                     "c: ['${self:custom.a}', '${self:custom.a}${self:custom.a}']\n";
  auto v = Resolve(fine);
  ASSERT_TRUE(v.ok()) << v.status().ToString().substr(0, 300);
  EXPECT_EQ(v->at("c").at(1).as_string().size(), 2u << 20);
}

TEST(VariableResolverTest, ResolvePathResolvesOnlyWhatIsNeeded) {
  auto doc = ParseYaml("provider: {stage: '${opt:s, \"qa\"}'}\nother: ${env:UNSET}\n", "s.yml");
  ASSERT_TRUE(doc.ok());
  VariableResolver resolver(&*doc, {});
  auto stage = resolver.ResolvePath("provider.stage");
  ASSERT_TRUE(stage.ok()) << stage.status().ToString();
  EXPECT_EQ(*stage, json::value("qa"));
  EXPECT_TRUE(resolver.ResolvePath("not.there")->is_null());
  EXPECT_FALSE(resolver.ResolveAll().ok());
}

TEST(VariableResolverTest, InterpolationTextMatchesJavaScript) {
  EXPECT_EQ(*InterpolationText(json::value(3)), "3");
  EXPECT_EQ(*InterpolationText(json::value(2.0)), "2");
  EXPECT_EQ(*InterpolationText(json::value(0.1)), "0.1");
  EXPECT_EQ(*InterpolationText(json::value(1e-7)), "1e-7");
  EXPECT_EQ(*InterpolationText(json::value(false)), "false");
  EXPECT_FALSE(InterpolationText(json::value(nullptr)).has_value());
  EXPECT_FALSE(InterpolationText(json::object()).has_value());
}

}  // namespace
}  // namespace nimbus::manifest
