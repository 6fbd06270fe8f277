#include <catch2/catch.hpp>

#include <csignal>

#include "cli/run_options.h"

using namespace devwatch::cli;

TEST_CASE("devwatch run options: the command after -- and the flags") {
  auto o = parse_run_options({"--restart-on", "src/**", "--ignore", "dist/**", "--port", "3000", "--stop-signal",
                              "SIGTERM", "--no-restart", "--", "npm", "run", "dev"});
  REQUIRE(o);
  CHECK(o->command == std::vector<std::string>{"npm", "run", "dev"});
  CHECK(o->port == 3000);
  CHECK(o->stop_signal == SIGTERM);

  auto spec = command_spec(o.value(), "/ws");
  CHECK(spec.name == "app");
  CHECK(spec.cwd == "/ws");
  CHECK(spec.restart_on == std::vector<std::string>{"src/**"});
  adjust_spec(o.value(), spec);
  CHECK(spec.ignore == std::vector<std::string>{"dist/**"});
  CHECK(spec.ready.port == 3000);
  CHECK_FALSE(spec.auto_restart);
  CHECK(spec.auto_start);
}

TEST_CASE("devwatch run options: a bare command restarts on every change; errors name the option") {
  auto o = parse_run_options({"--", "./serve.sh"});
  REQUIRE(o);
  CHECK(command_spec(o.value(), "/ws").restart_on == std::vector<std::string>{"**"});
  CHECK(parse_run_options({"--port", "http"}).error().message.find("--port") != std::string::npos);
  CHECK(parse_run_options({"--"}).error().message.find("followed by a command") != std::string::npos);
  CHECK(parse_run_options({"--bogus", "x"}).error().message.find("unknown option") != std::string::npos);
}

TEST_CASE("devwatch run --proxy puts a server behind the proxy; a detected runserver moves off its port") {
  auto o = parse_run_options({"--proxy", "127.0.0.1:8000", "--live-reload"});
  REQUIRE(o);
  REQUIRE(o->proxy);
  CHECK(o->proxy->listen_port == 8000);
  CHECK(o->proxy->live_reload);
  devwatch::supervise::ServerSpec detected;
  detected.command = {"python", "manage.py", "runserver", "--noreload", "127.0.0.1:8000"};
  detected.ready.port = 8000;
  adjust_spec(*o, detected);
  CHECK(detected.proxy.enabled());
  CHECK(detected.command.back() == "127.0.0.1:{port}");
  CHECK_FALSE(detected.ready.port);

  CHECK_FALSE(parse_run_options({"--live-reload"}));
  CHECK_FALSE(parse_run_options({"--proxy", "example.com:80"}));
}

TEST_CASE("devwatch run --overlap: overlapped restarts behind the proxy, never with --preload") {
  auto o = parse_run_options({"--proxy", "127.0.0.1:8000", "--overlap"});
  REQUIRE(o);
  CHECK(o->proxy->overlap);
  CHECK(parse_run_options({"--overlap"}).error().message.find("needs --proxy") != std::string::npos);
  CHECK(parse_run_options({"--proxy", "127.0.0.1:8000", "--overlap", "--preload"}).error().message.find("--preload") !=
        std::string::npos);
}
