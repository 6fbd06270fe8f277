#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "supervise/supervisor.h"
#include "test_util.h"

using namespace devwatch::supervise;
using namespace devwatch::supervise::test;
using namespace std::chrono_literals;

namespace {

SupervisorOptions test_options() {
  SupervisorOptions options;
  options.shim_path = helper_path();
  options.server.debounce.settle = 20ms;
  return options;
}

ServerSpec spec_named(const std::string& name, std::vector<std::string> command) {
  ServerSpec spec;
  spec.name = name;
  spec.command = std::move(command);
  return spec;
}

}  // namespace

TEST_CASE("add rejects unusable specs with the reason", "[supervisor]") {
  asio::io_context io;
  Supervisor supervisor(io, test_options());
  CHECK(supervisor.add(spec_named("web", {})).error().message == "server 'web': command is empty");
  auto relative = spec_named("web", {"true"});
  relative.cwd = "app";
  CHECK(supervisor.add(relative).error().code == devwatch::ErrorCode::ConfigInvalid);
  auto bad_pattern = spec_named("web", {"true"});
  bad_pattern.ready.pattern = "(unclosed";
  CHECK(supervisor.add(bad_pattern).error().message.find("not a valid regex") != std::string::npos);
  auto bad_port = spec_named("web", {"true"});
  bad_port.ready.port = 70000;
  CHECK_FALSE(supervisor.add(bad_port).ok());
  REQUIRE(supervisor.add(spec_named("web", {"true"})).ok());
  CHECK(supervisor.add(spec_named("web", {"true"})).error().message == "server 'web' is defined twice");
}

TEST_CASE("unknown names are errors that list the known servers", "[supervisor]") {
  asio::io_context io;
  Supervisor supervisor(io, test_options());
  REQUIRE(supervisor.add(spec_named("web", {"true"})).ok());
  auto result = supervisor.start("wbe", Cause::Request);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == devwatch::ErrorCode::UnknownServer);
  CHECK(result.error().message == "unknown dev server 'wbe' (known: web)");
  CHECK(supervisor.stop("nope", Cause::Request).error().code == devwatch::ErrorCode::UnknownServer);
  CHECK(supervisor.restart("nope", Cause::Request).error().code == devwatch::ErrorCode::UnknownServer);
}

TEST_CASE("changes restart only the servers whose restart rules find them relevant and stop_all waits for every group",
          "[supervisor]") {
  asio::io_context io;
  Supervisor supervisor(io, test_options());
  std::vector<StateChange> changes;
  supervisor.on_state_change([&](const StateChange& change) { changes.push_back(change); });
  int output_lines = 0;
  supervisor.on_output([&](const std::string&, const OutputLine&) { ++output_lines; });

  auto web = spec_named("web", {"/bin/sh", "-c", "echo up; exec sleep 60"});
  web.ready.pattern = "up";
  web.root = "/ws";
  web.restart_on = {"**/*.py"};
  auto assets = spec_named("assets", {"/bin/sh", "-c", "echo up; exec sleep 60"});
  assets.ready.pattern = "up";
  assets.root = "/ws";
  assets.restart_on = {"**/*.js"};
  auto manual = spec_named("manual", {"/bin/sh", "-c", "exec sleep 60"});
  manual.auto_start = false;
  REQUIRE(supervisor.add(web).ok());
  REQUIRE(supervisor.add(assets).ok());
  REQUIRE(supervisor.add(manual).ok());
  supervisor.start_auto();
  REQUIRE(run_until(io, [&] {
    return supervisor.find("web")->state() == ServerState::Ready &&
           supervisor.find("assets")->state() == ServerState::Ready;
  }));
  CHECK(supervisor.find("manual")->state() == ServerState::Stopped);
  CHECK(output_lines >= 2);

  supervisor.on_changes({"/ws/app/views.py", "/ws/static/site.css", "/elsewhere/x.js"});
  auto count = [&](const std::string& name, ServerState state) {
    return std::count_if(changes.begin(), changes.end(),
                         [&](const StateChange& c) { return c.name == name && c.state == state; });
  };
  REQUIRE(run_until(io, [&] { return count("web", ServerState::Ready) == 2; }));
  CHECK(count("assets", ServerState::Starting) == 1);

  const pid_t web_pgid = *supervisor.find("web")->pid();
  const pid_t assets_pgid = *supervisor.find("assets")->pid();
  int done = 0;
  supervisor.stop_all([&] { ++done; });
  REQUIRE(run_until(io, [&] { return done > 0; }));
  CHECK(done == 1);
  CHECK(group_gone(web_pgid));
  CHECK(group_gone(assets_pgid));
  for (auto* server : supervisor.servers()) CHECK_FALSE(server->has_process());
  // After stop_all nothing starts again.
  CHECK(supervisor.start("web", Cause::Request).error().code == devwatch::ErrorCode::InvalidServerState);
}

TEST_CASE("stop_all with nothing running calls back at once", "[supervisor]") {
  asio::io_context io;
  Supervisor supervisor(io, test_options());
  REQUIRE(supervisor.add(spec_named("web", {"true"})).ok());
  bool done = false;
  supervisor.stop_all([&] { done = true; });
  REQUIRE(run_until(io, [&] { return done; }));
}

