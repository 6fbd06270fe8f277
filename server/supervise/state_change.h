// The values a DevServer reports: its states, why it entered one (a Cause
// as data, plus the human reason text), and everything a client shows about
// it (exit, last lines, changed files, timings). Consumers read the fields;
// nobody parses `reason`.
// Thread-safe: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "supervise/output_ring.h"
#include "supervise/spec.h"

namespace devwatch::supervise {

enum class ServerState { Stopped, Starting, Ready, Stopping, Crashed, Backoff };
const char* state_name(ServerState state);  // "stopped", "starting", ...

// Why a server entered a state. A start carries what asked for it; Ready and
// the Stopped after a stop carry the cause of that start or stop; a crash or
// backoff is ProcessExit (an exec failure keeps the cause of its start).
enum class Cause {
  AutoStart,    // the session or `devwatch run` started the autoStart servers
  Request,      // a client asked (start/stop/restart request)
  Change,       // relevant files changed
  Config,       // the configuration changed what the server runs
  AutoRestart,  // autoRestart after a crash
  Shutdown,     // devwatch is exiting
  Removed,      // the server left the configuration or its folder was removed
  ProcessExit,  // the command exited on its own (crashed/backoff)
};
const char* cause_name(Cause cause);  // "autoStart", "request", "change", ...

// A server devwatch will not retry on its own, because a retry cannot fix it:
// the command cannot be executed (Exec, state crashed), or it was never ready
// and crashed the same way as often as makes a backoff (SameCrash, state
// backoff; see SameCrashTracker). Retried by
// a configuration change that needs a restart, a start or restart request,
// and (SameCrash only) a change to a file its crash output names.
struct SetupProblem {
  enum class Kind { Exec, SameCrash };
  Kind kind = Kind::Exec;
  std::string message;                // the real reason, first
  std::string fix;                    // what to do about it
  std::vector<std::string> searched;  // Exec of a bare name: PATH's directories, in search order
  std::size_t crashes = 0;            // SameCrash: identical crashes in a row
};
const char* setup_kind_name(SetupProblem::Kind kind);  // "exec", "sameCrash"

// Overhead spans for the benchmark, each present when it applies.
struct Timings {
  std::optional<double> event_to_spawn_ms;  // first change event -> new command spawned
  std::optional<double> gone_to_spawn_ms;   // old group fully gone -> new command spawned
  std::optional<double> spawn_to_ready_ms;  // spawned -> ready probe passed
  std::optional<double> probe_slack_ms;     // upper bound of the delay the probe added
};

struct StateChange {
  static constexpr std::size_t kMaxListedFiles = 100;

  std::string name;
  ServerState state = ServerState::Stopped;
  Cause cause = Cause::Request;  // see Cause; the initial "not started yet" says Request
  // On Stopping: the stop is half of a restart, a start follows once the
  // group is gone (no Stopped in between).
  bool restarting = false;
  std::optional<int> pid;
  // The port devwatch gave this group: an overlapped restart gives each
  // start a fresh one (absent when the port is fixed or given once).
  std::optional<int> port;
  // During an overlapped restart (starting, or stopping a new group that a
  // change made stale before it was ready): the old group still serves here.
  std::optional<int> serving_port;
  std::optional<int> exit_code;  // crashed/stopped: the command exited with this code
  std::optional<int> signal;     // crashed/stopped: the command was killed by this signal
  std::string reason;            // for people: "restarting: app/views.py changed"
  std::vector<std::string> changed_files;  // at most kMaxListedFiles
  std::size_t changed_count = 0;           // every changed file, listed or not
  std::optional<int64_t> ready_ms;
  std::vector<OutputLine> last_lines;  // crashed/backoff: the last lines of output
  std::vector<StopStep> stop_steps;    // stopped/crashed: the stop steps applied to the group
  bool killed = false;                 // the stop policy had to SIGKILL
  std::optional<SetupProblem> setup;   // crashed/backoff: not retried until something changes
  // starting/ready of a spec with preload: preloaded or cold, and why cold.
  std::optional<StartInfo> start;
  Timings timings;
};

// How a change's process ended, for messages: "exit 1", "killed by SIGSEGV",
// "exited" when neither is known.
std::string exit_description(const StateChange& change);

}  // namespace devwatch::supervise
