// Counts crashes in a sliding window to decide when automatic restarts must
// stop (backoff): by default 5 crashes within 3 minutes. Time comes from the
// injected Clock, so tests move it by hand.
// Threading: not thread-safe; used on the clock's thread (the loop thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

#include "common/clock.h"

namespace devwatch::supervise {

class CrashHistory {
 public:
  // `clock` must outlive the history.
  explicit CrashHistory(const Clock& clock, size_t limit = 5,
                        std::chrono::milliseconds window = std::chrono::minutes(3));

  // Records a crash now; true when `limit` crashes fall within the window.
  bool record();
  size_t recent() const;  // crashes within the window, as of now
  void reset() { crashes_.clear(); }
  size_t limit() const { return limit_; }
  std::chrono::milliseconds window() const { return window_; }

 private:
  const Clock& clock_;
  size_t limit_;
  std::chrono::milliseconds window_;
  std::deque<TimePoint> crashes_;
};

}  // namespace devwatch::supervise
