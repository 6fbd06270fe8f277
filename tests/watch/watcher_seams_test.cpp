// The Watcher's test seams and its contracts: an injected ManualClock times
// the directory-move pairing window (no waiting on the wall clock), a Problem
// reaches on_problem once while nothing is logged, and the backend's drain
// only queues hints (verification is a posted step of its own).
#include "watch/watcher.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "common/clock.h"
#include "watch_test_util.h"

using namespace devwatch::watch;
using namespace devwatch::watch::test;
using namespace std::chrono_literals;
using CT = ChangeType;

TEST_CASE("an unpaired directory move out waits for the injected clock", "[watcher][clock]") {
  devwatch::ManualClock clock;
  WatcherOptions o;
  o.clock = &clock;
  Harness h("inotify", o);
  TempDir outside;
  make_dir(h.at("d"));
  write_file(h.at("d/f.txt"), "f");
  h.start();

  rename_path(h.at("d"), outside.path + "/d");
  REQUIRE(h.run_until([&] { return clock.pending_timers() == 1; }));  // MOVED_FROM awaits its pair
  CHECK(h.raw.empty());
  CHECK(h.watcher->busy());
  clock.advance(9ms);
  CHECK(h.raw.empty());
  CHECK(h.watcher->busy());
  clock.advance(1ms);  // the 10 ms pairing window ends: a move out
  CHECK_FALSE(h.watcher->busy());
  CHECK(h.take() == ChangeSet{{h.at("d"), CT::Deleted}, {h.at("d/f.txt"), CT::Deleted}});
}

TEST_CASE("a problem goes to on_problem once and is not logged", "[watcher][problems]") {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  auto capture = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_st>(log));
  capture->set_level(spdlog::level::trace);
  spdlog::set_default_logger(capture);
  struct Restore {
    std::shared_ptr<spdlog::logger> logger;
    ~Restore() { spdlog::set_default_logger(logger); }
  } restore{previous};

  WatcherOptions o;
  o.watch_limit_override = 1;
  Harness h("inotify", o);
  make_dir(h.at("a"));
  h.start();
  CHECK(h.count_problems("budget") == 1);
  CHECK(h.problems.size() == 1);
  CHECK(log.str().empty());
}

TEST_CASE("the backend's drain only queues hints: verification is a step of its own", "[watcher][drain]") {
  Harness h("inotify");
  h.start();
  write_file(h.at("a.txt"), "a");  // create, modify, close-write: all queued before the loop runs
  // One handler: the fd's readiness. It drains to EAGAIN, re-arms and queues.
  REQUIRE(h.io.run_one_for(std::chrono::seconds(5)) == 1);
  CHECK(h.watcher->busy());
  CHECK(h.raw.empty());
  // The next: the posted step that verifies the batch and delivers it.
  REQUIRE(h.io.run_one_for(std::chrono::seconds(5)) == 1);
  CHECK_FALSE(h.watcher->busy());
  CHECK(h.raw == std::vector<Change>{Change{h.at("a.txt"), CT::Created, false}});
}
