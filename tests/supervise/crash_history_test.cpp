#include <catch2/catch.hpp>

#include <chrono>

#include "common/clock.h"
#include "supervise/crash_history.h"

using namespace devwatch::supervise;
using namespace std::chrono_literals;

TEST_CASE("five crashes within three minutes mean backoff", "[crash_history]") {
  devwatch::ManualClock clock;
  CrashHistory history(clock, 5, 3min);
  for (int i = 0; i < 4; ++i) {
    CHECK_FALSE(history.record());
    clock.advance(30s);
  }
  CHECK(history.recent() == 4);
  CHECK(history.record());  // the 5th, 2 min after the first
}

TEST_CASE("crashes spread wider than the window never reach backoff", "[crash_history]") {
  devwatch::ManualClock clock;
  CrashHistory history(clock, 5, 3min);
  for (int i = 0; i < 20; ++i) {
    CHECK_FALSE(history.record());
    clock.advance(50s);  // at most 4 crashes in any 3-minute window
  }
  clock.advance(10min);
  CHECK(history.recent() == 0);
  history.reset();
  CHECK(history.recent() == 0);
}

TEST_CASE("a crash leaves the window exactly when the window has passed", "[crash_history]") {
  devwatch::ManualClock clock;
  CrashHistory history(clock, 5, 3min);
  history.record();
  clock.advance(3min - 1ms);
  CHECK(history.recent() == 1);
  clock.advance(1ms);
  CHECK(history.recent() == 0);
}
