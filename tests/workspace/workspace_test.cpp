// A real Workspace on real temporary folders, with real processes under the
// supervise tests' shim and real inotify: configuration load and reload
// (including the watcher's excludes), name resolution, relevance of changes,
// and crash reports as typed events.
#include <catch2/catch.hpp>

#include <algorithm>

#include <filesystem>

#include "common/clock.h"
#include "support/temp_dir.h"
#include "workspace/recording_listener.h"
#include "workspace/workspace.h"

using namespace devwatch;
using devwatch::testing::RecordingListener;
using devwatch::testing::run_until;
using devwatch::testing::TempDir;
using devwatch::ManualClock;
using supervise::ServerState;

namespace {

workspace::WorkspaceOptions options_for(const std::vector<std::string>& roots) {
  workspace::WorkspaceOptions options;
  options.shim_path = DEVWATCH_SUPERVISE_HELPER;
  for (const auto& root : roots) {
    options.folders.push_back(workspace::Folder{root, std::filesystem::path(root).filename().string()});
  }
  return options;
}

// Runs the loop until every server's process group is gone.
void stop_everything(asio::io_context& io, workspace::Workspace& ws) {
  bool stopped = false;
  ws.stop_all([&] { stopped = true; });
  REQUIRE(run_until(io, [&] { return stopped; }));
}

}  // namespace

TEST_CASE("a devwatch.json edit that adds an exclude applies to the watcher at once") {
  TempDir dir;
  dir.write("gen/a/old.txt", "");
  dir.write("src/main.txt", "");
  dir.write("devwatch.json", R"({"servers": {}})");
  asio::io_context io;
  RecordingListener events;
  workspace::Workspace ws(io, options_for({dir.path()}), events);
  ws.open();
  REQUIRE(run_until(io, [&] { return events.crawled() && !ws.watcher()->busy(); }));
  const auto before = ws.watcher()->watched_dirs();  // root, gen, gen/a, src
  CHECK(before == 4);

  dir.write("devwatch.json", R"({"watch": {"exclude": ["gen/**"]}, "servers": {}})");
  REQUIRE(run_until(io, [&] { return ws.watcher()->watched_dirs() < before; }));
  CHECK(ws.watcher()->watched_dirs() == 2);  // gen and gen/a released
  CHECK(events.config_problems.empty());

  events.changes.clear();
  dir.write("gen/a/new.txt", "");
  const auto seen = dir.write("src/seen.txt", "");
  REQUIRE(run_until(io, [&] { return events.saw_change(seen); }));
  for (const auto& change : events.changes) {
    INFO(change.path);
    CHECK(change.path.find("/gen/") == std::string::npos);
  }
}

TEST_CASE("server names are unique per window: a clash is qualified with the folder's name") {
  TempDir a("dw-ws-a"), b("dw-ws-b");
  for (auto* dir : {&a, &b}) {
    dir->write("devwatch.json", R"({"servers": {"web": {"command": ["python3", "-c", "pass"], "autoStart": false}}})");
  }
  asio::io_context io;
  RecordingListener events;
  workspace::Workspace ws(io, options_for({a.path(), b.path()}), events);
  ws.open();
  auto servers = ws.servers();
  REQUIRE(servers.size() == 2);
  std::string qualified = std::filesystem::path(b.path()).filename().string() + "/web";
  CHECK(servers[0]->name() == qualified);
  CHECK(servers[1]->name() == "web");
  CHECK(ws.find(std::string("web")).value()->spec().root == a.path());
  CHECK(ws.find(qualified).value()->spec().root == b.path());

  auto none = ws.find(std::nullopt);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == ErrorCode::UnknownServer);
  CHECK(none.error().message.find("several dev servers exist") != std::string::npos);
  CHECK(none.error().data_json.find("\"known\"") != std::string::npos);
  CHECK(ws.start(std::string("nope")).error().code == ErrorCode::UnknownServer);
}

TEST_CASE("an invalid configuration is a config problem and nothing of it applies") {
  TempDir dir;
  dir.write("devwatch.json", R"({"servers": {"web": {"command": "python3 -V"}}})");
  asio::io_context io;
  RecordingListener events;
  workspace::Workspace ws(io, options_for({dir.path()}), events);
  ws.open();
  REQUIRE(events.config_problems.size() == 1);
  CHECK(events.config_problems[0].message.find("servers.web.command") != std::string::npos);
  CHECK_FALSE(events.config_problems[0].reload);
  CHECK(ws.servers().empty());
  auto status = ws.config_status();
  REQUIRE(status.size() == 1);
  CHECK_FALSE(status[0].error.empty());
}

TEST_CASE("a folder below a project is hinted at once, whatever its devwatch.json does later") {
  TempDir dir;
  dir.write("project/manage.py", "");
  dir.write("project/blog/views.py", "");
  const std::string blog = dir.path() + "/project/blog";
  asio::io_context io;
  RecordingListener events;
  workspace::Workspace ws(io, options_for({blog}), events);
  ws.open();
  REQUIRE(events.hints.size() == 1);
  CHECK(events.hints[0].root == blog);
  CHECK(events.hints[0].hint.starts_with("manage.py found in " + dir.path() + "/project: "));
  CHECK(ws.config_status().at(0).hint == events.hints[0].hint);
  REQUIRE(run_until(io, [&] { return events.crawled() && !ws.watcher()->busy(); }));

  dir.write("project/blog/devwatch.json", R"({"servers": {}})");
  REQUIRE(run_until(io, [&] { return ws.config_status().at(0).hint.empty(); }));
  std::filesystem::remove(blog + "/devwatch.json");
  REQUIRE(run_until(io, [&] { return !ws.config_status().at(0).hint.empty(); }));
  CHECK(events.hints.size() == 1);  // said once per folder
}

TEST_CASE("an untrusted workspace starts nothing and refuses start requests") {
  TempDir dir;
  dir.write("devwatch.json", R"({"servers": {"web": {"command": ["python3", "-c", "pass"]}}})");
  asio::io_context io;
  RecordingListener events;
  auto options = options_for({dir.path()});
  options.overrides.trusted = false;
  workspace::Workspace ws(io, options, events);
  ws.open();
  CHECK(ws.start_auto().untrusted_skipped == 1);
  CHECK(ws.start(std::nullopt).error().code == ErrorCode::Untrusted);
  CHECK(events.states.empty());
}

TEST_CASE("a crash is reported with its exception, its workspace frame and its diagnostics") {
  TempDir dir;
  dir.write("app.py", "import sys\ndef boom():\n    raise ValueError('bad x')\nboom()\n");
  dir.write("devwatch.json",
            R"({"servers": {"app": {"command": ["python3", "app.py"], "autoRestart": false, "restartOn": ["**/*.py"]}}})");
  asio::io_context io;
  RecordingListener events;
  workspace::Workspace ws(io, options_for({dir.path()}), events);
  ws.open();
  REQUIRE(ws.start_auto().failed.empty());
  REQUIRE(run_until(io, [&] { return events.saw_state("app", ServerState::Crashed); }));
  const auto& crashed = events.states.back();
  CHECK(crashed.root == dir.path());
  CHECK(crashed.exception == "ValueError: bad x");
  REQUIRE(crashed.location);
  CHECK(crashed.location->path == dir.path() + "/app.py");
  CHECK(crashed.location->line == 2);
  REQUIRE_FALSE(events.diagnostics.empty());
  CHECK(events.diagnostics.back().path == dir.path() + "/app.py");
  REQUIRE(events.diagnostics.back().diagnostics.size() == 1);
  CHECK(events.diagnostics.back().diagnostics[0].message == "ValueError: bad x");

  // A relevant change restarts it (the supervisor decides relevance); an
  // irrelevant one does not.
  REQUIRE(run_until(io, [&] { return events.crawled() && !ws.watcher()->busy(); }));
  events.states.clear();
  dir.write("notes.txt", "irrelevant");
  const auto fixed = dir.write("app.py", "import time\ntime.sleep(30)\n");
  REQUIRE(run_until(io, [&] { return events.saw_state("app", ServerState::Starting); }));
  bool saw_fix = false;
  for (const auto& s : events.states) {
    for (const auto& f : s.change.changed_files) {
      CHECK(f.find("notes.txt") == std::string::npos);
      saw_fix = saw_fix || f == fixed;
    }
  }
  CHECK(saw_fix);
  for (const auto& s : events.states) {
    if (s.change.state == ServerState::Starting) CHECK(s.change.cause == supervise::Cause::Change);
  }
  stop_everything(io, ws);
}

