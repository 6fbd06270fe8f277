// DevServer's group life: spawning a group, its output, the ready probe, the
// group being gone (a stop, a restart's second half, or a crash), backoff and
// the automatic restart. The operations that lead here are in dev_server.cpp.
#include <sys/wait.h>

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

#include "supervise/dev_server.h"
#include "supervise/upstream_port.h"
#include "supervise/wait_status.h"

namespace devwatch::supervise {

namespace {

double ms_between(TimePoint from, TimePoint to) { return std::chrono::duration<double, std::milli>(to - from).count(); }

}  // namespace

Result<void> DevServer::spawn(Pending why) {
  deferred_stop_.reset();
  // What this group runs: the spec, with a fresh port of its own when its
  // restarts overlap (the old group may still hold the previous one).
  ServerSpec run = spec_;
  std::optional<int> port;
  if (overlapped_restarts(spec_)) {
    auto free = free_loopback_port();
    if (!free) {
      retire_outgoing(true);
      emit(change_for(ServerState::Crashed, why, "cannot start: " + free.error().message));
      return free.error();
    }
    port = apply_upstream_port(run, *free);
  }
  auto prober = ReadyProber::create(io_, *clock_, run.ready, options_.probe);
  if (!prober) {
    retire_outgoing(true);
    emit(change_for(ServerState::Crashed, why, "cannot start: " + prober.error().message));
    return prober.error();
  }
  ring_.set_capacity(spec_.output_lines);

  SpawnRequest request;
  request.shim_path = options_.shim_path;
  request.argv = effective_argv(run);
  request.cwd = spec_.cwd;
  request.env = run.env;
  request.policy = stop_policy_for(spec_);
  request.death_timeout_ms = std::min(options_.death_timeout_ms, spec_.stop_timeout_ms);
  request.max_line = options_.max_line;
  std::optional<StartInfo> cold;  // a preloaded start declined before asking the zygote
  if (spec_.preload.enabled) {
    if (!preloader_ && options_.preloader_factory) preloader_ = options_.preloader_factory(spec_);
    PreloadChoice choice = preloader_ ? preloader_->before_spawn()
                                      : PreloadChoice{"", "preloading is not available in this devwatch"};
    request.zygote_socket = choice.socket;
    if (choice.socket.empty()) cold = StartInfo{StartMode::Cold, choice.cold_reason, std::nullopt};
  }

  std::weak_ptr<int> alive = alive_;
  const uint64_t generation = ++next_generation_;
  GroupCallbacks callbacks;
  callbacks.on_line = [this, alive, generation](Stream stream, std::string_view text, bool cut) {
    if (!alive.expired()) on_line(generation, stream, text, cut);
  };
  callbacks.on_main_exit = [this, alive, generation](int status) {
    if (!alive.expired() && generation == generation_) main_status_ = status;
  };
  callbacks.on_stop_step = [this, alive](const StopStep& step) {
    if (!alive.expired() && step.signal == SIGKILL) {
      spdlog::info("dev server {}: escalating to SIGKILL for its process group", spec_.name);
    }
  };
  callbacks.on_gone = [this, alive, generation](const GroupExit& exit) {
    if (!alive.expired()) on_gone(generation, exit);
  };

  main_status_.reset();
  stop_requested_ = false;
  auto spawned = GroupProcess::spawn(io_, request, std::move(callbacks), clock_);
  if (!spawned) {
    gone_at_.reset();
    // Retrying cannot help until the config or the filesystem changes, so an
    // exec failure never triggers an automatic restart, and edits do not retry it.
    SetupProblem problem = exec_problem(spec_, spawned.error());
    retire_outgoing(true);
    Error error = spawned.error();
    error.message = problem.message;
    StateChange change = change_for(ServerState::Crashed, why, problem.message);
    change.setup = problem;
    setup_ = std::move(problem);
    setup_lines_.clear();
    emit(std::move(change));
    return error;
  }
  process_ = std::move(spawned.value());
  generation_ = generation;
  port_ = port;
  prober_ = std::move(prober.value());
  setup_.reset();
  spawn_seq_ = ring_.next_seq();

  StateChange change = change_for(
      ServerState::Starting, why,
      outgoing_ ? why.reason + " (overlapped: the old server serves until this one is ready)" : why.reason);
  change.start = process_->start_info() ? process_->start_info() : cold;
  if (preloader_ && process_->start_info()) preloader_->after_spawn(*process_->start_info());
  if (change.start && change.start->mode == StartMode::Cold) {
    spdlog::info("dev server {}: cold start: {}", spec_.name, change.start->reason);
  }
  if (why.first_event_at) change.timings.event_to_spawn_ms = ms_between(*why.first_event_at, process_->spawned_at());
  if (gone_at_) change.timings.gone_to_spawn_ms = ms_between(*gone_at_, process_->spawned_at());
  gone_at_.reset();
  current_ = std::move(why);
  emit(change);

  if (prober_) {
    prober_->start([this, alive](const ProbeResult& result) {
      if (!alive.expired()) on_ready(result);
    });
  }
  return {};
}

void DevServer::on_line(uint64_t generation, Stream stream, std::string_view text, bool cut) {
  OutputLine line = ring_.push(stream, std::string(text), cut);
  if (on_line_cb_) on_line_cb_(spec_.name, line);
  // An old group's "listening" line says nothing about the new one.
  if (prober_ && generation == generation_) prober_->on_line(line.text);
}

void DevServer::on_ready(const ProbeResult& result) {
  if (state() != ServerState::Starting || stop_requested_ || main_status_ || !process_) return;
  same_crash_.ready();
  // The switch: Ready (with the new port) first, so the proxy forwards new
  // requests there, then the old group is stopped behind its last answers.
  const bool switching = outgoing_.has_value();
  Group old;
  if (switching) old = std::move(*outgoing_);
  outgoing_.reset();
  const double ready_ms = ms_between(process_->spawned_at(), result.ready_at);
  StateChange change =
      change_for(ServerState::Ready, current_, "ready in " + std::to_string(std::llround(ready_ms)) + " ms");
  change.ready_ms = std::llround(ready_ms);
  change.timings = last_.timings;
  change.start = last_.start;
  change.timings.spawn_to_ready_ms = ready_ms;
  change.timings.probe_slack_ms = result.probe_slack_ms;
  emit(std::move(change));
  if (switching) retire(std::move(old), true);
}

void DevServer::on_gone(uint64_t generation, const GroupExit& exit) {
  if (generation != generation_ || !process_) return on_other_gone(generation, exit);
  // Keep the process object alive until this call returns: it is the caller.
  std::shared_ptr<GroupProcess> finished = std::move(process_);
  prober_.reset();
  gone_at_ = clock_->now();
  const std::optional<int> status = main_status_ ? main_status_ : exit.wait_status;

  auto fill = [&](StateChange& change) {
    change.pid = finished->pid();
    if (status && WIFEXITED(*status)) change.exit_code = WEXITSTATUS(*status);
    if (status && WIFSIGNALED(*status)) change.signal = WTERMSIG(*status);
    change.stop_steps = exit.steps;
    change.killed = exit.killed;
    if (!exit.note.empty()) spdlog::warn("dev server {}: {}", spec_.name, exit.note);
  };

  if (stop_requested_) {
    stop_requested_ = false;
    if (queued_ && !shut_down_) {
      // A leading-edge restart also waits for its burst to settle (on_debounced).
      if (await_burst_) return;
      // A restart: the old group is completely gone, so the port is free.
      Pending next = std::move(*queued_);
      queued_.reset();
      auto ignored = spawn(std::move(next));
      (void)ignored;
      return;
    }
    queued_.reset();
    std::string reason = last_.reason;
    if (exit.killed && !exit.steps.empty() && exit.steps.front().signal != SIGKILL) {
      reason += "; it did not stop within " + std::to_string(exit.steps.front().timeout_ms) + " ms of " +
                signal_name(exit.steps.front().signal) + ", so its process group was killed with SIGKILL";
    }
    // Stopped carries the cause of the stop that led here.
    StateChange change = base_change(ServerState::Stopped, last_.cause, std::move(reason));
    fill(change);
    emit(std::move(change));
    return;
  }

  gone_at_.reset();
  // A new group that crashed ends an overlapped restart: the proxy shows
  // the crash, not the old code.
  retire_outgoing(true);
  std::string reason = status ? (WIFEXITED(*status) ? "exited with code " + std::to_string(WEXITSTATUS(*status))
                                                     : "killed by " + signal_name(WTERMSIG(*status)))
                              : "its process group ended";
  reason = "crashed: " + reason;
  if (!exit.note.empty()) reason += " (" + exit.note + ")";
  StateChange change = base_change(ServerState::Crashed, Cause::ProcessExit, reason);
  fill(change);
  change.last_lines = ring_.last(options_.crash_lines);
  if (shut_down_) {
    emit(std::move(change));
    return;
  }
  const bool limit_hit = crashes_.record();
  if (crash_is_setup_problem(change)) {
    // A backoff with a verdict: edits no longer retry it (request_restart).
    change.state = ServerState::Backoff;
    emit(std::move(change));
    return;
  }
  if (limit_hit) {
    change.state = ServerState::Backoff;
    change.reason += "; crashed " + std::to_string(crashes_.limit()) + " times within " +
                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(crashes_.window()).count()) +
                     " s, so it is not restarted automatically until a restart request or a relevant change";
    emit(std::move(change));
    return;
  }
  if (!spec_.auto_restart) {
    change.reason += "; waiting for a change or a restart request (autoRestart is off)";
    emit(std::move(change));
    return;
  }
  emit(std::move(change));
  schedule_auto_restart();
}

