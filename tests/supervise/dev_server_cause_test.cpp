// The causes, restarting flag and changed_count every DevServer state change
// carries, over real processes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "dev_server_harness.h"

using namespace devwatch::supervise;
using namespace devwatch::supervise::test;
using namespace std::chrono_literals;

TEST_CASE("state changes carry their cause, restarting and changed_count", "[dev_server]") {
  ServerSpec spec = sh_server("echo up; exec sleep 60");
  spec.ready.pattern = "up";
  Harness h(spec);
  REQUIRE(h.server->start(Cause::AutoStart, "autoStart").ok());
  REQUIRE(h.wait_state(ServerState::Ready));
  CHECK(h.changes.front().state == ServerState::Starting);
  CHECK(h.changes.front().cause == Cause::AutoStart);
  CHECK(h.changes.back().cause == Cause::AutoStart);  // ready carries the cause of its start

  for (int i = 0; i < 150; ++i) h.server->request_restart(Cause::Change, "files changed", {"f" + std::to_string(i) + ".py"});
  REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Ready) == 2; }));
  auto last_in = [&](ServerState state) {
    return *std::find_if(h.changes.rbegin(), h.changes.rend(), [&](const StateChange& c) { return c.state == state; });
  };
  // The leading edge stops at the first change; the start has the whole burst.
  const StateChange stopping = last_in(ServerState::Stopping);
  CHECK(stopping.restarting);
  CHECK(stopping.cause == Cause::Change);
  CHECK(stopping.reason == "restarting: f0.py changed");
  CHECK(stopping.changed_count == 1);
  CHECK(last_in(ServerState::Starting).cause == Cause::Change);
  CHECK(last_in(ServerState::Starting).reason == "150 files changed");
  CHECK(last_in(ServerState::Starting).changed_count == 150);
  CHECK(last_in(ServerState::Starting).changed_files.size() == StateChange::kMaxListedFiles);
  CHECK(last_in(ServerState::Ready).cause == Cause::Change);
  CHECK(last_in(ServerState::Ready).changed_count == 150);

  REQUIRE(h.server->restart(Cause::Request, "restart requested", {"a.py", "b.py"}).ok());
  CHECK(h.changes.back().restarting);
  CHECK(h.changes.back().changed_count == 2);
  REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Ready) == 3; }));

  REQUIRE(h.server->stop(Cause::Removed, "removed from the configuration").ok());
  CHECK_FALSE(h.changes.back().restarting);
  CHECK(h.changes.back().cause == Cause::Removed);
  REQUIRE(h.wait_state(ServerState::Stopped));
  CHECK(h.changes.back().cause == Cause::Removed);
  CHECK(h.changes.back().reason == "removed from the configuration");
}

TEST_CASE("shutdown stops with cause shutdown and refuses to start again", "[dev_server]") {
  Harness h(sh_server("exec sleep 60"));
  REQUIRE(h.start_ready());
  h.server->shutdown("devwatch is exiting");
  CHECK(h.changes.back().state == ServerState::Stopping);
  CHECK(h.changes.back().cause == Cause::Shutdown);
  REQUIRE(h.wait_state(ServerState::Stopped));
  CHECK(h.changes.back().cause == Cause::Shutdown);
  CHECK(h.server->start(Cause::Request).error().code == devwatch::ErrorCode::InvalidServerState);
}

TEST_CASE("restarts merged while stopping count each file once in changed_count", "[dev_server]") {
  const int port = free_port();
  Harness h(port_server(port, "ignore", 300));  // stopping takes the whole timeout
  REQUIRE(h.start_ready());
  REQUIRE(h.server->restart(Cause::Request, "a", {"a.py", "b.py"}).ok());
  CHECK(h.changes.back().changed_count == 2);
  REQUIRE(h.server->restart(Cause::Change, "b", {"b.py", "c.py"}).ok());
  REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Starting) == 2; }));
  const auto& starting = *std::find_if(h.changes.rbegin(), h.changes.rend(),
                                       [](const StateChange& c) { return c.state == ServerState::Starting; });
  CHECK(starting.changed_files == std::vector<std::string>{"a.py", "b.py", "c.py"});
  CHECK(starting.changed_count == 3);
  CHECK(starting.cause == Cause::Request);  // the restart already waiting keeps its cause
  REQUIRE(h.server->stop(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
}
