#include "supervise/dev_server.h"

#include <sys/wait.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "supervise/errno_text.h"

namespace devwatch::supervise {

namespace {

double ms_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

std::string describe_changes(const DebouncedRestart& r) {
  std::string text;
  if (r.changed_count == 0) {
    text = r.reason;
  } else if (r.changed_count == 1 && !r.changed_files.empty()) {
    text = r.changed_files.front() + " changed";
  } else {
    text = std::to_string(r.changed_count) + " files changed";
  }
  if (r.lock_cap_hit) {
    text += "; .git/index.lock was still there after " + std::to_string(r.lock_waited.count()) +
            " ms, restarted anyway";
  } else if (r.lock_waited.count() > 0) {
    text += "; waited " + std::to_string(r.lock_waited.count()) + " ms for .git/index.lock to go";
  }
  return text;
}

}  // namespace

const char* state_name(ServerState state) {
  switch (state) {
    case ServerState::Stopped: return "stopped";
    case ServerState::Starting: return "starting";
    case ServerState::Ready: return "ready";
    case ServerState::Stopping: return "stopping";
    case ServerState::Crashed: return "crashed";
    case ServerState::Backoff: return "backoff";
  }
  return "unknown";
}

DevServer::DevServer(asio::io_context& io, ServerSpec spec, DevServerOptions options, StateCallback on_state,
                     LineCallback on_line)
    : io_(io),
      spec_(std::move(spec)),
      options_(std::move(options)),
      on_state_(std::move(on_state)),
      on_line_cb_(std::move(on_line)),
      ring_(spec_.output_lines),
      crashes_(options_.backoff_crashes, options_.backoff_window, options_.now),
      debouncer_(io, spec_.root, options_.debounce,
                 [this](DebouncedRestart r) {
                   if (shut_down_ || state() == ServerState::Stopped) return;
                   Pending why{describe_changes(r), std::move(r.changed_files), r.first_event_at};
                   auto result = restart_internal(std::move(why), false);
                   if (!result) spdlog::warn("restart of {} after changes failed: {}", spec_.name, result.error().message);
                 }),
      auto_restart_timer_(io) {
  last_ = base_change(ServerState::Stopped, "not started yet");
}

DevServer::~DevServer() {
  alive_.reset();
  debouncer_.cancel();
  auto_restart_timer_.cancel();
  prober_.reset();
  process_.reset();
}

void DevServer::set_spec(ServerSpec spec) {
  spec_ = std::move(spec);
  debouncer_.set_root(spec_.root);
  ring_.set_capacity(spec_.output_lines);
}

std::optional<pid_t> DevServer::pid() const {
  if (!process_) return std::nullopt;
  return process_->pid();
}

std::optional<pid_t> DevServer::shim_pid() const {
  if (!process_) return std::nullopt;
  return process_->shim_pid();
}

StateChange DevServer::base_change(ServerState state, std::string reason) const {
  StateChange change;
  change.name = spec_.name;
  change.state = state;
  if (process_) change.pid = process_->pid();
  change.reason = std::move(reason);
  return change;
}

void DevServer::emit(StateChange change) {
  last_ = std::move(change);
  spdlog::debug("dev server {}: {} ({})", last_.name, state_name(last_.state), last_.reason);
  if (on_state_) {
    StateChange copy = last_;  // the callback may change state again
    on_state_(copy);
  }
}

Result<void> DevServer::start(const std::string& reason) {
  if (shut_down_) {
    return make_error(ErrorCode::InvalidServerState, "cannot start " + spec_.name + ": devwatch is shutting down");
  }
  switch (state()) {
    case ServerState::Starting:
    case ServerState::Ready:
      return make_error(ErrorCode::InvalidServerState,
                        "server " + spec_.name + " is already " + state_name(state()) + " (pid " +
                            std::to_string(pid().value_or(0)) + "); use restart to restart it");
    case ServerState::Stopping:
      if (!queued_) queued_ = Pending{reason, {}, std::nullopt};
      return {};
    case ServerState::Backoff:
      crashes_.reset();
      [[fallthrough]];
    case ServerState::Stopped:
    case ServerState::Crashed:
      auto_restart_timer_.cancel();
      return spawn(Pending{reason, {}, std::nullopt});
  }
  return {};
}

Result<void> DevServer::stop(const std::string& reason) {
  debouncer_.cancel();
  switch (state()) {
    case ServerState::Starting:
    case ServerState::Ready:
      queued_.reset();
      stop_requested_ = true;
      prober_.reset();
      process_->stop();
      emit(base_change(ServerState::Stopping, reason));
      return {};
    case ServerState::Stopping:
      if (queued_) {
        queued_.reset();  // an explicit stop cancels the queued restart
        emit(base_change(ServerState::Stopping, reason));
      }
      return {};
    case ServerState::Crashed:
    case ServerState::Backoff:
      auto_restart_timer_.cancel();
      emit(base_change(ServerState::Stopped, reason));
      return {};
    case ServerState::Stopped:
      break;
  }
  return make_error(ErrorCode::InvalidServerState, "server " + spec_.name + " is already stopped");
}

Result<void> DevServer::restart(const std::string& reason, const std::vector<std::string>& changed_files) {
  if (shut_down_) {
    return make_error(ErrorCode::InvalidServerState, "cannot restart " + spec_.name + ": devwatch is shutting down");
  }
  debouncer_.cancel();  // this explicit restart covers any pending change
  return restart_internal(Pending{reason, changed_files, std::nullopt}, true);
}

Result<void> DevServer::restart_internal(Pending why, bool explicit_request) {
  switch (state()) {
    case ServerState::Starting:
    case ServerState::Ready: {
      StateChange change = base_change(ServerState::Stopping, "restarting: " + why.reason);
      change.changed_files = why.changed_files;
      queued_ = std::move(why);
      stop_requested_ = true;
      prober_.reset();
      process_->stop();
      emit(std::move(change));
      return {};
    }
    case ServerState::Stopping:
      if (!queued_) {
        queued_ = std::move(why);
        return {};
      }
      // Queued once, never stacked: merge into the restart already waiting.
      for (auto& file : why.changed_files) {
        if (std::find(queued_->changed_files.begin(), queued_->changed_files.end(), file) ==
            queued_->changed_files.end()) {
          queued_->changed_files.push_back(std::move(file));
        }
      }
      if (!queued_->first_event_at) queued_->first_event_at = why.first_event_at;
      return {};
    case ServerState::Backoff:
      // An explicit request, or a change after a quiet period, leaves backoff.
      crashes_.reset();
      [[fallthrough]];
    case ServerState::Stopped:
    case ServerState::Crashed:
      if (explicit_request) crashes_.reset();
      auto_restart_timer_.cancel();
      return spawn(std::move(why));
  }
  return {};
}

void DevServer::request_restart(const std::string& reason, const std::vector<std::string>& changed_files) {
  if (shut_down_ || state() == ServerState::Stopped) return;
  auto settle = state() == ServerState::Backoff ? std::max(options_.backoff_quiet, options_.debounce.settle)
                                                : std::chrono::milliseconds(-1);
  debouncer_.request(reason, changed_files, settle);
}

void DevServer::shutdown(const std::string& reason) {
  shut_down_ = true;
  debouncer_.cancel();
  auto_restart_timer_.cancel();
  queued_.reset();
  if (state() == ServerState::Starting || state() == ServerState::Ready) {
    auto ignored = stop(reason);
    (void)ignored;
  }
}

Result<void> DevServer::spawn(Pending why) {
  auto prober = ReadyProber::create(io_, spec_.ready, options_.probe);
  if (!prober) {
    StateChange change = base_change(ServerState::Crashed, "cannot start: " + prober.error().message);
    change.changed_files = why.changed_files;
    emit(std::move(change));
    return prober.error();
  }
  ring_.set_capacity(spec_.output_lines);

  SpawnRequest request;
  request.shim_path = options_.shim_path;
  request.argv = effective_argv(spec_);
  request.cwd = spec_.cwd;
  request.env = spec_.env;
  request.policy = stop_policy_for(spec_);
  request.death_timeout_ms = std::min(options_.death_timeout_ms, spec_.stop_timeout_ms);
  request.max_line = options_.max_line;

  std::weak_ptr<int> alive = alive_;
  GroupCallbacks callbacks;
  callbacks.on_line = [this, alive](Stream stream, std::string_view text, bool cut) {
    if (!alive.expired()) on_line(stream, text, cut);
  };
  callbacks.on_main_exit = [this, alive](int status) {
    if (!alive.expired()) main_status_ = status;
  };
  callbacks.on_stop_step = [this, alive](const StopStep& step) {
    if (!alive.expired() && step.signal == SIGKILL) {
      spdlog::info("dev server {}: escalating to SIGKILL for its process group", spec_.name);
    }
  };
  callbacks.on_gone = [this, alive](const GroupExit& exit) {
    if (!alive.expired()) on_gone(exit);
  };

  main_status_.reset();
  stop_requested_ = false;
  auto spawned = GroupProcess::spawn(io_, request, std::move(callbacks));
  if (!spawned) {
    gone_at_.reset();
    // Retrying cannot help until the config or the filesystem changes, so an
    // exec failure never triggers an automatic restart.
    StateChange change = base_change(ServerState::Crashed, spawned.error().message);
    change.changed_files = why.changed_files;
    emit(std::move(change));
    return spawned.error();
  }
  process_ = std::move(spawned.value());
  prober_ = std::move(prober.value());

  StateChange change = base_change(ServerState::Starting, why.reason);
  change.changed_files = why.changed_files;
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

void DevServer::on_line(Stream stream, std::string_view text, bool cut) {
  OutputLine line = ring_.push(stream, std::string(text), cut);
  if (on_line_cb_) on_line_cb_(spec_.name, line);
  if (prober_) prober_->on_line(line.text);
}

void DevServer::on_ready(const ProbeResult& result) {
  if (state() != ServerState::Starting || stop_requested_ || main_status_ || !process_) return;
  const double ready_ms = ms_between(process_->spawned_at(), result.ready_at);
  StateChange change = base_change(ServerState::Ready, "ready in " + std::to_string(std::llround(ready_ms)) + " ms");
  change.changed_files = current_.changed_files;
  change.ready_ms = std::llround(ready_ms);
  change.timings = last_.timings;
  change.timings.spawn_to_ready_ms = ready_ms;
  change.timings.probe_slack_ms = result.probe_slack_ms;
  emit(std::move(change));
}

void DevServer::on_gone(const GroupExit& exit) {
  // Keep the process object alive until this call returns: it is the caller.
  std::shared_ptr<GroupProcess> finished = std::move(process_);
  prober_.reset();
  gone_at_ = SteadyClock::now();
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
      // A restart: the old group is completely gone, so the port is free.
      Pending why = std::move(*queued_);
      queued_.reset();
      auto ignored = spawn(std::move(why));
      (void)ignored;
      return;
    }
    queued_.reset();
    std::string reason = last_.reason;
    if (exit.killed && !exit.steps.empty() && exit.steps.front().signal != SIGKILL) {
      reason += "; it did not stop within " + std::to_string(exit.steps.front().timeout_ms) + " ms of " +
                signal_name(exit.steps.front().signal) + ", so its process group was killed with SIGKILL";
    }
    StateChange change = base_change(ServerState::Stopped, std::move(reason));
    fill(change);
    emit(std::move(change));
    return;
  }

