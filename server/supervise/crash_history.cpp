#include "supervise/crash_history.h"

#include <algorithm>

namespace devwatch::supervise {

CrashHistory::CrashHistory(const Clock& clock, size_t limit, std::chrono::milliseconds window)
    : clock_(clock), limit_(std::max<size_t>(limit, 1)), window_(window) {}

bool CrashHistory::record() {
  const auto now = clock_.now();
  crashes_.push_back(now);
  while (!crashes_.empty() && now - crashes_.front() >= window_) crashes_.pop_front();
  while (crashes_.size() > limit_) crashes_.pop_front();
  return crashes_.size() >= limit_;
}

size_t CrashHistory::recent() const {
  const auto now = clock_.now();
  return static_cast<size_t>(
      std::count_if(crashes_.begin(), crashes_.end(), [&](auto t) { return now - t < window_; }));
}

}  // namespace devwatch::supervise
