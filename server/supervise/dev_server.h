// One supervised dev server: the state machine
//   stopped -> starting -> ready -> stopping -> stopped, plus crashed and backoff,
// over a GroupProcess, with its output ring, ready probe, crash history and
// change-driven restart debouncing. Knows nothing of JSON-RPC: it reports
// through a state callback and a line callback.
// Threading: not thread-safe. Construct, call and destroy on the thread that
// runs the io_context (the loop thread, which must live as long as devwatch:
// see group_process.h); callbacks run there too.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervise/asio_include.h"

#include "common/error.h"
#include "supervise/clock.h"
#include "supervise/crash_history.h"
#include "supervise/group_process.h"
#include "supervise/output_ring.h"
#include "supervise/ready_probe.h"
#include "supervise/restart_debouncer.h"
#include "supervise/spec.h"

namespace devwatch::supervise {

enum class ServerState { Stopped, Starting, Ready, Stopping, Crashed, Backoff };
const char* state_name(ServerState state);  // "stopped", "starting", ...

// Overhead spans for the benchmark, each present when it applies.
struct Timings {
  std::optional<double> event_to_spawn_ms;  // first change event -> new command spawned
  std::optional<double> gone_to_spawn_ms;   // old group fully gone -> new command spawned
  std::optional<double> spawn_to_ready_ms;  // spawned -> ready probe passed
  std::optional<double> probe_slack_ms;     // upper bound of the delay the probe added
};

struct StateChange {
  std::string name;
  ServerState state = ServerState::Stopped;
  std::optional<int> pid;
  std::optional<int> exit_code;  // crashed/stopped: the command exited with this code
  std::optional<int> signal;     // crashed/stopped: the command was killed by this signal
  std::string reason;
  std::vector<std::string> changed_files;
  std::optional<int64_t> ready_ms;
  std::vector<OutputLine> last_lines;  // crashed/backoff: the last lines of output
  std::vector<StopStep> stop_steps;    // stopped/crashed: the stop steps applied to the group
  bool killed = false;                 // the stop policy had to SIGKILL
  Timings timings;
};

// How a change's process ended, for messages: "exit 1", "killed by SIGSEGV",
// "exited" when neither is known.
std::string exit_description(const StateChange& change);

struct DevServerOptions {
  std::string shim_path = "/proc/self/exe";
  DebounceTiming debounce{};
  std::chrono::milliseconds backoff_quiet{1000};  // quiet time before a change leaves backoff
  size_t backoff_crashes = 5;
  std::chrono::milliseconds backoff_window = std::chrono::minutes(3);
  // Delay before the n-th automatic restart in the crash window: base * 2^(n-1), capped.
  std::chrono::milliseconds auto_restart_base{100};
  std::chrono::milliseconds auto_restart_max{2000};
  int death_timeout_ms = 300;
  size_t crash_lines = 20;
  size_t max_line = 8192;
  ProbeTiming probe{};
  NowFn now = real_clock();
};

class DevServer {
 public:
  using StateCallback = std::function<void(const StateChange&)>;
  using LineCallback = std::function<void(const std::string& name, const OutputLine& line)>;

  DevServer(asio::io_context& io, ServerSpec spec, DevServerOptions options, StateCallback on_state,
            LineCallback on_line);
  // Drops a running group through the shim's death path (blocks briefly);
  // use stop() and wait for `stopped` instead where possible.
  ~DevServer();
  DevServer(const DevServer&) = delete;
  DevServer& operator=(const DevServer&) = delete;

  const std::string& name() const { return spec_.name; }
  const ServerSpec& spec() const { return spec_; }
  // Takes effect at the next start (the running group is left alone).
  void set_spec(ServerSpec spec);

  ServerState state() const { return last_.state; }
  const StateChange& last_change() const { return last_; }
  std::optional<pid_t> pid() const;
  std::optional<pid_t> shim_pid() const;
  // True while a process group exists (starting, ready, stopping, or crashing).
  bool has_process() const { return process_ != nullptr; }

  // Valid in every state; nonsense (start while running, stop while stopped)
  // returns InvalidServerState with a message saying what to do instead.
  // Start while stopping queues a start; restart while stopping or already
  // restarting is queued once, never stacked.
  Result<void> start(const std::string& reason = "start requested");
  Result<void> stop(const std::string& reason = "stop requested");
  Result<void> restart(const std::string& reason = "restart requested",
                       const std::vector<std::string>& changed_files = {});
  // A relevant change: debounced (one restart per burst), waits for
  // .git/index.lock. Ignored while stopped on purpose (the user stopped it).
  void request_restart(const std::string& reason, const std::vector<std::string>& changed_files);
  // Stop and never restart on its own again (used at exit).
  void shutdown(const std::string& reason);

  const OutputRing& output() const { return ring_; }
  Backlog output_from(uint64_t from_seq) const { return ring_.lines_from(from_seq); }
  const CrashHistory& crashes() const { return crashes_; }

 private:
  struct Pending {
    std::string reason;
    std::vector<std::string> changed_files;
    std::optional<SteadyClock::time_point> first_event_at;
  };

  Result<void> spawn(Pending why);
  Result<void> restart_internal(Pending why, bool explicit_request);
  void on_line(Stream stream, std::string_view text, bool cut);
  void on_ready(const ProbeResult& result);
  void on_gone(const GroupExit& exit);
  void schedule_auto_restart();
  void emit(StateChange change);
  StateChange base_change(ServerState state, std::string reason) const;

  asio::io_context& io_;
  ServerSpec spec_;
  DevServerOptions options_;
  StateCallback on_state_;
  LineCallback on_line_cb_;
  OutputRing ring_;
  CrashHistory crashes_;
  RestartDebouncer debouncer_;
  asio::steady_timer auto_restart_timer_;
  std::shared_ptr<GroupProcess> process_;
  std::unique_ptr<ReadyProber> prober_;
  StateChange last_;
  bool stop_requested_ = false;
  bool shut_down_ = false;
  std::optional<Pending> queued_;       // start after the current group is gone
  std::optional<int> main_status_;      // wait status once the command exited
  Pending current_;                     // why the current group was started
  std::optional<SteadyClock::time_point> gone_at_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace devwatch::supervise
