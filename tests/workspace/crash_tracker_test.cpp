#include <catch2/catch.hpp>

#include "support/temp_dir.h"
#include "workspace/crash_tracker.h"

using devwatch::testing::TempDir;
using devwatch::workspace::CrashTracker;

TEST_CASE("the crash tracker keeps the last exception, its workspace frame and deduplicated diagnostics") {
  TempDir dir;
  const auto app = dir.write("app.py", "def f():\n    raise KeyError('k')\nf()\n");
  CrashTracker tracker(dir.path());
  tracker.on_start(dir.path());
  const std::vector<std::string> traceback = {
      "Traceback (most recent call last):",
      "  File \"" + app + "\", line 3, in <module>",
      "    f()",
      "  File \"/usr/lib/python3/json/__init__.py\", line 10, in g",
      "    x()",
      "  File \"" + app + "\", line 2, in f",
      "    raise KeyError('k')",
      "KeyError: 'k'",
  };
  for (int round = 0; round < 2; ++round) {
    for (const auto& line : traceback) tracker.feed(line);
  }
  auto touched = tracker.finish();
  REQUIRE(touched == std::vector<std::string>{app});
  CHECK(tracker.exception() == "KeyError: 'k'");
  REQUIRE(tracker.location());
  CHECK(tracker.location()->line == 1);
  const auto& list = tracker.diagnostics(app);
  REQUIRE(list.size() == 1);  // the same traceback twice is one diagnostic
  for (const auto& related : list[0].related) CHECK(related.location.path == app);  // no stdlib frames

  CHECK(tracker.clear() == std::vector<std::string>{app});
  CHECK(tracker.diagnostics(app).empty());
  tracker.on_start(dir.path());
  CHECK(tracker.exception().empty());
  CHECK_FALSE(tracker.location());
}
