// The debouncer on a ManualClock: settling, the max delay and the
// .git/index.lock wait are driven by moving time, never by sleeping. The lock
// file itself is real.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>

#include "common/clock.h"
#include "supervise/restart_debouncer.h"
#include "test_util.h"

using namespace devwatch::supervise;
using namespace devwatch::supervise::test;
using namespace std::chrono_literals;

TEST_CASE("a burst of 1000 changes fires exactly once, with every file counted", "[debounce]") {
  devwatch::ManualClock clock;
  TempDir root;
  int fired = 0;
  std::optional<DebouncedRestart> last;
  RestartDebouncer debouncer(clock, root.path().string(), DebounceTiming{}, [&](DebouncedRestart r) {
    ++fired;
    last = std::move(r);
  });
  const auto first = clock.now();
  for (int i = 0; i < 1000; ++i) debouncer.request("files changed", {"app/file" + std::to_string(i) + ".py"});
  clock.advance(49ms);
  CHECK(fired == 0);
  clock.advance(1ms);  // 50 ms of quiet end the burst
  REQUIRE(fired == 1);
  // Nothing else is pending.
  CHECK(clock.pending_timers() == 0);
  CHECK_FALSE(clock.advance_to_next());
  CHECK(fired == 1);
  CHECK(last->changed_count == 1000);
  CHECK(last->changed_files.size() == RestartDebouncer::kMaxListedFiles);
  CHECK(last->first_event_at == first);
  CHECK(last->lock_waited == 0ms);
  CHECK_FALSE(debouncer.pending());
}

TEST_CASE("requests keep the burst open until the quiet time, at most max_delay", "[debounce]") {
  devwatch::ManualClock clock;
  TempDir root;
  int fired = 0;
  DebounceTiming timing;
  timing.first_settle = timing.settle;  // the cap alone, not the shorter window of a single request
  RestartDebouncer debouncer(clock, root.path().string(), timing, [&](DebouncedRestart) { ++fired; });
  // One request every 40 ms never leaves 50 ms of quiet; the 1 s cap ends it.
  for (int i = 0; i < 24; ++i) {
    debouncer.request("files changed", {"a.py"});
    clock.advance(40ms);
    CHECK(fired == 0);
  }
  debouncer.request("files changed", {"a.py"});  // at 960 ms
  clock.advance(39ms);
  CHECK(fired == 0);
  clock.advance(1ms);  // 1000 ms after the first request
  CHECK(fired == 1);
}

TEST_CASE("while .git/index.lock exists the restart waits for it to go", "[debounce]") {
  devwatch::ManualClock clock;
  TempDir root;
  std::filesystem::create_directories(root.path() / ".git");
  const auto lock = root.path() / ".git" / "index.lock";
  std::ofstream(lock) << "";
  int fired = 0;
  std::optional<DebouncedRestart> last;
  DebounceTiming timing;
  timing.settle = 10ms;
  timing.lock_poll = 10ms;
  RestartDebouncer debouncer(clock, root.path().string(), timing, [&](DebouncedRestart r) {
    ++fired;
    last = std::move(r);
  });
  debouncer.request("files changed", {"a.py"});
  clock.advance(10ms);
  REQUIRE(debouncer.waiting_for_lock());
  // Several lock polls happen; none may fire while the lock is there.
  for (int polls = 0; polls < 5; ++polls) clock.advance(10ms);
  CHECK(fired == 0);
  CHECK(debouncer.waiting_for_lock());
  std::filesystem::remove(lock);
  clock.advance(10ms);  // the next poll sees it gone
  REQUIRE(fired == 1);
  CHECK_FALSE(last->lock_cap_hit);
  CHECK(last->lock_waited == 60ms);
}

TEST_CASE("a lock that never goes is waited for up to the cap, then restart anyway", "[debounce]") {
  devwatch::ManualClock clock;
  TempDir root;
  std::filesystem::create_directories(root.path() / ".git");
  std::ofstream(root.path() / ".git" / "index.lock") << "";
  DebounceTiming timing;
  timing.settle = 10ms;
  timing.lock_poll = 10ms;
  timing.lock_cap = 100ms;
  std::optional<DebouncedRestart> last;
  RestartDebouncer debouncer(clock, root.path().string(), timing, [&](DebouncedRestart r) { last = std::move(r); });
  debouncer.request("files changed", {"a.py"});
  clock.advance(10ms + 99ms);
  CHECK_FALSE(last.has_value());
  clock.advance(1ms);
  REQUIRE(last.has_value());
  CHECK(last->lock_cap_hit);
  CHECK(last->lock_waited >= 100ms);
}

TEST_CASE("cancel drops a pending burst", "[debounce]") {
  devwatch::ManualClock clock;
  TempDir root;
  int fired = 0;
  RestartDebouncer debouncer(clock, root.path().string(), DebounceTiming{}, [&](DebouncedRestart) { ++fired; });
  debouncer.request("files changed", {"a.py"});
  debouncer.cancel();
  CHECK_FALSE(debouncer.pending());
  clock.advance(5s);
  CHECK(fired == 0);
}

TEST_CASE("a burst of one request (a save) ends after first_settle; a second request needs the full settle",
          "[debounce]") {
  devwatch::ManualClock clock;
  TempDir root;
  int fired = 0;
  RestartDebouncer debouncer(clock, root.path().string(), DebounceTiming{}, [&](DebouncedRestart) { ++fired; });
  debouncer.request("files changed", {"a.py"});
  clock.advance(9ms);
  CHECK(fired == 0);
  clock.advance(1ms);  // 10 ms of quiet after the only request
  CHECK(fired == 1);
  debouncer.request("files changed", {"a.py"});
  clock.advance(5ms);
  debouncer.request("files changed", {"b.py"});  // a second batch: a burst
  clock.advance(49ms);
  CHECK(fired == 1);
  clock.advance(1ms);  // 50 ms of quiet after the last request
  CHECK(fired == 2);
}

TEST_CASE("a save delivered as several batches of the same file still settles after first_settle", "[debounce]") {
  devwatch::ManualClock clock;
  TempDir root;
  int fired = 0;
  RestartDebouncer debouncer(clock, root.path().string(), DebounceTiming{}, [&](DebouncedRestart r) {
    ++fired;
    CHECK(r.changed_count == 1);
  });
  debouncer.request("files changed", {"a.py"});
  clock.advance(3ms);
  debouncer.request("files changed", {"a.py"});  // the same save's second batch
  clock.advance(9ms);
  CHECK(fired == 0);
  clock.advance(1ms);  // 10 ms of quiet after the last batch
  CHECK(fired == 1);
}
