// `devwatch run`'s own options: the command after "--" and the flags that
// adjust every server's spec. Parsing is a pure function, unit-tested.
// Threading: plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "supervise/spec.h"

namespace devwatch::cli {

struct RunOptions {
  std::vector<std::string> command;  // after "--"
  std::vector<std::string> restart_on;
  std::vector<std::string> ignore;
  std::optional<int> port;
  std::optional<std::string> ready_pattern;
  std::optional<int> stop_signal;
  std::optional<int> stop_timeout_ms;
  std::string name = "app";
  bool no_restart = false;
  bool help = false;
  bool preload = false;  // --preload: every server's spec gets preload.enabled
  bool timings = false;  // print devwatch's own overhead on every ready (for bench/)
  std::optional<supervise::ProxySpec> proxy;  // --proxy HOST:PORT [--live-reload] [--overlap]
};

extern const char* const kRunUsage;

Result<RunOptions> parse_run_options(const std::vector<std::string>& args);

// The server `devwatch run -- CMD` runs in `root`.
supervise::ServerSpec command_spec(const RunOptions& options, const std::string& root);
// The flags applied over every server's spec (configured, detected or given).
void adjust_spec(const RunOptions& options, supervise::ServerSpec& spec);

}  // namespace devwatch::cli
