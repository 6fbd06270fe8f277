// One supervised dev server: the state machine
//   stopped -> starting -> ready -> stopping -> stopped, plus crashed and backoff,
// over a GroupProcess, with its output ring, ready probe, crash history,
// restart rules (which changed paths concern it) and change-driven restart
// debouncing. Knows nothing of JSON-RPC: it reports StateChange values
// (state_change.h) through a state callback, and output through a line callback.
// The operations live in dev_server.cpp, the group's life (spawn, ready,
// gone, crash, auto restart) in dev_server_run.cpp, overlapped restarts (a
// new group started on a fresh port while the old one serves) in
// dev_server_overlap.cpp.
// Threading: not thread-safe. Construct, call and destroy on the thread that
// runs the io_context (the loop thread, which must live as long as devwatch:
// see group_process.h); callbacks and timers run there too.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervise/asio_include.h"

#include "common/clock.h"
#include "common/error.h"
#include "supervise/crash_history.h"
#include "supervise/group_process.h"
#include "supervise/output_ring.h"
#include "supervise/preloader.h"
#include "supervise/ready_probe.h"
#include "supervise/restart_debouncer.h"
#include "supervise/restart_rules.h"
#include "supervise/setup_problem.h"
#include "supervise/spec.h"
#include "supervise/state_change.h"

namespace devwatch::supervise {

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
  // Time and timers for the debouncer, the ready probe, the crash history and
  // the auto-restart delay. Null: an AsioClock on the io_context, owned by the
  // server. Otherwise it must outlive the server.
  Clock* clock = nullptr;
  // Used for specs with preload.enabled; none: such specs start cold, saying so.
  PreloaderFactory preloader_factory;
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
  // What it runs takes effect at the next start (the running group is left
  // alone); restartOn/ignore, autoRestart and outputLines apply at once.
  void set_spec(ServerSpec spec);
  // True when a change of `path` (absolute) should restart this server:
  // it matches restartOn and not ignore, below the spec's root.
  bool relevant(std::string_view path) const { return rules_.matches(path); }

  ServerState state() const { return last_.state; }
  const StateChange& last_change() const { return last_; }
  std::optional<pid_t> pid() const;
  std::optional<pid_t> shim_pid() const;
  // True while a process group exists (starting, ready, stopping, or
  // crashing), including an overlapped restart's old group.
  bool has_process() const { return process_ != nullptr || outgoing_ || !retiring_.empty(); }

  // Valid in every state; nonsense (start while running, stop while stopped)
  // returns InvalidServerState with a message saying what to do instead.
  // Start while stopping queues a start; restart while stopping or already
  // restarting is queued once, never stacked. `cause` lands in the
  // StateChange; `reason` is its human text.
  Result<void> start(Cause cause, const std::string& reason = "start requested");
  Result<void> stop(Cause cause, const std::string& reason = "stop requested");
  Result<void> restart(Cause cause, const std::string& reason = "restart requested",
                       const std::vector<std::string>& changed_files = {});
  // A relevant change: one restart per burst, with the cause of the burst's
  // first request. Leading edge: a running group is stopped at the burst's
  // first change (unless .git/index.lock exists: then it serves until git is
  // done, as before); the new one is spawned once the old is gone AND the
  // burst has settled AND index.lock is gone. Ignored while stopped on
  // purpose (the user stopped it), and while a setup problem stands, except
  // (SameCrash) for files its crash output names.
  void request_restart(Cause cause, const std::string& reason, const std::vector<std::string>& changed_files);
  // Called with the stop of a restart (not of a plain stop or shutdown):
  // the gate calls `proceed` when the group may be stopped, e.g. once a proxy
  // in front has the responses in flight answered. Empty: stop at once.
  using StopGate = std::function<void(std::function<void()> proceed)>;
  void set_stop_gate(StopGate gate) { stop_gate_ = std::move(gate); }
  // Called when an overlapped restart's new group is ready: the gate calls
  // `proceed` when the old group (serving on `port`) may be stopped. Empty:
  // stop it at once.
  using RetireGate = std::function<void(int port, std::function<void()> proceed)>;
  void set_retire_gate(RetireGate gate) { retire_gate_ = std::move(gate); }
  // Stop (Cause::Shutdown) and never restart on its own again (used at exit).
  void shutdown(const std::string& reason);

