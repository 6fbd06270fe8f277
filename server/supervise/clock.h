// The injectable clock for timing logic that tests must control (crash
// windows). Timers themselves stay on asio's steady clock.
// Thread-safe: a plain function value.
#pragma once

#include <chrono>
#include <functional>

namespace devwatch::supervise {

using SteadyClock = std::chrono::steady_clock;
using NowFn = std::function<SteadyClock::time_point()>;

inline NowFn real_clock() {
  return [] { return SteadyClock::now(); };
}

}  // namespace devwatch::supervise
