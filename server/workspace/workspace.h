// The workspace: every folder (a Root each), the one Watcher they share, the
// one Supervisor of their dev servers, names unique per window (qualified by
// folder on a clash), trust and the client's overrides, and stop_all. It
// knows nothing of JSON-RPC or consoles: views (session/, cli/run_command)
// drive it with calls that return values and hear from it through typed
// events (events.h).
// Threading: loop thread only; construct, call and destroy there.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/error.h"
#include "config/load.h"
#include "supervise/supervisor.h"
#include "watch/watcher.h"
#include "workspace/events.h"
#include "workspace/root.h"

namespace devwatch::workspace {

// What the client (or the command line) says over every folder's configuration.
struct Overrides {
  nlohmann::json settings;           // devwatch.json-shaped, merged over each root's file (JSON by nature)
  bool trusted = true;               // false: never run commands from workspace configuration
  std::optional<bool> auto_start;    // overrides every server's autoStart
  std::optional<bool> auto_restart;  // overrides every server's autoRestart
  std::optional<bool> preload;       // turns every server's preload on (its modules kept) or off
  // Applied last to every spec (devwatch run's flags).
  std::function<void(supervise::ServerSpec&)> adjust;
  // Where a folder's configuration comes from. Default: devwatch.json merged
  // with `settings`, else a detected Django project (config/load.h).
  std::function<Result<config::LoadedConfig>(const std::string& root)> load;
};

struct WorkspaceOptions {
  std::string shim_path = "/proc/self/exe";
  Overrides overrides;
  // The folders at start; the first one's watch settings configure the
  // shared watcher (backend, polling) and the default settle window.
  std::vector<Folder> folders;
  supervise::SupervisorOptions supervisor{};  // its shim_path and clock are replaced by these
  // Time and timers of the supervisor and the watcher (a ManualClock in
  // tests). Null: an AsioClock on the io_context. Must outlive the Workspace.
  Clock* clock = nullptr;
};

// What start_auto did: servers not started because the workspace is not
// trusted, and servers that could not be started (exec failures).
struct AutoStartReport {
  std::size_t untrusted_skipped = 0;
  std::vector<std::pair<std::string, Error>> failed;
};

class Workspace {
 public:
  Workspace(asio::io_context& io, WorkspaceOptions options, Listener& listener);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // Adds the folders of the options: configuration first (its excludes
  // decide what the crawl skips), then watching.
  void open();
  AutoStartReport start_auto();
  void add_folder(const Folder& folder);
  void remove_folder(const std::string& path);
  // Stops every server (whole process groups); `done` once all are gone.
  void stop_all(std::function<void()> done);
  // No more file events (exit): the watcher is released.
  void close_watcher();

  // Requests by server name; `name` may be omitted when there is exactly one.
  // Errors: UnknownServer (data lists the names), Untrusted, InvalidServerState, ExecFailed.
  // In an untrusted workspace only start with `consent` (the user asked for
  // this one start) runs anything; the process it spawns is then never
  // restarted (changes, crashes, config edits, restart requests): each of
  // those would run a command nobody consented to (docs/security.md).
  Result<const supervise::DevServer*> start(const std::optional<std::string>& name, bool consent = false);
  Result<const supervise::DevServer*> stop(const std::optional<std::string>& name);
  Result<const supervise::DevServer*> restart(const std::optional<std::string>& name);
  Result<const supervise::DevServer*> find(const std::optional<std::string>& name) const;

  std::vector<const supervise::DevServer*> servers() const;  // sorted by name
  std::vector<RootStatus> config_status() const;
  std::vector<std::string> roots() const;  // the watched folders' paths
  const watch::Watcher* watcher() const { return watcher_.get(); }
  bool trusted() const { return options_.overrides.trusted; }
  int settle_ms() const { return settle_ms_; }

 private:
  friend class Root;
  Result<std::string> resolve(const std::optional<std::string>& name) const;
  Root* owner(const std::string& name) const;
  Result<config::LoadedConfig> load_config(const std::string& root) const;
  void on_batch(const watch::Batch& batch);
  void watch_root(Root& root);
  // Tells the listener what was not run: each message once per consented start.
  void withhold(const std::string& name, const std::string& message);

  asio::io_context& io_;
  WorkspaceOptions options_;
  Listener& listener_;
  supervise::Supervisor supervisor_;
  std::unique_ptr<watch::Watcher> watcher_;
  std::map<std::string, std::unique_ptr<Root>> roots_;  // by path
  std::map<std::string, Root*> owners_;                  // server name -> its root
  std::vector<std::shared_ptr<Root>> retired_;           // removed folders whose servers still stop
  std::vector<std::string> watched_;                     // watched folders, in the order added
  // The first folder's configuration, read for the watcher's options and
  // handed on to its Root so it is read once.
  std::optional<Result<config::LoadedConfig>> first_config_;
  int settle_ms_ = 20;
  bool started_auto_ = false;
  // Per server: what it was told was withheld since its consented start (each kind once).
  std::map<std::string, std::set<std::string>> withheld_;
};

}  // namespace devwatch::workspace
