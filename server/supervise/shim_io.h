// The shim's argv and its report records (shim_protocol.h) as code: parsing
// the argv devwatch built, and writing records on the report pipe (Started
// with its StartNote in one write). Split from shim.cpp, which runs the loop.
// Threading: used by the single-threaded shim process only.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "supervise/shim_protocol.h"
#include "supervise/spec.h"

namespace devwatch::supervise::shim {

struct ShimArgs {
  pid_t expected_ppid = 0;
  int death_timeout_ms = 300;
  StopPolicy steps;
  std::optional<std::string> zygote;  // --zygote: try a preloaded fork first
  bool subreaper = true;              // --no-subreaper turns it off
  std::vector<char*> command;         // null-terminated
};

// nullopt for an argv devwatch would not build.
std::optional<ShimArgs> parse_args(int argc, char** argv);
bool parse_long(const char* text, long& out);

// Failures are ignored: once devwatch is gone nobody reads the records, and
// SIGPIPE is ignored so the write cannot kill us.
void report(RecordKind kind, int a = 0, int b = 0);
// Started, and for a start that asked for preloading its StartNote, in one
// write (well below PIPE_BUF) so spawn_shim reads them together.
void report_started(pid_t pid, StartOutcome outcome, int fork_us, const std::string& note);

}  // namespace devwatch::supervise::shim
