#include "net/event_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <future>

namespace nimbus::net {
namespace {

TEST(EventLoopTest, TimerFiresOnce) {
  EventLoop loop(2);
  loop.Start();
  std::promise<void> fired;
  auto t = loop.After(std::chrono::milliseconds(5), [&] { fired.set_value(); });
  fired.get_future().wait();
  EXPECT_FALSE(t->Cancel());
}

TEST(EventLoopTest, CancelledTimerNeverFires) {
  EventLoop loop(2);
  loop.Start();
  std::atomic<int> count{0};
  auto t = loop.After(std::chrono::milliseconds(50), [&] { ++count; });
  EXPECT_TRUE(t->Cancel());
  EXPECT_FALSE(t->Cancel());
  std::promise<void> later;
  loop.After(std::chrono::milliseconds(80), [&] { later.set_value(); });
  later.get_future().wait();
  EXPECT_EQ(count.load(), 0);
}

TEST(EventLoopTest, WatchesReadableFds) {
  EventLoop loop(1);
  loop.Start();
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  std::promise<std::string> got;
  std::string acc;
  auto w = loop.WatchReadable(p[0], [&] {
    char buf[16];
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n > 0) acc.append(buf, static_cast<size_t>(n));
    if (acc == "hello") got.set_value(acc);
  });
  ASSERT_EQ(::write(p[1], "hel", 3), 3);
  ASSERT_EQ(::write(p[1], "lo", 2), 2);
  EXPECT_EQ(got.get_future().get(), "hello");
  w->Stop();
  loop.Stop();
  ::close(p[0]);
  ::close(p[1]);
}

}  // namespace
}  // namespace nimbus::net
