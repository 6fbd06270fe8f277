#include "supervise/supervisor.h"

#include <regex>

namespace devwatch::supervise {

Result<void> validate_spec(const ServerSpec& spec) {
  auto bad = [&](const std::string& what) {
    return make_error(ErrorCode::ConfigInvalid, "server '" + spec.name + "': " + what);
  };
  if (spec.name.empty()) return make_error(ErrorCode::ConfigInvalid, "a server needs a name");
  if (spec.command.empty() || spec.command.front().empty()) return bad("command is empty");
  if (!spec.cwd.empty() && spec.cwd.front() != '/') return bad("cwd must be absolute, got '" + spec.cwd + "'");
  if (spec.stop_signal <= 0 || spec.stop_signal >= NSIG) return bad("invalid stop signal " + std::to_string(spec.stop_signal));
  if (spec.stop_timeout_ms < 0) return bad("stopTimeoutMs must not be negative");
  if (spec.output_lines == 0) return bad("outputLines must be at least 1");
  if (spec.ready.port && (*spec.ready.port < 1 || *spec.ready.port > 65535)) {
    return bad("ready port " + std::to_string(*spec.ready.port) + " is not in 1..65535");
  }
  if (spec.ready.pattern) {
    try {
      std::regex compiled(*spec.ready.pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return bad("ready pattern '" + *spec.ready.pattern + "' is not a valid regex: " + e.what());
    }
  }
  return {};
}

bool spec_change_needs_restart(const ServerSpec& a, const ServerSpec& b) {
  return a.command != b.command || a.shell != b.shell || a.cwd != b.cwd || a.env != b.env ||
         a.ready.port != b.ready.port || a.ready.host != b.ready.host || a.ready.pattern != b.ready.pattern ||
         a.stop_signal != b.stop_signal || a.stop_timeout_ms != b.stop_timeout_ms;
}

Supervisor::Supervisor(asio::io_context& io, SupervisorOptions options)
    : io_(io),
      owned_clock_(options.clock != nullptr ? nullptr : std::make_unique<AsioClock>(io)),
      options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = owned_clock_.get();
  options_.server.shim_path = options_.shim_path;
  options_.server.clock = options_.clock;
}

Supervisor::~Supervisor() = default;

Result<DevServer*> Supervisor::add(ServerSpec spec) {
  if (auto valid = validate_spec(spec); !valid) return valid.error();
  if (servers_.count(spec.name) != 0) {
    return make_error(ErrorCode::ConfigInvalid, "server '" + spec.name + "' is defined twice");
  }
  std::string name = spec.name;
  auto server = std::make_unique<DevServer>(
      io_, std::move(spec), options_.server,
      [this](const StateChange& change) {
        if (on_state_) on_state_(change);
        if (stopping_all_) check_all_stopped();
      },
      [this](const std::string& server_name, const OutputLine& line) {
        if (on_line_) on_line_(server_name, line);
      });
  DevServer* raw = server.get();
  servers_.emplace(std::move(name), std::move(server));
  return raw;
}

Result<DevServer*> Supervisor::update(ServerSpec spec) {
  DevServer* server = find(spec.name);
  if (server == nullptr) return add(std::move(spec));
  if (auto valid = validate_spec(spec); !valid) return valid.error();
  const bool changed = spec_change_needs_restart(server->spec(), spec);
  const bool restart_needed = server->has_process() && changed;
  // A server waiting on a setup problem tries again when what it runs changed.
  const bool retry = !server->has_process() && changed && server->setup_problem().has_value() &&
                     (server->state() == ServerState::Crashed || server->state() == ServerState::Backoff);
  server->set_spec(std::move(spec));
  if (restart_needed) {
    auto restarted = server->restart(Cause::Config, "configuration changed");
    if (!restarted) return restarted.error();
  } else if (retry) {
    // A failure is reported through the state callback (crashed, with its setup problem).
    auto started = server->start(Cause::Config, "configuration changed");
    (void)started;
  }
  return server;
}

Result<void> Supervisor::remove(const std::string& name) {
  auto it = servers_.find(name);
  if (it == servers_.end()) return get(name).error();
  // A restart waiting for its burst has no group, but must say it stopped.
  if (!it->second->has_process() && it->second->state() == ServerState::Stopping) {
    (void)it->second->stop(Cause::Removed, "removed");
  }
  if (it->second->has_process()) {
    return make_error(ErrorCode::InvalidServerState,
                      "server " + name + " is " + state_name(it->second->state()) + "; stop it before removing it");
  }
  servers_.erase(it);
  return {};
}

DevServer* Supervisor::find(const std::string& name) {
  auto it = servers_.find(name);
  return it == servers_.end() ? nullptr : it->second.get();
}

const DevServer* Supervisor::find(const std::string& name) const {
  auto it = servers_.find(name);
  return it == servers_.end() ? nullptr : it->second.get();
}

Result<DevServer*> Supervisor::get(const std::string& name) {
  if (DevServer* server = find(name)) return server;
  std::string known;
  for (const auto& [key, value] : servers_) known += (known.empty() ? "" : ", ") + key;
  return make_error(ErrorCode::UnknownServer, "unknown dev server '" + name + "'" +
                                                  (known.empty() ? " (none configured)" : " (known: " + known + ")"));
}

std::vector<DevServer*> Supervisor::servers() {
  std::vector<DevServer*> out;
  for (auto& [name, server] : servers_) out.push_back(server.get());
  return out;
}

Result<void> Supervisor::start(const std::string& name, Cause cause, const std::string& reason) {
  auto server = get(name);
  if (!server) return server.error();
  return (*server)->start(cause, reason);
}

Result<void> Supervisor::stop(const std::string& name, Cause cause, const std::string& reason) {
  auto server = get(name);
  if (!server) return server.error();
  return (*server)->stop(cause, reason);
}

Result<void> Supervisor::restart(const std::string& name, Cause cause, const std::string& reason) {
  auto server = get(name);
  if (!server) return server.error();
  return (*server)->restart(cause, reason);
}

void Supervisor::start_auto(const std::string& reason) {
  for (auto& [name, server] : servers_) {
    if (!server->spec().auto_start || server->has_process()) continue;
    // A failure is already reported through the state callback (crashed).
    auto ignored = server->start(Cause::AutoStart, reason);
    (void)ignored;
  }
}

void Supervisor::on_changes(const std::vector<std::string>& paths) {
  for (auto& [name, server] : servers_) {
    std::vector<std::string> mine;
    for (const auto& path : paths) {
      if (server->relevant(path)) mine.push_back(path);
    }
    if (!mine.empty()) server->request_restart(Cause::Change, "files changed", mine);
  }
}

void Supervisor::stop_all(std::function<void()> done, const std::string& reason) {
  stopping_all_ = true;
  if (done) stop_waiters_.push_back(std::move(done));
  for (auto& [name, server] : servers_) server->shutdown(reason);
  check_all_stopped();
}

void Supervisor::check_all_stopped() {
  for (auto& [name, server] : servers_) {
    if (server->has_process()) return;
  }
  auto waiters = std::move(stop_waiters_);
  stop_waiters_.clear();
  for (auto& waiter : waiters) asio::post(io_, std::move(waiter));
}

}  // namespace devwatch::supervise