TEST_CASE("a relevant change stops a server at once and starts it once its burst settles on the workspace clock") {
  TempDir dir;
  dir.write("devwatch.json", R"json({"servers": {"app": {"command": ["python3", "-c", "import time; time.sleep(30)"],
                                 "restartOn": ["**/*.py"], "stopSignal": "SIGTERM"}}})json");
  asio::io_context io;
  ManualClock clock;
  RecordingListener events;
  auto options = options_for({dir.path()});
  options.clock = &clock;
  workspace::Workspace ws(io, options, events);
  ws.open();
  REQUIRE(ws.start_auto().failed.empty());
  REQUIRE(run_until(io, [&] { return events.saw_state("app", ServerState::Ready) && events.crawled(); }));
  const auto changed = dir.write("views.py", "x = 1\n");
  REQUIRE(run_until(io, [&] { return events.saw_change(changed); }));
  // Leading edge: the old group stops at the change; the new one waits until
  // the burst has settled on the workspace's clock.
  auto starts = [&] {
    return std::count_if(events.states.begin(), events.states.end(),
                         [](const auto& s) { return s.change.state == ServerState::Starting; });
  };
  REQUIRE(run_until(io, [&] { return events.saw_state("app", ServerState::Stopping); }));
  io.restart();
  io.run_for(std::chrono::milliseconds(50));
  CHECK(starts() == 1);
  clock.advance(std::chrono::seconds(1));
  REQUIRE(run_until(io, [&] { return starts() == 2; }));
  for (const auto& s : events.states) {
    if (s.change.state != ServerState::Stopping) continue;
    CHECK(s.change.cause == supervise::Cause::Change);
    CHECK(s.change.restarting);
    CHECK(s.change.changed_count == 1);
  }
  bool stopped = false;
  ws.stop_all([&] { stopped = true; });
  REQUIRE(run_until(io, [&] {
    clock.advance(std::chrono::milliseconds(100));
    return stopped;
  }));
}
