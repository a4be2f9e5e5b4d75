#include "observe/log_store.h"

#include <gtest/gtest.h>

namespace nimbus::observe {
namespace {

TEST(LogStoreTest, AppendsAndFiltersInTimeOrder) {
  auto kv = store::NewMemoryStore();
  LogStore logs(*kv);
  ASSERT_TRUE(logs.Open().ok());
  logs.Append("/aws/lambda/f", "s1", 1000, "START RequestId: a");
  logs.Append("/aws/lambda/f", "s2", 999, "hello world");
  logs.Append("/aws/lambda/f", "s1", 1001, "ERROR boom");
  logs.Append("/aws/lambda/g", "s1", 1000, "other");
  logs.Flush();
  FilterQuery q;
  q.group = "/aws/lambda/f";
  auto page = logs.Filter(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 3u);
  EXPECT_EQ(page->events[0].message, "hello world");
  EXPECT_EQ(page->events[0].stream, "s2");
  EXPECT_EQ(page->events[2].message, "ERROR boom");
  q.pattern = "ERROR";
  EXPECT_EQ(logs.Filter(q)->events.size(), 1u);
  q.pattern = "?boom ?world";
  EXPECT_EQ(logs.Filter(q)->events.size(), 2u);
  q.pattern = "\"hello world\"";
  EXPECT_EQ(logs.Filter(q)->events.size(), 1u);
  q.pattern = "";
  q.start_ms = 1000;
  EXPECT_EQ(logs.Filter(q)->events.size(), 2u);
  q.streams = {"s2"};
  q.start_ms.reset();
  EXPECT_EQ(logs.Filter(q)->events.size(), 1u);
  EXPECT_EQ(logs.Groups("/aws/lambda/").size(), 2u);
  EXPECT_EQ(logs.Streams("/aws/lambda/f", "")->size(), 2u);
  EXPECT_EQ(logs.Filter({.group = "nope"}).status().code(), Code::kNotFound);
}

TEST(LogStoreTest, PaginatesWithTokens) {
  auto kv = store::NewMemoryStore();
  LogStore logs(*kv);
  ASSERT_TRUE(logs.Open().ok());
  for (int i = 0; i < 25; ++i) logs.Append("g", "s", 100 + i, "line " + std::to_string(i));
  logs.Flush();
  FilterQuery q;
  q.group = "g";
  q.limit = 10;
  std::vector<std::string> seen;
  for (int pages = 0; pages < 5; ++pages) {
    auto page = logs.Filter(q);
    ASSERT_TRUE(page.ok());
    for (auto& e : page->events) seen.push_back(e.message);
    if (page->next_token.empty()) break;
    q.next_token = page->next_token;
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.back(), "line 24");
}

TEST(LogStoreTest, SurvivesReopen) {
  auto kv = store::NewMemoryStore();
  {
    LogStore logs(*kv);
    ASSERT_TRUE(logs.Open().ok());
    logs.Append("g", "s", 5, "kept");
  }
  LogStore again(*kv);
  ASSERT_TRUE(again.Open().ok());
  auto page = again.StreamEvents("g", "s", std::nullopt, std::nullopt, true, 100, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].message, "kept");
  EXPECT_EQ(again.Streams("g", "")->at(0).last_event_ms, 5);
}

}  // namespace
}  // namespace nimbus::observe
