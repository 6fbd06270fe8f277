#include <catch2/catch.hpp>

#include "supervise/state_change.h"

using namespace devwatch::supervise;

TEST_CASE("causes and states have the protocol's names", "[state_change]") {
  CHECK(std::string(cause_name(Cause::AutoStart)) == "autoStart");
  CHECK(std::string(cause_name(Cause::Request)) == "request");
  CHECK(std::string(cause_name(Cause::Change)) == "change");
  CHECK(std::string(cause_name(Cause::Config)) == "config");
  CHECK(std::string(cause_name(Cause::AutoRestart)) == "autoRestart");
  CHECK(std::string(cause_name(Cause::Shutdown)) == "shutdown");
  CHECK(std::string(cause_name(Cause::Removed)) == "removed");
  CHECK(std::string(cause_name(Cause::ProcessExit)) == "processExit");
  CHECK(std::string(state_name(ServerState::Backoff)) == "backoff");
  CHECK(std::string(state_name(ServerState::Stopping)) == "stopping");
}

TEST_CASE("exit_description says how the process ended", "[state_change]") {
  StateChange change;
  CHECK(exit_description(change) == "exited");
  change.exit_code = 1;
  CHECK(exit_description(change) == "exit 1");
  change.signal = 9;
  CHECK(exit_description(change) == "killed by SIGKILL");
}
