#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cerrno>
#include <csignal>

#include "common/errno_text.h"
#include "supervise/wait_status.h"
#include "supervise/spec.h"

using namespace devwatch::supervise;

TEST_CASE("errno and signals get their symbolic names", "[wait_status]") {
  CHECK(devwatch::errno_name(ENOENT) == "ENOENT");
  CHECK(devwatch::errno_text(ENOENT) == "No such file or directory (ENOENT)");
  CHECK(signal_name(SIGKILL) == "SIGKILL");
  CHECK(describe_wait_status(3 << 8) == "exit 3");
}

TEST_CASE("stop policy and argv come from the spec", "[spec]") {
  ServerSpec spec;
  spec.command = {"echo", "a b"};
  spec.stop_signal = SIGTERM;
  spec.stop_timeout_ms = 1234;
  auto policy = stop_policy_for(spec);
  REQUIRE(policy.size() == 2);
  CHECK(policy[0].signal == SIGTERM);
  CHECK(policy[0].timeout_ms == 1234);
  CHECK(policy[1].signal == SIGKILL);
  CHECK(effective_argv(spec) == spec.command);
  spec.shell = true;
  CHECK(effective_argv(spec) == std::vector<std::string>{"/bin/sh", "-c", "echo a b"});
}
