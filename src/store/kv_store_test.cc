#include "store/kv_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/ids.h"

namespace nimbus::store {
namespace {

class KvStoreTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      dir_ = (std::filesystem::temp_directory_path() / ("nimbus-kv-" + RandomHex(8))).string();
      auto s = OpenRocksDb(dir_);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      store_ = std::move(*s);
    } else {
      store_ = NewMemoryStore();
    }
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<KvStore> store_;
};

TEST_P(KvStoreTest, PutGetDelete) {
  ASSERT_TRUE(store_->Put("a", "1").ok());
  EXPECT_EQ(**store_->Get("a"), "1");
  ASSERT_TRUE(store_->Delete("a").ok());
  EXPECT_FALSE(store_->Get("a")->has_value());
}

TEST_P(KvStoreTest, BatchAndOrderedScan) {
  WriteBatch b;
  b.Put("p/b", "2");
  b.Put("p/a", "1");
  b.Put("q/a", "x");
  b.Put(std::string("p/\xff", 3), "3");
  ASSERT_TRUE(store_->Write(b).ok());
  std::vector<std::string> keys;
  ASSERT_TRUE(store_->Scan("p/", "", [&](std::string_view k, std::string_view) {
                      keys.emplace_back(k);
                      return true;
                    }).ok());
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0], "p/a");
  EXPECT_EQ(keys[1], "p/b");
  keys.clear();
  ASSERT_TRUE(store_->Scan("p/", "p/b", [&](std::string_view k, std::string_view) {
                      keys.emplace_back(k);
                      return false;
                    }).ok());
  EXPECT_EQ(keys, std::vector<std::string>{"p/b"});
}

TEST_P(KvStoreTest, ReverseIteration) {
  ASSERT_TRUE(store_->Put("k1", "").ok());
  ASSERT_TRUE(store_->Put("k3", "").ok());
  auto it = store_->NewIterator();
  it->SeekForPrev("k2");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "k1");
  it->Seek("k2");
  EXPECT_EQ(it->key(), "k3");
  it->Prev();
  EXPECT_EQ(it->key(), "k1");
}

INSTANTIATE_TEST_SUITE_P(Engines, KvStoreTest, ::testing::Values(false, true));

TEST(PrefixEndTest, Increments) {
  EXPECT_EQ(PrefixEnd("ab"), "ac");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(std::string("\xff", 1)), "");
}

}  // namespace
}  // namespace nimbus::store
