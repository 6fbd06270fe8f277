// The watcher section of devwatch/status (session/watcher_status.h): the JSON
// built from a WatcherStatus value, field by field, and from a real Watcher.
#include "session/watcher_status.h"

#include "watch/watcher.h"
#include "watch_test_util.h"

using namespace devwatch::watch;
using namespace devwatch::watch::test;
using devwatch::session::to_json;

TEST_CASE("to_json writes every field of the status value", "[watcher][status]") {
  WatcherStatus s;
  s.backend = "inotify";
  s.backend_reason = "inotify: native kernel events";
  s.roots = {"/ws"};
  s.watched_dirs = 7;
  s.budget_used = 7;
  s.budget_limit = 100;
  s.budget_used_by_others = 90;
  s.unwatched = {"/ws/deep"};
  s.resync_count = 2;
  s.last_event_time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764625313123));
  s.problems.push_back(Problem{Severity::Warning, "budget", "/ws", "msg", "fix it"});
  s.crawling = true;
  nlohmann::json want = {
      {"backend", "inotify"},
      {"reason", "inotify: native kernel events"},
      {"roots", {"/ws"}},
      {"watchedDirectories", 7},
      {"budget",
       {{"used", 7},
        {"limit", 100},
        {"usedByOthers", 90},
        {"available", 3},
        {"note", "usedByOthers counts the inotify watches of processes visible in /proc"}}},
      {"unwatched", {"/ws/deep"}},
      {"resyncs", 2},
      {"lastEventTime", "2025-12-01T21:41:53.123Z"},
      {"crawling", true},
      {"problems",
       {{{"severity", "warning"}, {"kind", "budget"}, {"path", "/ws"}, {"message", "msg"}, {"fix", "fix it"}}}}};
  CHECK(to_json(s) == want);
  s.budget_used_by_others = 200;  // more than the limit: none available, never negative
  s.last_event_time.reset();
  CHECK(to_json(s)["budget"]["available"] == 0);
  CHECK(to_json(s)["lastEventTime"].is_null());
}

TEST_CASE("status section carries backend, roots and the crawl summary", "[watcher]") {
  Harness h("auto");
  make_dir(h.at("a"));
  h.start();
  REQUIRE(h.summaries.size() == 1);
  CHECK(h.summaries[0].rfind("Watching 2 folders in ", 0) == 0);
  auto j = to_json(h.watcher->status());
  CHECK(j["backend"] == "inotify");
  CHECK(j["reason"] == "inotify: native kernel events");
  CHECK(j["roots"][0] == h.root());
  CHECK(j["watchedDirectories"] == 2);
  CHECK(j["resyncs"] == 0);
  CHECK(j["crawling"] == false);
  CHECK(j["lastEventTime"].is_null());
  write_file(h.at("a/x"), "x");
  h.take();
  CHECK(to_json(h.watcher->status())["lastEventTime"].is_string());
  CHECK(format_count(10234) == "10,234");
  CHECK(format_count(7) == "7");
}

