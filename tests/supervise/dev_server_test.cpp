// DevServer's state machine over real processes: ready probes, stop/restart in
// every state, crash loop to backoff, output backlog, change bursts.
// Timer-driven paths (auto-restart delay, backoff) run on a ManualClock; the
// processes stay real. Causes are in dev_server_cause_test.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "dev_server_harness.h"

using namespace devwatch::supervise;
using namespace devwatch::supervise::test;
using namespace std::chrono_literals;

TEST_CASE("start reaches ready through the port probe with readyMs and stop reaches stopped", "[dev_server]") {
  const int port = free_port();
  Harness h(port_server(port, "plain"));
  REQUIRE(h.server->start(Cause::Request).ok());
  CHECK(h.server->state() == ServerState::Starting);
  REQUIRE(h.wait_state(ServerState::Ready));
  const StateChange& ready = h.changes.back();
  CHECK(ready.ready_ms.has_value());
  CHECK(ready.timings.spawn_to_ready_ms.has_value());
  CHECK(ready.pid == h.server->pid());
  CHECK_FALSE(port_bindable(port));
  const pid_t pgid = *h.server->pid();

  auto again = h.server->start(Cause::Request);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == devwatch::ErrorCode::InvalidServerState);
  CHECK(again.error().message.find("use restart") != std::string::npos);

  REQUIRE(h.server->stop(Cause::Request, "user asked").ok());
  CHECK(h.server->state() == ServerState::Stopping);
  REQUIRE(h.wait_state(ServerState::Stopped));
  CHECK(h.changes.back().reason == "user asked");
  CHECK(group_gone(pgid));
  CHECK(port_bindable(port));
  CHECK_FALSE(h.server->has_process());

  auto twice = h.server->stop(Cause::Request);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == devwatch::ErrorCode::InvalidServerState);
}

TEST_CASE("a ready pattern on output lines makes the server ready", "[dev_server]") {
  ServerSpec spec = sh_server("echo booting; echo 'Server at http://x/ ready'; exec sleep 60");
  spec.ready.pattern = "ready$";
  Harness h(spec);
  REQUIRE(h.start_ready());
  CHECK(h.saw_line("booting"));
  REQUIRE(h.server->stop(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
}

TEST_CASE("restart with a grandchild holding the port: no clash, the new server binds", "[dev_server]") {
  const int port = free_port();
  Harness h(port_server(port, "grandchild", 300));
  REQUIRE(h.start_ready());
  const pid_t first = *h.server->pid();
  REQUIRE(h.server->restart(Cause::Request, "views.py changed", {"app/views.py"}).ok());
  CHECK(h.server->state() == ServerState::Stopping);
  REQUIRE(run_until(h.io, [&] { return h.server->state() == ServerState::Ready && h.server->pid() != first; }));
  CHECK(group_gone(first));
  // The restarted server really holds the port (a clash would have crashed it).
  CHECK(h.count(ServerState::Crashed) == 0);
  CHECK_FALSE(port_bindable(port));
  const auto& starting = *std::find_if(h.changes.rbegin(), h.changes.rend(),
                                       [](const StateChange& c) { return c.state == ServerState::Starting; });
  CHECK(starting.changed_files == std::vector<std::string>{"app/views.py"});
  CHECK(starting.timings.gone_to_spawn_ms.has_value());
  REQUIRE(h.server->stop(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
  CHECK(h.changes.back().killed);
  CHECK(h.changes.back().reason.find("SIGKILL") != std::string::npos);
  CHECK(port_bindable(port));
}

TEST_CASE("a crash loop reaches backoff and a change after that restarts it", "[dev_server]") {
  ServerSpec spec = sh_server("echo boom >&2; exit 3");
  devwatch::ManualClock clock;
  Harness h(spec, {}, &clock);
  REQUIRE(h.server->start(Cause::Request).ok());
  // Each crash waits for its (manual) auto-restart delay; the process is real.
  for (int crash = 1; crash <= 5; ++crash) {
    REQUIRE(run_until(h.io, [&] {
      return h.server->state() == ServerState::Crashed || h.server->state() == ServerState::Backoff;
    }));
    if (h.server->state() == ServerState::Backoff) break;
    REQUIRE(clock.advance_to_next());
  }
  REQUIRE(h.server->state() == ServerState::Backoff);
  CHECK(h.count(ServerState::Crashed) == 4);
  CHECK(h.count(ServerState::Starting) == 5);
  const StateChange& backoff = h.changes.back();
  CHECK(backoff.exit_code == 3);
  CHECK(backoff.reason.find("crashed 5 times") != std::string::npos);
  CHECK(backoff.cause == Cause::ProcessExit);
  REQUIRE_FALSE(backoff.last_lines.empty());
  CHECK(backoff.last_lines.back().text == "boom");
  CHECK(backoff.last_lines.back().stream == Stream::Stderr);
  // No automatic restart in backoff: no timer is pending and the loop runs dry.
  CHECK(clock.pending_timers() == 0);
  h.io.restart();
  h.io.run();
  CHECK(h.server->state() == ServerState::Backoff);
  // A relevant change (after the quiet period) leaves backoff.
  h.server->request_restart(Cause::Change, "files changed", {"app/models.py"});
  clock.advance(999ms);
  CHECK(h.count(ServerState::Starting) == 5);
  clock.advance(1ms);
  REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Starting) == 6; }));
  CHECK(h.changes[h.changes.size() - 1].changed_files == std::vector<std::string>{"app/models.py"});
}

