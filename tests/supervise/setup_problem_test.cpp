// Setup problems over real processes: a command that cannot be executed
// (the PATH searched, the fix, no retry on edits) and a server that crashes
// the same way and is never ready (said once, retried only by a change
// to a file its crash names, a request or the configuration). Timers run on
// a ManualClock; the loop running dry shows that nothing else is pending.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "dev_server_harness.h"
#include "supervise/setup_problem.h"
#include "supervise/supervisor.h"

using namespace devwatch::supervise;
using namespace devwatch::supervise::test;
using namespace std::chrono_literals;

TEST_CASE("exec failure: start fails with the errno and the PATH searched, and the state says why", "[dev_server]") {
  TempDir dir;
  ServerSpec spec;
  spec.command = {"devwatch-no-such-python3", "manage.py"};
  spec.env["PATH"] = dir.path().string() + "::/devwatch-no-such-dir";
  Harness h(spec);
  auto started = h.server->start(Cause::Request);
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().code == devwatch::ErrorCode::ExecFailed);
  CHECK(started.error().message ==
        "exec failed: devwatch-no-such-python3: No such file or directory (ENOENT); devwatch-no-such-python3 is in "
        "none of PATH's directories (" + dir.path().string() + ", ., /devwatch-no-such-dir)");
  CHECK(h.server->state() == ServerState::Crashed);
  const StateChange& crashed = h.changes.back();
  CHECK(crashed.reason == started.error().message);
  REQUIRE(crashed.setup.has_value());
  CHECK(crashed.setup->kind == SetupProblem::Kind::Exec);
  CHECK(crashed.setup->searched == std::vector<std::string>{dir.path().string(), ".", "/devwatch-no-such-dir"});
  CHECK(crashed.setup->fix.rfind("install devwatch-no-such-python3, or add the folder", 0) == 0);
  CHECK_FALSE(h.server->has_process());
  // No automatic restart loop for something a retry cannot fix, and no
  // retry on an edit either: the loop runs dry with nothing started.
  h.server->request_restart(Cause::Change, "files changed", {"app/views.py"});
  h.io.restart();
  h.io.run();
  CHECK(h.count(ServerState::Starting) == 0);
  CHECK(h.changes.size() == 1);
  // An explicit start tries again (and says the same once more).
  CHECK_FALSE(h.server->start(Cause::Request).ok());
  CHECK(h.changes.size() == 2);
  CHECK(h.changes.back().setup.has_value());
}

TEST_CASE("exec failure of a file on PATH that is not executable names it and the fix", "[dev_server]") {
  TempDir dir;
  std::ofstream(dir.path() / "devwatch-tool") << "#!/bin/sh\n";
  ServerSpec spec;
  spec.command = {"devwatch-tool"};
  spec.env["PATH"] = dir.path().string();
  Harness h(spec);
  auto started = h.server->start(Cause::Request);
  REQUIRE_FALSE(started.ok());
  const std::string file = (dir.path() / "devwatch-tool").string();
  CHECK(started.error().message.find("; " + file + " is on PATH but not executable") != std::string::npos);
  REQUIRE(h.changes.back().setup.has_value());
  CHECK(h.changes.back().setup->fix.rfind("chmod +x " + file, 0) == 0);
}

TEST_CASE("a cwd that does not exist is a setup problem with the fix", "[dev_server]") {
  ServerSpec spec = sh_server("exit 0");
  spec.cwd = "/devwatch-no-such-dir/app";
  Harness h(spec);
  auto started = h.server->start(Cause::Request);
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().message.rfind("cannot chdir to /devwatch-no-such-dir/app: ENOENT", 0) == 0);
  REQUIRE(h.changes.back().setup.has_value());
  CHECK(h.changes.back().setup->fix.rfind("create /devwatch-no-such-dir/app, or set the server's \"cwd\"", 0) == 0);
}

namespace {

// Crashes until `count` crashes happened, each retried on the (manual) auto-restart delay.
void crash_times(Harness& h, devwatch::ManualClock& clock, size_t count) {
  for (size_t n = 1; n <= count; ++n) {
    REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Crashed) == n; }));
    if (n < count) REQUIRE(clock.advance_to_next());
  }
}

}  // namespace

