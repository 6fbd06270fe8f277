#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
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
  auto result = supervisor.start("wbe");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == devwatch::ErrorCode::UnknownServer);
  CHECK(result.error().message == "unknown dev server 'wbe' (known: web)");
  CHECK(supervisor.stop("nope").error().code == devwatch::ErrorCode::UnknownServer);
  CHECK(supervisor.restart("nope").error().code == devwatch::ErrorCode::UnknownServer);
}

TEST_CASE("changes restart only the servers the predicate finds relevant and stop_all waits for every group",
          "[supervisor]") {
  asio::io_context io;
  Supervisor supervisor(io, test_options());
  std::vector<StateChange> changes;
  supervisor.on_state_change([&](const StateChange& change) { changes.push_back(change); });
  int output_lines = 0;
  supervisor.on_output([&](const std::string&, const OutputLine&) { ++output_lines; });

  auto web = spec_named("web", {"/bin/sh", "-c", "echo up; exec sleep 60"});
  web.ready.pattern = "up";
  web.restart_on = {".py"};
  auto assets = spec_named("assets", {"/bin/sh", "-c", "echo up; exec sleep 60"});
  assets.ready.pattern = "up";
  assets.restart_on = {".js"};
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

  auto ends_with = [](const std::string& path, const std::string& suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  supervisor.on_changes({"app/views.py", "static/site.css"}, [&](const ServerSpec& spec, const std::string& path) {
    return std::any_of(spec.restart_on.begin(), spec.restart_on.end(),
                       [&](const std::string& suffix) { return ends_with(path, suffix); });
  });
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
  CHECK(supervisor.start("web").error().code == devwatch::ErrorCode::InvalidServerState);
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
  REQUIRE(supervisor.start("web").ok());
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