TEST_CASE("automatic restarts wait base * 2^(n-1) on the clock, then start with cause autoRestart",
          "[dev_server]") {
  ServerSpec spec = sh_server("exit 3");
  devwatch::ManualClock clock;
  DevServerOptions options;
  Harness h(spec, options, &clock);
  // The harness sets a 1 ms base; these delays follow from it.
  REQUIRE(h.server->start(Cause::Request).ok());
  for (long long delay_ms : {1, 2, 4, 8}) {
    REQUIRE(run_until(h.io, [&] { return h.server->state() == ServerState::Crashed; }));
    CHECK(h.changes.back().cause == Cause::ProcessExit);
    const size_t starts = h.count(ServerState::Starting);
    clock.advance(std::chrono::milliseconds(delay_ms) - 1ns);
    CHECK(h.count(ServerState::Starting) == starts);
    clock.advance(1ns);
    REQUIRE(h.count(ServerState::Starting) == starts + 1);
    const auto& restarted = *std::find_if(h.changes.rbegin(), h.changes.rend(),
                                          [](const StateChange& c) { return c.state == ServerState::Starting; });
    CHECK(restarted.cause == Cause::AutoRestart);
    CHECK(restarted.reason == "automatic restart after a crash");
  }
  REQUIRE(run_until(h.io, [&] { return h.server->state() == ServerState::Backoff; }));
}

TEST_CASE("autoRestart off: a crash stays crashed with exit code and last lines", "[dev_server]") {
  ServerSpec spec = sh_server("echo 'Traceback (most recent call last):'; echo 'ValueError: x'; exit 1");
  spec.auto_restart = false;
  Harness h(spec);
  REQUIRE(h.server->start(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Crashed));
  const StateChange& crashed = h.changes.back();
  CHECK(crashed.exit_code == 1);
  REQUIRE(crashed.last_lines.size() == 2);
  CHECK(crashed.last_lines[1].text == "ValueError: x");
  h.io.restart();
  h.io.run();
  CHECK(h.server->state() == ServerState::Crashed);
  REQUIRE(h.server->restart(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Crashed));
  CHECK(h.count(ServerState::Starting) == 2);
}

