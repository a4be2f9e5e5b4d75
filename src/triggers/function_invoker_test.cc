#include "triggers/function_invoker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "core/ids.h"

namespace nimbus::triggers {
namespace {

// Without an invoker: these tests stop at the references the service cannot
// run, which is where the triggers layer decides; a running function is the
// end-to-end tests' business.
class FunctionInvokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = (std::filesystem::temp_directory_path() / ("nimbus-trig-" + RandomHex(8))).string();
    store_ = store::NewMemoryStore();
    code_ = std::make_unique<functions::CodeStore>(root_);
    catalog_ = std::make_unique<runtime::RuntimeCatalog>(runtime::CatalogOptions{root_});
    functions::FunctionServiceOptions options;
    options.platform = Platform{"eu-west-1", "123456789012"};
    service_ = std::make_unique<functions::FunctionService>(*store_, *code_, *catalog_, nullptr,
                                                            options);
    ASSERT_TRUE(service_->Load().ok());
    invoker_ = std::make_unique<FunctionInvoker>(*service_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // The result, when `done` ran before Invoke returned.
  std::optional<invoker::InvokeResult> Run(const std::string& function) {
    std::optional<invoker::InvokeResult> out;
    invoker_->Invoke(function, "{}", [&](invoker::InvokeResult r) { out = std::move(r); });
    return out;
  }

  std::string root_;
  std::unique_ptr<store::KvStore> store_;
  std::unique_ptr<functions::CodeStore> code_;
  std::unique_ptr<runtime::RuntimeCatalog> catalog_;
  std::unique_ptr<functions::FunctionService> service_;
  std::unique_ptr<FunctionInvoker> invoker_;
};

TEST_F(FunctionInvokerTest, AMissingFunctionIsNotFoundByItsArn) {
  auto r = Run("nope");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status.code(), Code::kNotFound);
  EXPECT_EQ(r->status.message(),
            "Function not found: arn:aws:lambda:eu-west-1:123456789012:function:nope");
  r = Run("arn:aws:lambda:eu-west-1:123456789012:function:nope:live");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status.message(),
            "Function not found: arn:aws:lambda:eu-west-1:123456789012:function:nope:live");
}

TEST_F(FunctionInvokerTest, ArnsOfAnotherAccountOrRegionNameNothingHere) {
  for (const char* other : {"arn:aws:lambda:us-east-1:123456789012:function:f",
                            "arn:aws:lambda:eu-west-1:000000000000:function:f",
                            "000000000000:function:f"}) {
    auto r = Run(other);
    ASSERT_TRUE(r.has_value()) << other;
    EXPECT_EQ(r->status.code(), Code::kNotFound) << other;
    EXPECT_EQ(r->status.message(), std::string("Function not found: ") + other);
  }
}

TEST_F(FunctionInvokerTest, AMalformedReferenceIsInvalid) {
  for (const char* bad : {"bad name", "a:b:c:d:e", ""}) {
    auto r = Run(bad);
    ASSERT_TRUE(r.has_value()) << bad;
    EXPECT_EQ(r->status.code(), Code::kInvalidArgument) << bad;
  }
}

TEST_F(FunctionInvokerTest, TheGatewaysInvokeFunctionGoesThroughIt) {
  gateway::InvokeFunction invoke = invoker_->ForGateway();
  std::optional<invoker::InvokeResult> out;
  invoke("missing", "{}", [&](invoker::InvokeResult r) { out = std::move(r); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status.code(), Code::kNotFound);
}

}  // namespace
}  // namespace nimbus::triggers