TEST_CASE("update restarts a running server only when what it runs changed", "[supervisor]") {
  asio::io_context io;
  Supervisor supervisor(io, test_options());
  std::vector<StateChange> changes;
  supervisor.on_state_change([&](const StateChange& change) { changes.push_back(change); });
  auto web = spec_named("web", {"/bin/sh", "-c", "echo up; exec sleep 60"});
  web.ready.pattern = "up";
  REQUIRE(supervisor.update(web).ok());  // unknown: added
  REQUIRE(supervisor.start("web", Cause::Request).ok());
  REQUIRE(run_until(io, [&] { return supervisor.find("web")->state() == ServerState::Ready; }));
  auto starts = [&] {
    return std::count_if(changes.begin(), changes.end(),
                         [](const StateChange& c) { return c.state == ServerState::Starting; });
  };
  web.restart_on = {"**/*.py"};  // relevance only: no restart
  REQUIRE(supervisor.update(web).ok());
  CHECK(supervisor.find("web")->state() == ServerState::Ready);
  web.command = {"/bin/sh", "-c", "echo up again; exec sleep 60"};
  REQUIRE(supervisor.update(web).ok());
  CHECK(supervisor.find("web")->state() == ServerState::Stopping);
  REQUIRE(run_until(io, [&] { return starts() == 2 && supervisor.find("web")->state() == ServerState::Ready; }));
  CHECK(supervisor.find("web")->output().last(1).front().text == "up again");
  bool done = false;
  supervisor.stop_all([&] { done = true; });
  REQUIRE(run_until(io, [&] { return done; }));
}

TEST_CASE("spec_change_needs_restart: what it runs, how it is probed and stopped", "[supervisor]") {
  ServerSpec base = spec_named("web", {"python3", "manage.py", "runserver"});
  base.cwd = "/ws";
  base.root = "/ws";
  CHECK_FALSE(spec_change_needs_restart(base, base));
  using Edit = std::function<void(ServerSpec&)>;
  const std::vector<std::pair<const char*, Edit>> restart = {
      {"command", [](ServerSpec& s) { s.command.push_back("--noreload"); }},
      {"shell", [](ServerSpec& s) { s.shell = true; }},
      {"cwd", [](ServerSpec& s) { s.cwd = "/ws/app"; }},
      {"env", [](ServerSpec& s) { s.env["DEBUG"] = "1"; }},
      {"ready.port", [](ServerSpec& s) { s.ready.port = 8000; }},
      {"ready.host", [](ServerSpec& s) { s.ready.host = "::1"; }},
      {"ready.pattern", [](ServerSpec& s) { s.ready.pattern = "ready"; }},
      {"stopSignal", [](ServerSpec& s) { s.stop_signal = SIGTERM; }},
      {"stopTimeoutMs", [](ServerSpec& s) { s.stop_timeout_ms = 100; }},
  };
  for (const auto& [field, edit] : restart) {
    ServerSpec next = base;
    edit(next);
    INFO(field);
    CHECK(spec_change_needs_restart(base, next));
  }
  // Applied live by set_spec (relevance, crash policy, ring size) or not about
  // a running server at all: no restart.
  const std::vector<std::pair<const char*, Edit>> live = {
      {"restartOn", [](ServerSpec& s) { s.restart_on = {"**/*.py"}; }},
      {"ignore", [](ServerSpec& s) { s.ignore = {"static/**"}; }},
      {"autoRestart", [](ServerSpec& s) { s.auto_restart = false; }},
      {"outputLines", [](ServerSpec& s) { s.output_lines = 5; }},
      {"autoStart", [](ServerSpec& s) { s.auto_start = false; }},
  };
  for (const auto& [field, edit] : live) {
    ServerSpec next = base;
    edit(next);
    INFO(field);
    CHECK_FALSE(spec_change_needs_restart(base, next));
  }
}

TEST_CASE("update applies restartOn ignore autoRestart and outputLines live and a config restart says so",
          "[supervisor]") {
  asio::io_context io;
  Supervisor supervisor(io, test_options());
  std::vector<StateChange> changes;
  supervisor.on_state_change([&](const StateChange& change) { changes.push_back(change); });
  auto web = spec_named("web", {"/bin/sh", "-c", "echo up; exec sleep 60"});
  web.ready.pattern = "up";
  web.root = "/ws";
  web.restart_on = {"**/*.py"};
  REQUIRE(supervisor.add(web).ok());
  REQUIRE(supervisor.start("web", Cause::Request).ok());
  REQUIRE(run_until(io, [&] { return supervisor.find("web")->state() == ServerState::Ready; }));
  DevServer* server = supervisor.find("web");
  CHECK(server->relevant("/ws/app/views.py"));

  web.ignore = {"app/**"};
  web.auto_restart = false;
  web.output_lines = 7;
  REQUIRE(supervisor.update(web).ok());
  CHECK(server->state() == ServerState::Ready);
  CHECK_FALSE(server->relevant("/ws/app/views.py"));
  CHECK(server->relevant("/ws/blog/views.py"));
  CHECK_FALSE(server->spec().auto_restart);
  CHECK(server->output().capacity() == 7);
  web.restart_on = {"**/*.html"};
  REQUIRE(supervisor.update(web).ok());
  CHECK_FALSE(server->relevant("/ws/blog/views.py"));
  CHECK(server->relevant("/ws/blog/index.html"));
  CHECK(server->state() == ServerState::Ready);

  web.env["DEBUG"] = "1";
  REQUIRE(supervisor.update(web).ok());
  CHECK(changes.back().state == ServerState::Stopping);
  CHECK(changes.back().cause == Cause::Config);
  CHECK(changes.back().restarting);
  CHECK(changes.back().reason == "restarting: configuration changed");
  REQUIRE(run_until(io, [&] { return server->state() == ServerState::Ready; }));
  CHECK(changes.back().cause == Cause::Config);
  bool done = false;
  supervisor.stop_all([&] { done = true; });
  REQUIRE(run_until(io, [&] { return done; }));
  CHECK(changes.back().cause == Cause::Shutdown);
}
