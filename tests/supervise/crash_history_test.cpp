#include <catch2/catch.hpp>

#include <chrono>

#include "supervise/crash_history.h"

using namespace devwatch::supervise;
using namespace std::chrono_literals;

TEST_CASE("five crashes within three minutes mean backoff", "[crash_history]") {
  SteadyClock::time_point now{};
  CrashHistory history(5, 3min, [&] { return now; });
  for (int i = 0; i < 4; ++i) {
    CHECK_FALSE(history.record());
    now += 30s;
  }
  CHECK(history.recent() == 4);
  CHECK(history.record());  // the 5th, 2 min after the first
}

TEST_CASE("crashes spread wider than the window never reach backoff", "[crash_history]") {
  SteadyClock::time_point now{};
  CrashHistory history(5, 3min, [&] { return now; });
  for (int i = 0; i < 20; ++i) {
    CHECK_FALSE(history.record());
    now += 50s;  // at most 4 crashes in any 3-minute window
  }
  now += 10min;
  CHECK(history.recent() == 0);
  history.reset();
  CHECK(history.recent() == 0);
}
