// Counts crashes in a sliding window to decide when automatic restarts must
// stop (backoff): by default 5 crashes within 3 minutes.
// Threading: not thread-safe; used on the loop thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

#include "supervise/clock.h"

namespace devwatch::supervise {

class CrashHistory {
 public:
  explicit CrashHistory(size_t limit = 5, std::chrono::milliseconds window = std::chrono::minutes(3),
                        NowFn now = real_clock());

  // Records a crash now; true when `limit` crashes fall within the window.
  bool record();
  size_t recent() const;  // crashes within the window, as of now
  void reset() { crashes_.clear(); }
  size_t limit() const { return limit_; }
  std::chrono::milliseconds window() const { return window_; }

 private:
  size_t limit_;
  std::chrono::milliseconds window_;
  NowFn now_;
  std::deque<SteadyClock::time_point> crashes_;
};

}  // namespace devwatch::supervise