TEST_CASE("output backlog from a sequence number, bounded by outputLines", "[dev_server]") {
  ServerSpec spec = sh_server("for i in 1 2 3 4 5 6; do echo line$i; done; exec sleep 60");
  spec.output_lines = 4;
  spec.ready.pattern = "line6";
  Harness h(spec);
  REQUIRE(h.start_ready());
  CHECK(h.lines.size() == 6);  // every line was streamed
  CHECK(h.lines.front().seq == 1);
  auto backlog = h.server->output_from(4);
  REQUIRE(backlog.lines.size() == 3);
  CHECK(backlog.lines.front().text == "line4");
  CHECK(backlog.dropped == 0);
  auto late = h.server->output_from(1);
  CHECK(late.dropped == 2);  // line1 and line2 fell out of the 4-line ring
  REQUIRE(late.lines.size() == 4);
  CHECK(late.lines.front().text == "line3");
  REQUIRE(h.server->stop(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
}

TEST_CASE("stop while starting", "[dev_server]") {
  ServerSpec spec = sh_server("exec sleep 60");
  spec.ready.pattern = "never printed";
  Harness h(spec);
  REQUIRE(h.server->start(Cause::Request).ok());
  const pid_t pgid = *h.server->pid();
  CHECK(h.server->state() == ServerState::Starting);
  REQUIRE(h.server->stop(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
  CHECK(group_gone(pgid));
  CHECK(h.count(ServerState::Ready) == 0);
}

TEST_CASE("restart while starting starts a new group", "[dev_server]") {
  ServerSpec spec = sh_server("exec sleep 60");
  spec.ready.pattern = "never printed";
  Harness h(spec);
  REQUIRE(h.server->start(Cause::Request).ok());
  const pid_t first = *h.server->pid();
  REQUIRE(h.server->restart(Cause::Request).ok());
  REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Starting) == 2; }));
  CHECK(h.server->pid() != first);
  CHECK(group_gone(first));
  REQUIRE(h.server->stop(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
}

TEST_CASE("restarts requested during a restart are queued once, not stacked", "[dev_server]") {
  const int port = free_port();
  ServerSpec spec = port_server(port, "ignore", 300);  // stopping takes the whole timeout
  Harness h(spec);
  REQUIRE(h.start_ready());
  REQUIRE(h.server->restart(Cause::Request, "a", {"a.py"}).ok());
  REQUIRE(h.server->state() == ServerState::Stopping);
  REQUIRE(h.server->restart(Cause::Request, "b", {"b.py"}).ok());
  REQUIRE(h.server->restart(Cause::Request, "c", {"c.py", "a.py"}).ok());
  REQUIRE(h.server->start(Cause::Request).ok());  // start while stopping joins the queue too
  REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Ready) == 2; }));
  CHECK(h.count(ServerState::Stopping) == 1);
  CHECK(h.count(ServerState::Starting) == 2);
  const auto& starting = *std::find_if(h.changes.rbegin(), h.changes.rend(),
                                       [](const StateChange& c) { return c.state == ServerState::Starting; });
  CHECK(starting.changed_files == std::vector<std::string>{"a.py", "b.py", "c.py"});
  // Nothing else is queued: the server stays ready while the loop drains.
  for (int i = 0; i < 50; ++i) {
    h.io.restart();
    h.io.poll();
  }
  CHECK(h.server->state() == ServerState::Ready);
  REQUIRE(h.server->stop(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
}

TEST_CASE("a stop while a restart is queued cancels the restart", "[dev_server]") {
  const int port = free_port();
  Harness h(port_server(port, "ignore", 300));
  REQUIRE(h.start_ready());
  REQUIRE(h.server->restart(Cause::Request).ok());
  REQUIRE(h.server->stop(Cause::Request, "changed my mind").ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
  CHECK(h.changes.back().reason.rfind("changed my mind", 0) == 0);
  CHECK(h.count(ServerState::Starting) == 1);
  CHECK(port_bindable(port));
}

TEST_CASE("a burst of changes gives exactly one restart", "[dev_server]") {
  ServerSpec spec = sh_server("echo up; exec sleep 60");
  spec.ready.pattern = "up";
  Harness h(spec);
  REQUIRE(h.start_ready());
  for (int i = 0; i < 1000; ++i) h.server->request_restart(Cause::Change, "files changed", {"f" + std::to_string(i) + ".py"});
  REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Ready) == 2; }));
  for (int i = 0; i < 50; ++i) {
    h.io.restart();
    h.io.poll();
  }
  CHECK(h.count(ServerState::Starting) == 2);
  CHECK(h.count(ServerState::Stopping) == 1);
  const auto& starting = *std::find_if(h.changes.rbegin(), h.changes.rend(),
                                       [](const StateChange& c) { return c.state == ServerState::Starting; });
  CHECK(starting.reason == "1000 files changed");
  CHECK(starting.timings.event_to_spawn_ms.has_value());
  REQUIRE(h.server->stop(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
}

TEST_CASE("changes are ignored while stopped on purpose", "[dev_server]") {
  Harness h(sh_server("exec sleep 60"));
  h.server->request_restart(Cause::Change, "files changed", {"a.py"});
  h.io.restart();
  h.io.run();
  CHECK(h.server->state() == ServerState::Stopped);
  CHECK(h.changes.empty());
}
