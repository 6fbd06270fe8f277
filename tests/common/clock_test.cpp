#include "common/clock.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace std::chrono_literals;
using devwatch::AsioClock;
using devwatch::ManualClock;

TEST_CASE("ManualClock fires due timers in deadline order, each at its deadline") {
  ManualClock clock;
  auto start = clock.now();
  auto a = clock.make_timer();
  auto b = clock.make_timer();
  std::vector<std::string> fired;
  clock.start_after(*a, 30ms, [&] { fired.push_back("a@" + std::to_string((clock.now() - start) / 1ms)); });
  clock.start_after(*b, 10ms, [&] { fired.push_back("b@" + std::to_string((clock.now() - start) / 1ms)); });
  clock.advance(20ms);
  CHECK(fired == std::vector<std::string>{"b@10"});
  CHECK(a->pending());
  CHECK_FALSE(b->pending());
  clock.advance(20ms);
  CHECK(fired == std::vector<std::string>{"b@10", "a@30"});
  CHECK(clock.now() - start == 40ms);
}

TEST_CASE("ManualClock: a timer started by a callback fires within the same advance") {
  ManualClock clock;
  auto t = clock.make_timer();
  int count = 0;
  std::function<void()> tick = [&] {
    ++count;
    clock.start_after(*t, 10ms, tick);
  };
  clock.start_after(*t, 10ms, tick);
  clock.advance(35ms);
  CHECK(count == 3);
  CHECK(clock.pending_timers() == 1);
}

TEST_CASE("ManualClock: cancel, restart and destruction drop the wait") {
  ManualClock clock;
  int fired = 0;
  auto t = clock.make_timer();
  clock.start_after(*t, 10ms, [&] { fired += 1; });
  t->cancel();
  clock.advance(20ms);
  CHECK(fired == 0);
  clock.start_after(*t, 10ms, [&] { fired += 10; });
  clock.start_after(*t, 5ms, [&] { fired += 100; });  // replaces the first wait
  clock.advance(20ms);
  CHECK(fired == 100);
  {
    auto gone = clock.make_timer();
    clock.start_after(*gone, 1ms, [&] { fired += 1000; });
  }
  CHECK_FALSE(clock.advance_to_next());
  CHECK(fired == 100);
}

TEST_CASE("AsioClock timers fire once on the loop and never after cancel") {
  asio::io_context io;
  AsioClock clock(io);
  auto fires = clock.make_timer();
  auto cancelled = clock.make_timer();
  int fired = 0;
  clock.start_after(*cancelled, 1ms, [&] { fired += 100; });
  cancelled->cancel();
  clock.start_after(*fires, 1ms, [&] { fired += 1; });
  CHECK(fires->pending());
  io.run();
  CHECK(fired == 1);
  CHECK_FALSE(fires->pending());
}

TEST_CASE("AsioClock: a restarted timer runs only the newest callback") {
  asio::io_context io;
  AsioClock clock(io);
  auto t = clock.make_timer();
  std::vector<int> fired;
  clock.start_after(*t, 1ms, [&] { fired.push_back(1); });
  clock.start_after(*t, 2ms, [&] { fired.push_back(2); });
  io.run();
  CHECK(fired == std::vector<int>{2});
}
