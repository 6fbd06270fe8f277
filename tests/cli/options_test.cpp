#include "cli/options.h"

#include <catch2/catch.hpp>

using namespace devwatch::cli;

TEST_CASE("commands and global flags") {
  REQUIRE(parse_options({})->command == Command::None);
  REQUIRE(parse_options({"--stdio"})->command == Command::Stdio);
  REQUIRE(parse_options({"--version"})->command == Command::Version);
  auto check = parse_options({"check", "--json"});
  REQUIRE(check->command == Command::Check);
  REQUIRE(check->json);
  auto logged = parse_options({"--log-level", "trace", "--log-file=/tmp/x", "--stdio"});
  REQUIRE(logged->log_level == "trace");
  REQUIRE(logged->log_file == "/tmp/x");
  REQUIRE(parse_options({"--max-message-bytes", "1024"})->max_message_bytes == 1024);
}

TEST_CASE("subcommands own the rest of the line") {
  auto watch = parse_options({"watch", "src", "--json", "--exclude", "**/x"});
  REQUIRE(watch->command == Command::Watch);
  REQUIRE(watch->rest == std::vector<std::string>{"src", "--json", "--exclude", "**/x"});
  auto run = parse_options({"run", "--", "python", "--version"});
  REQUIRE(run->rest == std::vector<std::string>{"--", "python", "--version"});
}

TEST_CASE("unknown flags and commands are usage errors") {
  REQUIRE(parse_options({"--bogus"}).error().message.find("unknown option '--bogus'") == 0);
  REQUIRE(parse_options({"frobnicate"}).error().message.find("unknown command") == 0);
  REQUIRE_FALSE(parse_options({"--log-level"}));
  REQUIRE_FALSE(parse_options({"--max-message-bytes", "0"}));
  REQUIRE_FALSE(parse_options({"--max-message-bytes", "12k"}));
  REQUIRE_FALSE(parse_options({"--json"}));  // only with check
}
