#include "sandbox/uid_pool.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/ids.h"

namespace nimbus::sandbox {
namespace {

class UidPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / ("nimbus-uids-" + RandomHex(8))).string();
    options_.base = 3000000000U;
    options_.count = 3;
    options_.lock_dir = dir_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  UidPoolOptions options_;
};

TEST_F(UidPoolTest, HandsOutDistinctUidsAndReusesReturnedOnes) {
  auto pool = UidPool::Create(options_);
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  auto a = (*pool)->Acquire();
  auto b = (*pool)->Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->uid(), 3000000000U);
  EXPECT_EQ((*b)->uid(), 3000000001U);
  a->reset();
  auto c = (*pool)->Acquire();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->uid(), 3000000000U);
}

// Two servers on one host (two pools on one lock directory) never share a uid.
TEST_F(UidPoolTest, PoolsSharingALockDirectoryNeverShareAUid) {
  auto first = UidPool::Create(options_);
  auto second = UidPool::Create(options_);
  ASSERT_TRUE(first.ok() && second.ok());
  auto a = (*first)->Acquire();
  auto b = (*second)->Acquire();
  auto c = (*first)->Acquire();
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ((*a)->uid(), 3000000000U);
  EXPECT_EQ((*b)->uid(), 3000000001U);
  EXPECT_EQ((*c)->uid(), 3000000002U);
  auto d = (*second)->Acquire();
  EXPECT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kResourceExhausted);
}

TEST_F(UidPoolTest, LeaseOutlivesThePool) {
  auto pool = UidPool::Create(options_);
  ASSERT_TRUE(pool.ok());
  auto a = (*pool)->Acquire();
  ASSERT_TRUE(a.ok());
  pool->reset();
  a->reset();  // must not touch the destroyed pool
}

}  // namespace
}  // namespace nimbus::sandbox