  gone_at_.reset();
  std::string reason = status ? (WIFEXITED(*status) ? "exited with code " + std::to_string(WEXITSTATUS(*status))
                                                     : "killed by " + signal_name(WTERMSIG(*status)))
                              : "its process group ended";
  reason = "crashed: " + reason;
  if (!exit.note.empty()) reason += " (" + exit.note + ")";
  StateChange change = base_change(ServerState::Crashed, reason);
  fill(change);
  change.last_lines = ring_.last(options_.crash_lines);
  if (shut_down_) {
    emit(std::move(change));
    return;
  }
  if (crashes_.record()) {
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

void DevServer::schedule_auto_restart() {
  const size_t n = std::max<size_t>(crashes_.recent(), 1);
  auto delay = std::chrono::milliseconds(options_.auto_restart_base.count() << std::min<size_t>(n - 1, 10));
  delay = std::min(delay, options_.auto_restart_max);
  auto_restart_timer_.expires_after(delay);
  std::weak_ptr<int> alive = alive_;
  auto_restart_timer_.async_wait([this, alive](const asio::error_code& ec) {
    if (alive.expired() || ec || shut_down_ || state() != ServerState::Crashed) return;
    auto ignored = spawn(Pending{"automatic restart after a crash", {}, std::nullopt});
    (void)ignored;
  });
}

std::string exit_description(const StateChange& change) {
  if (change.signal) return "killed by " + signal_name(*change.signal);
  if (change.exit_code) return "exit " + std::to_string(*change.exit_code);
  return "exited";
}

}  // namespace devwatch::supervise
