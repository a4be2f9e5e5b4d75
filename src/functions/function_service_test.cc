#include "functions/function_service.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/ids.h"
#include "core/zip_writer.h"

namespace nimbus::functions {
namespace {

class FunctionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = (std::filesystem::temp_directory_path() / ("nimbus-fs-" + RandomHex(8))).string();
    store_ = store::NewMemoryStore();
    code_ = std::make_unique<CodeStore>(root_);
    catalog_ = std::make_unique<runtime::RuntimeCatalog>(runtime::CatalogOptions{root_});
    service_ = std::make_unique<FunctionService>(*store_, *code_, *catalog_, nullptr,
                                                 FunctionServiceOptions{});
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  FunctionConfig Config(const std::string& name) {
    FunctionConfig c;
    c.name = name;
    c.runtime = "python3.12";
    c.handler = "app.handler";
    c.role = "arn:aws:iam::000000000000:role/lambda";
    return c;
  }
  std::string Zip(const std::string& body = "def handler(e, c): return 1\n") {
    return *WriteZip({ZipEntry::File("app.py", body)});
  }

  std::string root_;
  std::unique_ptr<store::KvStore> store_;
  std::unique_ptr<CodeStore> code_;
  std::unique_ptr<runtime::RuntimeCatalog> catalog_;
  std::unique_ptr<FunctionService> service_;
};

TEST_F(FunctionServiceTest, CreateGetAndConflict) {
  auto f = service_->Create(Config("hello"), Zip());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_FALSE(f->revision_id.empty());
  EXPECT_EQ(f->code_sha256_base64.size(), 44u);
  auto got = service_->Get({"hello", ""});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->handler, "app.handler");
  auto dup = service_->Create(Config("hello"), Zip());
  EXPECT_EQ(dup.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "Function already exist: hello");
  auto missing = service_->Get({"nope", ""});
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
}

TEST_F(FunctionServiceTest, ValidatesLikeLambda) {
  auto c = Config("f");
  c.timeout_s = 901;
  EXPECT_EQ(service_->Create(c, Zip()).status().code(), Code::kInvalidArgument);
  c = Config("f");
  c.memory_mb = 64;
  EXPECT_EQ(service_->Create(c, Zip()).status().code(), Code::kInvalidArgument);
  c = Config("f");
  c.runtime = "java21";
  EXPECT_NE(service_->Create(c, Zip()).status().message().find("runtime"), std::string::npos);
  c = Config("f");
  c.environment = {{"AWS_REGION", "x"}};
  EXPECT_NE(service_->Create(c, Zip()).status().message().find("reserved keys"),
            std::string::npos);
  c = Config("f");
  c.environment = {{"BIG", std::string(5000, 'x')}};
  EXPECT_NE(service_->Create(c, Zip()).status().message().find("4KB"), std::string::npos);
  c = Config("bad name");
  EXPECT_EQ(service_->Create(c, Zip()).status().code(), Code::kInvalidArgument);
  c = Config("f");
  c.handler = "";
  EXPECT_EQ(service_->Create(c, Zip()).status().code(), Code::kInvalidArgument);
  c = Config("f");
  EXPECT_EQ(service_->Create(c, "garbage").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->count(), 0u);  // nothing half-created
}

TEST_F(FunctionServiceTest, ListPaginates) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(service_->Create(Config("f" + std::to_string(i)), Zip()).ok());
  }
  auto p1 = service_->List("", 2);
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->functions.size(), 2u);
  EXPECT_EQ(p1->next_marker, "f1");
  auto p2 = service_->List(p1->next_marker, 2);
  EXPECT_EQ(p2->functions[0].name, "f2");
  auto p3 = service_->List(p2->next_marker, 2);
  EXPECT_EQ(p3->functions.size(), 1u);
  EXPECT_EQ(p3->next_marker, "");
}

