// A moving average of durations in which each sample counts by the time
// since the previous one: an exponential average over a span of time, not
// over a number of samples. When samples come thousands a second, one slow
// sample among them barely moves it (as it barely moves the true mean over
// the last second); when they come seconds apart, each counts almost fully.
// A fixed per-sample weight gets both wrong: with many instances of a
// function busy, one invocation descheduled for a few tens of milliseconds
// on a loaded machine would make every invocation look that slow.
//
// Thread-compatible: the owner serialises access.
#pragma once

#include <chrono>

namespace nimbus::invoker {

class TimeAverage {
 public:
  using Clock = std::chrono::steady_clock;

  // `span`: how far back samples still count noticeably (the time constant).
  explicit TimeAverage(std::chrono::milliseconds span) : span_ms_(span.count()) {}

  void Add(double value, Clock::time_point now);
  bool measured() const { return measured_; }
  // The average; 0 until the first sample.
  double value() const { return value_; }

 private:
  double span_ms_;
  bool measured_ = false;
  double value_ = 0;
  Clock::time_point last_;
};

}  // namespace nimbus::invoker
