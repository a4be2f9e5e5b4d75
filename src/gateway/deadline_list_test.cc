#include "gateway/deadline_list.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace nimbus::gateway {
namespace {

using namespace std::chrono_literals;

struct Item : std::enable_shared_from_this<Item> {
  explicit Item(std::string n) : name(std::move(n)) {}
  std::string name;
  DeadlineList<Item>::Hook deadline_hook;
};

using Clock = DeadlineList<Item>::Clock;

std::vector<std::string> Names(const std::vector<std::shared_ptr<Item>>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i->name);
  return out;
}

TEST(DeadlineListTest, OnlyTheFirstAddOfAnUnarmedListAsksForTheTimer) {
  DeadlineList<Item> list;
  auto a = std::make_shared<Item>("a");
  auto b = std::make_shared<Item>("b");
  std::optional<Clock::time_point> first = list.Add(*a, 30s);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(list.Add(*b, 30s).has_value());  // the timer for `a` comes first

  // Fired before anything is due: nothing expires, re-arm for the head.
  std::optional<Clock::time_point> next;
  EXPECT_TRUE(list.PopExpired(Clock::now(), &next).empty());
  EXPECT_EQ(next, first);

  // Everything due: both expire in start order and the timer is unarmed.
  EXPECT_EQ(Names(list.PopExpired(Clock::now() + 31s, &next)),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(next.has_value());
  EXPECT_TRUE(list.empty());
  EXPECT_TRUE(list.Add(*a, 30s).has_value());  // the next call arms it again
}

TEST(DeadlineListTest, RemovedItemsNeverExpire) {
  DeadlineList<Item> list;
  std::vector<std::shared_ptr<Item>> items;
  for (const char* n : {"a", "b", "c", "d"}) {
    items.push_back(std::make_shared<Item>(n));
    list.Add(*items.back(), 1s);
  }
  list.Remove(*items[0]);  // head
  list.Remove(*items[2]);  // middle
  list.Remove(*items[3]);  // tail
  list.Remove(*items[3]);  // twice is harmless
  std::optional<Clock::time_point> next;
  EXPECT_EQ(Names(list.PopExpired(Clock::now() + 2s, &next)), (std::vector<std::string>{"b"}));
  EXPECT_FALSE(next.has_value());

  // The list stays usable after removals at both ends.
  list.Add(*items[2], 1s);
  list.Add(*items[0], 1s);
  EXPECT_EQ(Names(list.PopExpired(Clock::now() + 2s, &next)), (std::vector<std::string>{"c", "a"}));
}

TEST(DeadlineListTest, TheTimerWhoseItemLeftStillRearmsForTheNext) {
  DeadlineList<Item> list;
  auto a = std::make_shared<Item>("a");
  auto b = std::make_shared<Item>("b");
  ASSERT_TRUE(list.Add(*a, 1s).has_value());
  list.Remove(*a);  // answered in time; its timer stays armed
  EXPECT_FALSE(list.Add(*b, 1s).has_value());
  std::optional<Clock::time_point> next;
  EXPECT_TRUE(list.PopExpired(Clock::now(), &next).empty());
  EXPECT_TRUE(next.has_value());  // re-armed for `b`
  EXPECT_EQ(Names(list.PopExpired(Clock::now() + 2s, &next)), (std::vector<std::string>{"b"}));
}

TEST(DeadlineListTest, AnItemNoLongerOwnedIsSkipped) {
  DeadlineList<Item> list;
  Item unowned("unowned");  // as an item whose last owner is already gone
  auto owned = std::make_shared<Item>("owned");
  list.Add(unowned, 1s);
  list.Add(*owned, 1s);
  std::optional<Clock::time_point> next;
  EXPECT_EQ(Names(list.PopExpired(Clock::now() + 2s, &next)), (std::vector<std::string>{"owned"}));
  EXPECT_TRUE(list.empty());
}

}  // namespace
}  // namespace nimbus::gateway
