#include "session/lifecycle.h"

#include <catch2/catch.hpp>

using namespace devwatch;
using devwatch::session::Lifecycle;
using devwatch::session::Phase;

TEST_CASE("before initialize only initialize runs; notifications but exit are dropped") {
  Lifecycle l;
  REQUIRE(l.admit_request("initialize"));
  REQUIRE(l.admit_request("devwatch/status").error().code == ErrorCode::ServerNotInitialized);
  REQUIRE(l.admit_request("shutdown").error().code == ErrorCode::ServerNotInitialized);
  REQUIRE_FALSE(l.admit_notification("initialized"));
  REQUIRE_FALSE(l.admit_notification("$/cancelRequest"));
  REQUIRE(l.admit_notification("exit"));
  REQUIRE(l.exit_code() == 1);
}

TEST_CASE("running: a second initialize is an invalid request") {
  Lifecycle l;
  l.on_initialized_reply();
  REQUIRE(l.phase() == Phase::Running);
  REQUIRE(l.admit_request("devwatch/status"));
  REQUIRE(l.admit_request("initialize").error().code == ErrorCode::InvalidRequest);
  REQUIRE(l.admit_notification("initialized"));
  REQUIRE(l.exit_code() == 1);
}

TEST_CASE("after shutdown requests are invalid, exit gives 0") {
  Lifecycle l;
  l.on_initialized_reply();
  l.on_shutdown();
  REQUIRE(l.admit_request("devwatch/status").error().code == ErrorCode::InvalidRequest);
  REQUIRE(l.admit_request("shutdown").error().code == ErrorCode::InvalidRequest);
  REQUIRE_FALSE(l.admit_notification("initialized"));
  REQUIRE(l.admit_notification("exit"));
  REQUIRE(l.exit_code() == 0);
}
