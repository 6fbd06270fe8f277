// DevServer's operations: start, stop, restart and shutdown in every state
// (the table in docs/supervision.md). Change-driven restarts are in
// dev_server_change.cpp, the group's life after a spawn in dev_server_run.cpp.
#include "supervise/dev_server.h"

#include <spdlog/spdlog.h>

#include "supervise/upstream_port.h"

namespace devwatch::supervise {

DevServer::DevServer(asio::io_context& io, ServerSpec spec, DevServerOptions options, StateCallback on_state,
                     LineCallback on_line)
    : io_(io),
      owned_clock_(options.clock != nullptr ? nullptr : std::make_unique<AsioClock>(io)),
      clock_(options.clock != nullptr ? options.clock : owned_clock_.get()),
      spec_(std::move(spec)),
      rules_(spec_),
      options_(std::move(options)),
      on_state_(std::move(on_state)),
      on_line_cb_(std::move(on_line)),
      ring_(spec_.output_lines),
      crashes_(*clock_, options_.backoff_crashes, options_.backoff_window),
      debouncer_(*clock_, spec_.root, options_.debounce, [this](DebouncedRestart r) { on_debounced(std::move(r)); }),
      auto_restart_timer_(clock_->make_timer()) {
  last_ = base_change(ServerState::Stopped, Cause::Request, "not started yet");
}

DevServer::~DevServer() {
  alive_.reset();
  debouncer_.cancel();
  auto_restart_timer_->cancel();
  prober_.reset();
  process_.reset();
  outgoing_.reset();
  retiring_.clear();
}

void DevServer::set_spec(ServerSpec spec) {
  // A zygote is built for one command, cwd and environment: any change makes
  // a new one at the next spawn (the old one is stopped now).
  if (spec.preload != spec_.preload || spec.command != spec_.command || spec.shell != spec_.shell ||
      spec.cwd != spec_.cwd || spec.env != spec_.env) {
    preloader_.reset();
  }
  spec_ = std::move(spec);
  rules_ = RestartRules(spec_);
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

DevServer::Pending DevServer::why(Cause cause, std::string reason, std::vector<std::string> files) {
  Pending pending;
  pending.cause = cause;
  pending.reason = std::move(reason);
  pending.changed_count = files.size();
  pending.changed_files = std::move(files);
  return pending;
}

StateChange DevServer::base_change(ServerState state, Cause cause, std::string reason) const {
  StateChange change;
  change.name = spec_.name;
  change.state = state;
  change.cause = cause;
  if (process_) change.pid = process_->pid();
  if (process_ && port_) change.port = port_;
  if (outgoing_) change.serving_port = outgoing_->port;
  change.reason = std::move(reason);
  return change;
}

StateChange DevServer::change_for(ServerState state, const Pending& why, std::string reason) const {
  StateChange change = base_change(state, why.cause, std::move(reason));
  change.changed_files = why.changed_files;
  change.changed_count = why.changed_count;
  return change;
}

void DevServer::emit(StateChange change) {
  if (change.state == ServerState::Stopped && (outgoing_ || !retiring_.empty())) {
    // Stopped means no process is left: wait for the old groups too.
    deferred_stop_ = std::move(change);
    return;
  }
  last_ = std::move(change);
  spdlog::debug("dev server {}: {} ({}: {})", last_.name, state_name(last_.state), cause_name(last_.cause),
                last_.reason);
  if (on_state_) {
    StateChange copy = last_;  // the callback may change state again
    on_state_(copy);
  }
}

Result<void> DevServer::start(Cause cause, const std::string& reason) {
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
      if (!queued_) queued_ = why(cause, reason);
      return {};
    case ServerState::Backoff:
      crashes_.reset();
      [[fallthrough]];
    case ServerState::Stopped:
    case ServerState::Crashed:
      auto_restart_timer_->cancel();
      return spawn(why(cause, reason));
  }
  return {};
}

Result<void> DevServer::stop(Cause cause, const std::string& reason) {
  debouncer_.cancel();
  retire_outgoing(false);  // an explicit stop ends an overlapped restart's old group too
  switch (state()) {
    case ServerState::Starting:
    case ServerState::Ready:
      queued_.reset();
      stop_requested_ = true;
      prober_.reset();
      process_->stop();
      emit(base_change(ServerState::Stopping, cause, reason));
      return {};
    case ServerState::Stopping:
      await_burst_ = false;
      if (!process_) {
        // A leading-edge restart whose old group is gone already.
        queued_.reset();
        emit(base_change(ServerState::Stopped, cause, reason));
        return {};
      }
      if (queued_) {
        queued_.reset();  // an explicit stop cancels the queued restart
        emit(base_change(ServerState::Stopping, cause, reason));
      }
      return {};
    case ServerState::Crashed:
    case ServerState::Backoff:
      auto_restart_timer_->cancel();
      setup_.reset();
      emit(base_change(ServerState::Stopped, cause, reason));
      return {};
    case ServerState::Stopped:
      break;
  }
  return make_error(ErrorCode::InvalidServerState, "server " + spec_.name + " is already stopped");
}

Result<void> DevServer::restart(Cause cause, const std::string& reason, const std::vector<std::string>& changed_files) {
  if (shut_down_) {
    return make_error(ErrorCode::InvalidServerState, "cannot restart " + spec_.name + ": devwatch is shutting down");
  }
  debouncer_.cancel();  // this explicit restart covers any pending change
  await_burst_ = false;
  return restart_internal(why(cause, reason, changed_files), true);
}

Result<void> DevServer::restart_internal(Pending why, bool explicit_request) {
  switch (state()) {
    case ServerState::Starting:
    case ServerState::Ready: {
      if (can_overlap()) {
        begin_overlap(std::move(why));
        return {};
      }
      std::string refusal = overlap_refusal(spec_);
      StateChange change = change_for(ServerState::Stopping, why,
                                      "restarting: " + why.reason + (refusal.empty() ? "" : " (" + refusal + ")"));
      change.restarting = true;
      queued_ = std::move(why);
      stop_requested_ = true;
      prober_.reset();
      stop_for_restart();
      emit(std::move(change));
      return {};
    }
    case ServerState::Stopping:
      merge_into_queued(std::move(why));
      spawn_queued_if_gone();
      return {};
    case ServerState::Backoff:
      // An explicit request, or a change after a quiet period, leaves backoff.
      crashes_.reset();
      [[fallthrough]];
    case ServerState::Stopped:
    case ServerState::Crashed:
      if (explicit_request) crashes_.reset();
      auto_restart_timer_->cancel();
      return spawn(std::move(why));
  }
  return {};
}

void DevServer::shutdown(const std::string& reason) {
  shut_down_ = true;
  preloader_.reset();  // stops the zygote; it must not outlive its server
  debouncer_.cancel();
  auto_restart_timer_->cancel();
  queued_.reset();
  await_burst_ = false;
  retire_outgoing(false);
  if (state() == ServerState::Starting || state() == ServerState::Ready ||
      (state() == ServerState::Stopping && !process_)) {
    auto ignored = stop(Cause::Shutdown, reason);
    (void)ignored;
  }
}

}  // namespace devwatch::supervise
