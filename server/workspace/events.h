// What a Workspace tells its views (the editor session, `devwatch run`): typed
// events, one method each on a Listener. Events are values; pointers in them
// are valid only during the call. Views decide how to show them (protocol
// notifications, console lines); the workspace never formats for a view.
// Threading: every method is called on the loop thread, from inside the
// Workspace's own callbacks; a listener must not destroy the Workspace there.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diagnose/diagnostic.h"
#include "supervise/dev_server.h"
#include "watch/types.h"

namespace devwatch::workspace {

// A dev server changed state. `change` is the supervisor's own value (exit
// code, signal, reason, changed files, timings, last lines, ...); the
// workspace adds what it knows of the crash.
struct ServerChanged {
  supervise::StateChange change;
  std::string root;                         // its workspace folder ("" once it left it)
  const supervise::ServerSpec* spec = nullptr;  // null once the server is gone
  // crashed/backoff: the last Python exception line in its stderr, and the
  // innermost workspace frame of that crash.
  std::string exception;
  std::optional<diagnose::Location> location;
};

// Every crash diagnostic one server has now on one file (empty: cleared).
struct DiagnosticsChanged {
  std::string server;
  std::string path;  // absolute
  std::vector<diagnose::Diagnostic> diagnostics;
};

// A folder's configuration could not be used. `server` empty: the whole
// configuration is invalid (`reload`: the previous one stays in effect);
// else that one server was refused.
struct ConfigProblem {
  std::string root;
  std::string folder_name;
  std::string server;
  std::string message;
  bool reload = false;
};

// A folder's configuration runs nothing, but a project was found in a parent
// folder: `hint` says what was found where, and the fix. Once per folder.
struct ConfigHint {
  std::string root;
  std::string folder_name;
  std::string hint;  // "manage.py found in /home/me/blog: open that folder, or add devwatch.json here"
};

// Something would have run a command again in an untrusted workspace, and
// devwatch did not: a consented start (Workspace::start) covers that one
// start only. Each message once per server until its next consented start.
struct RunWithheld {
  std::string server;
  std::string message;  // what was not run, why, and the fix
};

class Listener {
 public:
  virtual ~Listener() = default;
  virtual void server_changed(const ServerChanged& event) = 0;
  virtual void output_line(const std::string& server, const supervise::OutputLine& line) = 0;
  virtual void diagnostics_changed(const DiagnosticsChanged& event) = 0;
  virtual void config_problem(const ConfigProblem& event) = 0;
  // Default: nothing (a view that shows the configuration anyway needs no hint).
  virtual void config_hint(const ConfigHint& /*event*/) {}
  // Default: nothing (a view that runs only trusted folders never sees one).
  virtual void run_withheld(const RunWithheld& /*event*/) {}
  // Each watcher problem arrives here once (the Watcher itself logs nothing).
  virtual void watcher_problem(const watch::Problem& problem) = 0;
  virtual void crawl_progress(const watch::CrawlProgress& progress) = 0;
  // Every verified batch, after the dev servers and config reloads saw it.
  virtual void files_changed(const watch::Batch& batch) = 0;
};

}  // namespace devwatch::workspace
