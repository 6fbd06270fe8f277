// An untrusted workspace with real processes and real inotify: a start with
// the user's consent runs the server once, and nothing after it runs a
// command again (docs/security.md, "One start with the user's consent").
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/temp_dir.h"
#include "workspace/recording_listener.h"
#include "workspace/workspace.h"

using namespace devwatch;
using devwatch::testing::RecordingListener;
using devwatch::testing::run_until;
using devwatch::testing::TempDir;
using supervise::ServerState;

namespace {

std::size_t count_state(const RecordingListener& events, ServerState state) {
  std::size_t n = 0;
  for (const auto& s : events.states) n += s.change.state == state ? 1 : 0;
  return n;
}

std::size_t count_change(const RecordingListener& events, const std::string& path) {
  std::size_t n = 0;
  for (const auto& c : events.changes) n += c.path == path ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("untrusted: a consented start runs once; changes, restarts and command edits run nothing") {
  TempDir dir;
  const auto app = dir.write("app.py", "import time\ntime.sleep(60)\n");
  dir.write("devwatch.json", R"({"servers": {"app": {"command": ["python3", "app.py"], "restartOn": ["**/*.py"]}}})");
  asio::io_context io;
  RecordingListener events;
  workspace::WorkspaceOptions options;
  options.shim_path = DEVWATCH_SUPERVISE_HELPER;
  options.folders.push_back(workspace::Folder{dir.path(), "ws"});
  options.overrides.trusted = false;
  workspace::Workspace ws(io, options, events);
  ws.open();
  REQUIRE(ws.start_auto().untrusted_skipped == 1);
  REQUIRE(run_until(io, [&] { return events.crawled() && !ws.watcher()->busy(); }));

  CHECK(ws.start(std::nullopt).error().code == ErrorCode::Untrusted);
  auto started = ws.start(std::nullopt, /*consent=*/true);
  REQUIRE(started);
  CHECK_FALSE(started.value()->spec().auto_restart);  // no retry after a crash either
  CHECK(ws.restart(std::nullopt).error().code == ErrorCode::Untrusted);

  // Two relevant changes: the server is not restarted, and the user is told once.
  dir.write("app.py", "import time\ntime.sleep(61)\n");
  REQUIRE(run_until(io, [&] { return events.withheld.size() == 1; }));
  CHECK(events.withheld[0].server == "app");
  dir.write("app.py", "import time\ntime.sleep(62)\n");
  REQUIRE(run_until(io, [&] { return count_change(events, app) >= 2; }));
  CHECK(events.withheld.size() == 1);
  CHECK(count_state(events, ServerState::Starting) == 1);
  CHECK(count_state(events, ServerState::Stopping) == 0);

  // An edit of its command stops it; the new command does not run.
  dir.write("devwatch.json", R"({"servers": {"app": {"command": ["python3", "app.py", "x"], "restartOn": ["**/*.py"]}}})");
  REQUIRE(run_until(io, [&] { return events.saw_state("app", ServerState::Stopped); }));
  CHECK(count_state(events, ServerState::Starting) == 1);
  REQUIRE(events.withheld.size() == 2);
  CHECK(events.withheld[1].message.find("did not run the new command") != std::string::npos);
  CHECK(ws.find(std::nullopt).value()->spec().command.back() == "x");

  // Starting again needs consent again.
  CHECK(ws.start(std::nullopt).error().code == ErrorCode::Untrusted);
  bool stopped = false;
  ws.stop_all([&] { stopped = true; });
  REQUIRE(run_until(io, [&] { return stopped; }));
}
