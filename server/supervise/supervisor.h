// Owns every dev server of a session by name: add/remove, start/stop/restart
// by name with UnknownServer errors, config updates (the one place that
// decides whether a spec change needs a restart), change fan-out (each server
// decides relevance with its own RestartRules), and stop_all for exit, which
// calls back once every process group is gone.
// Threading: not thread-safe; construct, call and destroy on the loop thread
// (the thread that runs the io_context and lives as long as devwatch).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "supervise/asio_include.h"

#include "common/error.h"
#include "supervise/dev_server.h"
#include "supervise/spec.h"

namespace devwatch::supervise {

struct SupervisorOptions {
  // Production: "/proc/self/exe" (devwatch re-executes itself as the shim).
  std::string shim_path = "/proc/self/exe";
  DevServerOptions server{};  // its shim_path and clock are replaced by these
  // Every server's time and timers. Null: an AsioClock on the io_context,
  // owned by the supervisor. Otherwise it must outlive the supervisor.
  Clock* clock = nullptr;
};

class Supervisor {
 public:
  explicit Supervisor(asio::io_context& io, SupervisorOptions options = {});
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Set before add(); every server reports through these.
  void on_state_change(DevServer::StateCallback callback) { on_state_ = std::move(callback); }
  void on_output(DevServer::LineCallback callback) { on_line_ = std::move(callback); }

  // ConfigInvalid for a duplicate name or an unusable spec (empty command,
  // relative cwd, bad port or pattern). Does not start the server.
  Result<DevServer*> add(ServerSpec spec);
  // Config reload: adds an unknown server; otherwise replaces its spec and, if
  // it is running and spec_change_needs_restart(), restarts it (Cause::Config,
  // reason "configuration changed"); a server crashed with a setup problem
  // is started again (Cause::Config) when such a change arrives. Relevance,
  // autoRestart and outputLines apply without a restart.
  Result<DevServer*> update(ServerSpec spec);
  // Only a server without a running group can be removed (stop it first).
  Result<void> remove(const std::string& name);

  DevServer* find(const std::string& name);
  const DevServer* find(const std::string& name) const;
  Result<DevServer*> get(const std::string& name);  // UnknownServer names the known servers
  std::vector<DevServer*> servers();                 // sorted by name

  Result<void> start(const std::string& name, Cause cause, const std::string& reason = "start requested");
  Result<void> stop(const std::string& name, Cause cause, const std::string& reason = "stop requested");
  Result<void> restart(const std::string& name, Cause cause, const std::string& reason = "restart requested");
  // Starts every server with auto_start (Cause::AutoStart).
  void start_auto(const std::string& reason = "autoStart");

  // Changed files (absolute paths): each server gets a debounced restart
  // request (Cause::Change) with the files its restart rules find relevant.
  void on_changes(const std::vector<std::string>& paths);

  // Stops everything (Cause::Shutdown), never restarts again, and calls
  // `done` (posted on the loop) once every process group is gone.
  void stop_all(std::function<void()> done, const std::string& reason = "devwatch is exiting");

 private:
  void check_all_stopped();

  asio::io_context& io_;
  std::unique_ptr<Clock> owned_clock_;  // when the options gave none
  SupervisorOptions options_;
  DevServer::StateCallback on_state_;
  DevServer::LineCallback on_line_;
  std::map<std::string, std::unique_ptr<DevServer>> servers_;
  std::vector<std::function<void()>> stop_waiters_;
  bool stopping_all_ = false;
};

// Checks what a spec must hold before it can run (used by Supervisor::add).
Result<void> validate_spec(const ServerSpec& spec);
// True when a running server must restart to apply `next` over `current`:
// what it runs changed (command, shell, cwd, env), how it is probed (ready
// port, host, pattern) or how it is stopped (stopSignal, stopTimeoutMs).
// restartOn, ignore, autoRestart and outputLines take effect live (set_spec),
// and name, root and autoStart do not concern a running server.
bool spec_change_needs_restart(const ServerSpec& a, const ServerSpec& b);

}  // namespace devwatch::supervise