TEST_F(FunctionServiceTest, UpdatesChangeTheRevisionAndPersist) {
  auto f = service_->Create(Config("f"), Zip());
  ASSERT_TRUE(f.ok());
  auto code = service_->UpdateCode({"f", ""}, Zip("def handler(e, c): return 2\n"), std::nullopt);
  ASSERT_TRUE(code.ok());
  EXPECT_NE(code->code_sha256_hex, f->code_sha256_hex);
  EXPECT_NE(code->revision_id, f->revision_id);
  EXPECT_TRUE(PathExists(root_ + "/" + f->code_sha256_hex));  // kept until collected
  service_->CollectGarbage();
  EXPECT_FALSE(PathExists(root_ + "/" + f->code_sha256_hex));
  EXPECT_TRUE(PathExists(root_ + "/" + code->code_sha256_hex));
  ConfigUpdate u;
  u.memory_mb = 512;
  u.environment = std::map<std::string, std::string>{{"AB", "1"}};
  auto cfg = service_->UpdateConfiguration({"f", ""}, u);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->memory_mb, 512u);
  u.revision_id = "stale";
  EXPECT_EQ(service_->UpdateConfiguration({"f", ""}, u).status().code(),
            Code::kFailedPrecondition);
  ConfigUpdate bad;
  bad.timeout_s = 0;
  EXPECT_EQ(service_->UpdateConfiguration({"f", ""}, bad).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(service_->Get({"f", ""})->timeout_s, 3u);  // unchanged

  FunctionService reloaded(*store_, *code_, *catalog_, nullptr, FunctionServiceOptions{});
  Status loaded = reloaded.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.ToString();
  auto r = reloaded.Get({"f", ""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->memory_mb, 512u);
  EXPECT_EQ(r->environment.at("AB"), "1");
  ASSERT_TRUE(reloaded.Delete({"f", ""}).ok());
  EXPECT_EQ(reloaded.Get({"f", ""}).status().code(), Code::kNotFound);
}

// Code an instance may still run is kept until nothing refers to it.
TEST_F(FunctionServiceTest, GarbageCollectionSparesCodeInUse) {
  auto f = service_->Create(Config("g"), Zip());
  ASSERT_TRUE(f.ok());
  auto running = service_->Spec({"g", ""});  // what an instance holds while it runs
  ASSERT_TRUE(running.ok());
  ASSERT_TRUE(service_->UpdateCode({"g", ""}, Zip("def handler(e, c): return 3\n"), std::nullopt).ok());
  service_->CollectGarbage();
  EXPECT_TRUE(PathExists((*running)->code_dir + "/app.py"));
  running = Status(Code::kNotFound, "released");
  service_->CollectGarbage();
  EXPECT_FALSE(PathExists(root_ + "/" + f->code_sha256_hex));
  ASSERT_TRUE(service_->Delete({"g", ""}).ok());
  service_->CollectGarbage();
  EXPECT_TRUE(code_->List().empty());
}

TEST(FunctionRefTest, ParsesNamesAndArns) {
  EXPECT_EQ(ParseFunctionRef("f")->name, "f");
  EXPECT_EQ(ParseFunctionRef("f:3")->qualifier, "3");
  EXPECT_EQ(ParseFunctionRef("f:$LATEST")->qualifier, "");
  EXPECT_EQ(ParseFunctionRef("000000000000:function:f")->name, "f");
  auto arn = ParseFunctionRef("arn:aws:lambda:us-east-1:000000000000:function:f:live");
  ASSERT_TRUE(arn.ok());
  EXPECT_EQ(arn->name, "f");
  EXPECT_EQ(arn->qualifier, "live");
  EXPECT_FALSE(ParseFunctionRef("a b").ok());
  EXPECT_FALSE(ParseFunctionRef("").ok());
  EXPECT_FALSE(ParseFunctionRef("x:y:z:w:v").ok());
}

}  // namespace
}  // namespace nimbus::functions
