// Logging setup. Logs go to stderr or a file, never stdout (stdout belongs to
// the protocol). Warnings and errors can also be forwarded to the client as
// window/logMessage through a forwarder that session/ installs.
// Thread-safe: spdlog's _mt sinks; the forwarder is called on the logging thread.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "common/error.h"

namespace devwatch {

struct LogOptions {
  spdlog::level::level_enum level = spdlog::level::info;
  std::optional<std::string> file;  // append here instead of stderr
};

// Parses "trace|debug|info|warn|error|off".
Result<spdlog::level::level_enum> parse_log_level(const std::string& name);

Result<void> init_logging(const LogOptions& options);

// Receives every record at warn or above. Set to {} to stop forwarding.
using LogForwarder = std::function<void(spdlog::level::level_enum, const std::string&)>;
void set_log_forwarder(LogForwarder forwarder);

}  // namespace devwatch