  const OutputRing& output() const { return ring_; }
  Backlog output_from(uint64_t from_seq) const { return ring_.lines_from(from_seq); }
  const CrashHistory& crashes() const { return crashes_; }
  // Set while crashed with a problem no automatic retry can fix.
  const std::optional<SetupProblem>& setup_problem() const { return setup_; }

 private:
  // Why the next or current group is (to be) started.
  struct Pending {
    Cause cause = Cause::Request;
    std::string reason;
    std::vector<std::string> changed_files;
    std::size_t changed_count = 0;
    std::optional<TimePoint> first_event_at;
    // Holds only the first batch of a burst (the leading-edge stop): the
    // debounced burst includes that batch, so it replaces these files.
    bool first_batch_only = false;
  };
  static Pending why(Cause cause, std::string reason, std::vector<std::string> files = {});
  // A group other than the current one: an overlapped restart's old group,
  // serving (outgoing_) or being stopped (retiring_).
  struct Group {
    std::shared_ptr<GroupProcess> process;
    int port = 0;
    uint64_t generation = 0;
  };

  Result<void> spawn(Pending why);
  Result<void> restart_internal(Pending why, bool explicit_request);
  void merge_into_queued(Pending why);
  void spawn_queued_if_gone();
  void stop_at_leading_edge(Cause cause, const std::vector<std::string>& files);
  bool crash_is_setup_problem(StateChange& change);
  void on_debounced(DebouncedRestart restart);
  void on_line(uint64_t generation, Stream stream, std::string_view text, bool cut);
  void on_ready(const ProbeResult& result);
  void on_gone(uint64_t generation, const GroupExit& exit);
  // Overlapped restarts (dev_server_overlap.cpp).
  bool can_overlap() const;
  void begin_overlap(Pending why);
  void retire_outgoing(bool through_gate);
  void retire(Group group, bool through_gate);
  void on_other_gone(uint64_t generation, const GroupExit& exit);
  void emit_deferred_stop();
  void schedule_auto_restart();
  void stop_for_restart();  // through the stop gate
  void emit(StateChange change);
  StateChange base_change(ServerState state, Cause cause, std::string reason) const;
  StateChange change_for(ServerState state, const Pending& why, std::string reason) const;

  asio::io_context& io_;
  std::unique_ptr<Clock> owned_clock_;  // when the options gave none
  Clock* clock_;
  ServerSpec spec_;
  RestartRules rules_;
  DevServerOptions options_;
  StateCallback on_state_;
  LineCallback on_line_cb_;
  OutputRing ring_;
  CrashHistory crashes_;
  RestartDebouncer debouncer_;
  Cause burst_cause_ = Cause::Change;  // cause of the debouncer's pending burst
  std::unique_ptr<Timer> auto_restart_timer_;
  std::shared_ptr<GroupProcess> process_;
  uint64_t generation_ = 0;       // of process_: tells its callbacks from an old group's
  uint64_t next_generation_ = 0;
  std::optional<int> port_;       // the port devwatch gave process_, when it gives each start one
  std::optional<Group> outgoing_;  // overlapped restart: the old group, serving until process_ is ready
  std::vector<Group> retiring_;    // old groups being stopped after the switch
  // A Stopped that waits until no old group is left (has_process() is then false).
  std::optional<StateChange> deferred_stop_;
  StopGate stop_gate_;
  RetireGate retire_gate_;
  std::unique_ptr<ReadyProber> prober_;
  std::unique_ptr<Preloader> preloader_;  // built at the first preloaded spawn of a spec
  StateChange last_;
  bool stop_requested_ = false;
  bool shut_down_ = false;
  std::optional<Pending> queued_;       // start after the current group is gone
  std::optional<int> main_status_;      // wait status once the command exited
  Pending current_;                     // why the current group was started
  std::optional<TimePoint> gone_at_;
  // Leading edge: the queued restart also waits for the debouncer's burst.
  bool await_burst_ = false;
  uint64_t spawn_seq_ = 0;  // the first output line of the current group
  SameCrashTracker same_crash_;
  std::optional<SetupProblem> setup_;
  std::vector<std::string> setup_lines_;  // the output of the crash behind setup_
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace devwatch::supervise
