#include "config/suggest.h"

#include <catch2/catch.hpp>
#include <csignal>

#include "config/signals.h"

namespace dc = devwatch::config;

TEST_CASE("closest_match", "[config]") {
  const std::vector<std::string> keys = {"command", "restartOn", "autoStart", "stopSignal"};
  CHECK(dc::closest_match("comand", keys) == std::optional<std::string>("command"));
  CHECK(dc::closest_match("restarton", keys) == std::optional<std::string>("restartOn"));
  CHECK(dc::closest_match("restart_on", keys) == std::optional<std::string>("restartOn"));
  CHECK(dc::closest_match("xyz", keys) == std::nullopt);
  CHECK(dc::closest_match("", keys) == std::nullopt);
  CHECK(dc::closest_match(std::string(1000, 'a'), keys) == std::nullopt);
}

TEST_CASE("signal names", "[config]") {
  CHECK(*dc::parse_stop_signal("SIGINT") == SIGINT);
  CHECK(*dc::parse_stop_signal("int") == SIGINT);
  CHECK(*dc::parse_stop_signal(9LL) == SIGKILL);
  CHECK(dc::parse_stop_signal("SIGFOO").error().message.starts_with("unknown signal \"SIGFOO\""));
  CHECK(dc::parse_stop_signal("").error().message.starts_with("unknown signal \"\""));
  CHECK_FALSE(dc::parse_stop_signal("SIGCONT").ok());
  CHECK_FALSE(dc::parse_stop_signal(static_cast<long long>(SIGSTOP)).ok());
  CHECK_FALSE(dc::parse_stop_signal(1000LL).ok());
  CHECK(dc::signal_name(SIGTERM) == "SIGTERM");
  CHECK(dc::signal_name(40) == "signal 40");
}
