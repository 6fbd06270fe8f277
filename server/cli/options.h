// The command line: which command to run and with which global options.
// Parsing is a pure function so every flag and error is unit-tested.
// Threading: plain values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace devwatch::cli {

enum class Command { Stdio, Check, Watch, Run, Version, Help, None };

struct Options {
  Command command = Command::None;
  std::optional<std::string> log_level;  // --log-level, else $DEVWATCH_LOG
  std::optional<std::string> log_file;   // --log-file
  std::size_t max_message_bytes = std::size_t{64} * 1024 * 1024;
  bool json = false;                     // check --json
  std::vector<std::string> rest;         // a subcommand's own arguments
};

// argv without the program name. Errors carry the message for stderr; the
// caller exits 2 on them.
Result<Options> parse_options(const std::vector<std::string>& args);

std::string usage();

}  // namespace devwatch::cli
