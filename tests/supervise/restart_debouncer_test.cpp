#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>

#include "supervise/restart_debouncer.h"
#include "test_util.h"

using namespace devwatch::supervise;
using namespace devwatch::supervise::test;
using namespace std::chrono_literals;

TEST_CASE("a burst of 1000 changes fires exactly once, with every file counted", "[debounce]") {
  asio::io_context io;
  TempDir root;
  int fired = 0;
  std::optional<DebouncedRestart> last;
  RestartDebouncer debouncer(io, root.path().string(), DebounceTiming{}, [&](DebouncedRestart r) {
    ++fired;
    last = std::move(r);
  });
  for (int i = 0; i < 1000; ++i) debouncer.request("files changed", {"app/file" + std::to_string(i) + ".py"});
  REQUIRE(run_until(io, [&] { return fired > 0; }));
  // Nothing else is pending: the io_context runs out of work.
  io.restart();
  io.run();
  CHECK(fired == 1);
  CHECK(last->changed_count == 1000);
  CHECK(last->changed_files.size() == RestartDebouncer::kMaxListedFiles);
  CHECK_FALSE(debouncer.pending());
}

TEST_CASE("while .git/index.lock exists the restart waits for it to go", "[debounce]") {
  asio::io_context io;
  TempDir root;
  std::filesystem::create_directories(root.path() / ".git");
  const auto lock = root.path() / ".git" / "index.lock";
  std::ofstream(lock) << "";
  int fired = 0;
  std::optional<DebouncedRestart> last;
  DebounceTiming timing;
  timing.settle = 10ms;
  timing.lock_poll = 10ms;
  RestartDebouncer debouncer(io, root.path().string(), timing, [&](DebouncedRestart r) {
    ++fired;
    last = std::move(r);
  });
  debouncer.request("files changed", {"a.py"});
  REQUIRE(run_until(io, [&] { return debouncer.waiting_for_lock(); }));
  // Several lock polls happen; none may fire while the lock is there.
  int polls_seen = 0;
  asio::steady_timer probe(io);
  std::function<void()> watch = [&] {
    probe.expires_after(10ms);
    probe.async_wait([&](const asio::error_code&) {
      ++polls_seen;
      if (polls_seen < 5) watch();
    });
  };
  watch();
  REQUIRE(run_until(io, [&] { return polls_seen >= 5; }));
  CHECK(fired == 0);
  std::filesystem::remove(lock);
  REQUIRE(run_until(io, [&] { return fired == 1; }));
  CHECK_FALSE(last->lock_cap_hit);
  CHECK(last->lock_waited.count() > 0);
}

TEST_CASE("a lock that never goes is waited for up to the cap, then restart anyway", "[debounce]") {
  asio::io_context io;
  TempDir root;
  std::filesystem::create_directories(root.path() / ".git");
  std::ofstream(root.path() / ".git" / "index.lock") << "";
  DebounceTiming timing;
  timing.settle = 10ms;
  timing.lock_poll = 10ms;
  timing.lock_cap = 100ms;
  std::optional<DebouncedRestart> last;
  RestartDebouncer debouncer(io, root.path().string(), timing, [&](DebouncedRestart r) { last = std::move(r); });
  debouncer.request("files changed", {"a.py"});
  REQUIRE(run_until(io, [&] { return last.has_value(); }));
  CHECK(last->lock_cap_hit);
  CHECK(last->lock_waited >= 100ms);
}
