#include <catch2/catch.hpp>

#include "supervise/upstream_port.h"

using namespace devwatch;

TEST_CASE("{port} is replaced, $PORT set and the ready probe pointed at it") {
  supervise::ServerSpec spec;
  spec.command = {"python", "manage.py", "runserver", "127.0.0.1:{port}"};
  int port = supervise::apply_upstream_port(spec, 41234);
  CHECK(port == 41234);
  CHECK(spec.command.back() == "127.0.0.1:41234");
  CHECK(spec.env.at("PORT") == "41234");
  CHECK(spec.ready.port == 41234);
}

TEST_CASE("without {port} a configured ready port is the upstream; $PORT from the config wins") {
  supervise::ServerSpec spec;
  spec.command = {"node", "server.js"};
  spec.ready.port = 3000;
  spec.env["PORT"] = "3000";
  CHECK(supervise::apply_upstream_port(spec, 41234) == 3000);
  CHECK(spec.env.at("PORT") == "3000");
}

TEST_CASE("a free loopback port is found") {
  auto port = supervise::free_loopback_port();
  REQUIRE(port);
  CHECK(*port > 0);
}

TEST_CASE("the port is devwatch's to choose with {port} or no fixed ready port, not with a fixed one") {
  supervise::ServerSpec spec;
  spec.command = {"node", "server.js"};
  CHECK(supervise::port_is_ours(spec));  // it reads $PORT
  spec.ready.port = 3000;
  CHECK_FALSE(supervise::port_is_ours(spec));
  spec.command.push_back("--port={port}");
  CHECK(supervise::port_is_ours(spec));
}