// As many identical crashes in a row as make a backoff, and never ready:
// a setup problem (docs/supervision.md). No automatic restart, and edits no
// longer restart it (request_restart).
bool DevServer::crash_is_setup_problem(StateChange& change) {
  std::vector<OutputLine> lines = ring_.lines_from(spawn_seq_).lines;
  CrashSignature signature = crash_signature(change.exit_code, change.signal, lines);
  const std::size_t count = same_crash_.record(signature);
  if (count < options_.backoff_crashes) return false;
  SetupProblem problem = same_crash_problem(spec_, signature, count, lines);
  change.reason += "; " + problem.message;
  change.setup = problem;
  setup_ = std::move(problem);
  setup_lines_.clear();
  const std::size_t keep = std::min<std::size_t>(lines.size(), 200);
  for (auto it = lines.end() - static_cast<std::ptrdiff_t>(keep); it != lines.end(); ++it) {
    setup_lines_.push_back(std::move(it->text));
  }
  return true;
}

void DevServer::schedule_auto_restart() {
  const size_t n = std::max<size_t>(crashes_.recent(), 1);
  auto delay = std::chrono::milliseconds(options_.auto_restart_base.count() << std::min<size_t>(n - 1, 10));
  delay = std::min(delay, options_.auto_restart_max);
  // The timer is ours: cancelled or destroyed with us, it never fires late.
  clock_->start_after(*auto_restart_timer_, delay, [this] {
    if (shut_down_ || state() != ServerState::Crashed) return;
    auto ignored = spawn(why(Cause::AutoRestart, "automatic restart after a crash"));
    (void)ignored;
  });
}

}  // namespace devwatch::supervise