TEST_CASE("the same crash five times, never ready, is a setup problem: said once, edits do not retry it",
          "[dev_server][setup]") {
  TempDir dir;
  const std::string named = (dir.path() / "settings.py").string();
  ServerSpec spec = sh_server("echo '  File \"" + named + "\", line 1' >&2; echo \"ModuleNotFoundError: No module "
                              "named 'django'\" >&2; echo starting; exit 1");
  spec.ready.pattern = "Starting development server";  // never printed: never ready
  devwatch::ManualClock clock;
  Harness h(spec, {}, &clock);
  REQUIRE(h.server->start(Cause::Request).ok());
  for (size_t n = 1; n < 5; ++n) {
    REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Crashed) == n; }));
    REQUIRE(clock.advance_to_next());
  }
  REQUIRE(h.wait_state(ServerState::Backoff));
  for (size_t i = 0; i + 1 < h.changes.size(); ++i) CHECK_FALSE(h.changes[i].setup.has_value());
  const StateChange& crashed = h.changes.back();
  REQUIRE(crashed.setup.has_value());
  CHECK(crashed.setup->kind == SetupProblem::Kind::SameCrash);
  CHECK(crashed.setup->crashes == 5);
  CHECK(crashed.setup->message ==
        "a setup problem: it crashed 5 times in a row the same way and was never ready (exit 1: "
        "ModuleNotFoundError: No module named 'django')");
  CHECK(crashed.setup->fix.rfind("install the package that provides 'django' for the interpreter", 0) == 0);
  CHECK(crashed.reason.find(crashed.setup->message) != std::string::npos);
  // No automatic restart is pending, and an edit elsewhere does not start one.
  CHECK(clock.pending_timers() == 0);
  h.server->request_restart(Cause::Change, "files changed", {(dir.path() / "views.py").string()});
  CHECK(clock.pending_timers() == 0);
  h.io.restart();
  h.io.run();
  CHECK(h.count(ServerState::Starting) == 5);
  // A change to a file the crash names tries again; the same crash says so at once.
  h.server->request_restart(Cause::Change, "files changed", {named});
  REQUIRE(clock.advance_to_next());
  REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Backoff) == 2; }));
  CHECK(h.count(ServerState::Starting) == 6);
  REQUIRE(h.changes.back().setup.has_value());
  CHECK(h.changes.back().setup->crashes == 6);
  CHECK(clock.pending_timers() == 0);
}

TEST_CASE("crashes that differ are not a setup problem: the crash loop reaches backoff as before",
          "[dev_server][setup]") {
  TempDir dir;
  const std::string counter = (dir.path() / "n").string();
  ServerSpec spec = sh_server("n=$(cat " + counter + " 2>/dev/null || echo 0); echo $((n+1)) > " + counter +
                              "; echo \"crash $n\" >&2; exit 1");
  spec.ready.pattern = "never printed";
  devwatch::ManualClock clock;
  Harness h(spec, {}, &clock);
  REQUIRE(h.server->start(Cause::Request).ok());
  crash_times(h, clock, 4);
  REQUIRE(clock.advance_to_next());
  REQUIRE(h.wait_state(ServerState::Backoff));
  for (const auto& change : h.changes) CHECK_FALSE(change.setup.has_value());
}

TEST_CASE("a server that was ready once crashes as code, not as a setup problem", "[dev_server][setup]") {
  TempDir dir;
  const std::string flag = (dir.path() / "ready-once").string();
  // Ready the first time; from then on it crashes the same way on every start.
  ServerSpec spec = sh_server("if [ ! -e " + flag + " ]; then touch " + flag +
                              "; echo up; exec sleep 60; fi; echo 'boom' >&2; exit 1");
  spec.ready.pattern = "up";
  devwatch::ManualClock clock;
  Harness h(spec, {}, &clock);
  REQUIRE(h.start_ready());
  REQUIRE(h.server->restart(Cause::Request).ok());
  crash_times(h, clock, 4);
  REQUIRE(clock.advance_to_next());
  REQUIRE(h.wait_state(ServerState::Backoff));
  CHECK_FALSE(h.changes.back().setup.has_value());
  CHECK(h.changes.back().reason.find("crashed 5 times within") != std::string::npos);
}

