#include "invoker/time_average.h"

#include <algorithm>
#include <cmath>

namespace nimbus::invoker {

void TimeAverage::Add(double value, Clock::time_point now) {
  if (!measured_) {
    value_ = value;
    measured_ = true;
  } else {
    double dt = std::max(0.0, std::chrono::duration<double, std::milli>(now - last_).count());
    double weight = 1.0 - std::exp(-dt / span_ms_);
    value_ += weight * (value - value_);
  }
  last_ = now;
}

}  // namespace nimbus::invoker
