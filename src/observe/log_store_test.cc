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
  LogStore::StreamRead read;
  read.from_head = true;
  auto page = again.StreamEvents("g", "s", read);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].message, "kept");
  EXPECT_EQ(again.Streams("g", "")->at(0).last_event_ms, 5);
}

TEST(LogStoreTest, RetentionExpiresOldEventsOnly) {
  constexpr int64_t kDay = 86'400'000;
  const int64_t now = 100 * kDay;
  auto kv = store::NewMemoryStore();
  {
    LogStore logs(*kv);
    ASSERT_TRUE(logs.Open().ok());
    EXPECT_EQ(logs.SetRetention("g", 1).code(), Code::kNotFound);
    logs.Append("g", "a", now - 3 * kDay, "old a");   // 5 bytes
    logs.Append("g", "b", now - 2 * kDay, "old b!");  // 6 bytes
    logs.Append("g", "a", now - kDay / 2, "recent");
    logs.Append("h", "a", now - 30 * kDay, "no retention here");
    logs.Flush();
    ASSERT_TRUE(logs.SetRetention("g", 1).ok());
  }
  LogStore logs(*kv);  // the retention period is kept
  ASSERT_TRUE(logs.Open().ok());
  EXPECT_EQ(logs.Groups("g").at(0).retention_days, 1);
  uint64_t bytes_before = logs.Groups("g").at(0).stored_bytes;
  auto expired = logs.ExpireEvents(now);
  ASSERT_TRUE(expired.ok()) << expired.status().ToString();
  EXPECT_EQ(*expired, 2u);
  FilterQuery q;
  q.group = "g";
  auto page = logs.Filter(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].message, "recent");
  EXPECT_EQ(logs.Groups("g").at(0).stored_bytes, bytes_before - 11);
  EXPECT_EQ(logs.Filter({.group = "h"})->events.size(), 1u);
  EXPECT_EQ(*logs.ExpireEvents(now), 0u);
  // Many at once go in several batches.
  for (int i = 0; i < 25'000; ++i) logs.Append("g", "a", now - 2 * kDay + i, "x");
  EXPECT_EQ(*logs.ExpireEvents(now), 25'000u);
  EXPECT_EQ(logs.Filter(q)->events.size(), 1u);
  // Without a retention period nothing expires.
  ASSERT_TRUE(logs.SetRetention("g", 0).ok());
  EXPECT_EQ(*logs.ExpireEvents(now + 365 * kDay), 0u);
  EXPECT_EQ(logs.Filter(q)->events.size(), 1u);
}

TEST(LogStoreTest, ReadsStreamsBothWays) {
  auto kv = store::NewMemoryStore();
  LogStore logs(*kv);
  ASSERT_TRUE(logs.Open().ok());
  ASSERT_TRUE(logs.CreateGroup("g").ok());
  ASSERT_TRUE(logs.CreateStream("g", "s").ok());
  EXPECT_EQ(logs.CreateStream("g", "s").code(), Code::kAlreadyExists);
  EXPECT_EQ(logs.Streams("g", "")->at(0).first_event_ms, 0);
  for (int i = 0; i < 10; ++i) logs.Append("g", "s", 100 + i, "e" + std::to_string(i));
  logs.Append("g", "other", 105, "x");
  logs.Flush();
  auto messages = [](const std::vector<LogEvent>& v) {
    std::string out;
    for (const auto& e : v) out += e.message + " ";
    return out;
  };
  LogStore::StreamRead r;
  r.limit = 3;
  auto tail = logs.StreamEvents("g", "s", r);
  EXPECT_EQ(messages(*tail), "e7 e8 e9 ");
  r.before_id = tail->front().event_id;
  EXPECT_EQ(messages(*logs.StreamEvents("g", "s", r)), "e4 e5 e6 ");
  r = {};
  r.from_head = true;
  r.limit = 3;
  auto head = logs.StreamEvents("g", "s", r);
  EXPECT_EQ(messages(*head), "e0 e1 e2 ");
  r.after_id = head->back().event_id;
  EXPECT_EQ(messages(*logs.StreamEvents("g", "s", r)), "e3 e4 e5 ");
  EXPECT_EQ(logs.Streams("g", "s")->at(0).first_event_ms, 100);
  EXPECT_EQ(logs.StreamEvents("g", "nope", r).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace nimbus::observe