TEST_CASE("a configuration change retries a server with a setup problem", "[supervisor][setup]") {
  asio::io_context io;
  SupervisorOptions options;
  options.shim_path = helper_path();
  Supervisor supervisor(io, options);
  std::vector<StateChange> changes;
  supervisor.on_state_change([&](const StateChange& change) { changes.push_back(change); });
  ServerSpec web;
  web.name = "web";
  web.command = {"devwatch-no-such-command"};
  REQUIRE(supervisor.add(web).ok());
  REQUIRE_FALSE(supervisor.start("web", Cause::Request).ok());
  REQUIRE(supervisor.find("web")->setup_problem().has_value());
  web.restart_on = {"**/*.py"};  // nothing that changes what it runs: no retry
  REQUIRE(supervisor.update(web).ok());
  CHECK(changes.size() == 1);
  web.command = {"/bin/sh", "-c", "echo up; exec sleep 60"};
  web.ready.pattern = "up";
  REQUIRE(supervisor.update(web).ok());
  REQUIRE(changes.size() == 2);
  CHECK(changes.back().state == ServerState::Starting);
  CHECK(changes.back().cause == Cause::Config);
  REQUIRE(run_until(io, [&] { return supervisor.find("web")->state() == ServerState::Ready; }));
  CHECK_FALSE(supervisor.find("web")->setup_problem().has_value());
  bool done = false;
  supervisor.stop_all([&] { done = true; });
  REQUIRE(run_until(io, [&] { return done; }));
}

TEST_CASE("same-crash signatures: the last stderr line, else stdout, with the exit; a ready ends the count",
          "[setup]") {
  std::vector<OutputLine> lines{{1, Stream::Stderr, "Traceback", false},
                                {2, Stream::Stderr, "ValueError: x  ", false},
                                {3, Stream::Stdout, "bye", false},
                                {4, Stream::Stderr, "", false}};
  CHECK(crash_signature(1, std::nullopt, lines) == CrashSignature{1, std::nullopt, "ValueError: x"});
  CHECK(crash_signature(std::nullopt, 11, {{1, Stream::Stdout, "only out", false}}).last_line == "only out");
  SameCrashTracker tracker;
  CHECK(tracker.record({1, std::nullopt, "a"}) == 1);
  CHECK(tracker.record({1, std::nullopt, "a"}) == 2);
  CHECK(tracker.record({2, std::nullopt, "a"}) == 1);  // another exit code: another crash
  CHECK(tracker.record({2, std::nullopt, "a"}) == 2);
  tracker.ready();  // ready once: crashes from now on are not counted
  CHECK(tracker.record({2, std::nullopt, "a"}) == 0);
}

TEST_CASE("a missing module under a python command gets pip for that interpreter", "[setup]") {
  ServerSpec spec;
  spec.command = {"/srv/.venv/bin/python", "manage.py", "runserver"};
  auto problem = same_crash_problem(spec, {1, std::nullopt, "ImportError: Couldn't import Django."}, 3,
                                    {{1, Stream::Stderr, "ModuleNotFoundError: No module named 'django.core'", false},
                                     {2, Stream::Stderr, "ImportError: Couldn't import Django.", false}});
  CHECK(problem.fix.rfind("install the package that provides 'django' into /srv/.venv/bin/python "
                          "(/srv/.venv/bin/python -m pip install django)", 0) == 0);
}

TEST_CASE("PATH as execvp searches it: the server's env first, an empty entry is the current directory",
          "[setup]") {
  CHECK(path_search_dirs({{"PATH", "/a::/b"}}) == std::vector<std::string>{"/a", ".", "/b"});
  CHECK(path_search_dirs({{"PATH", ""}}) == std::vector<std::string>{"."});
  CHECK(output_names({"  File \"/p/settings.py\", line 3"}, "/p/settings.py"));
  CHECK_FALSE(output_names({"  File \"/p/settings.py\", line 3"}, "/p/views.py"));
}
