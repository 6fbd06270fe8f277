// One workspace folder: its devwatch.json (loaded, validated, reloaded when
// it changes and applied — servers added, updated, retired, and the watcher's
// excludes for this folder), the dev servers it owns and what their stderr
// says about crashes. The Workspace routes the supervisor's callbacks here.
// Threading: loop thread only; owned by its Workspace.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <memory>

#include "common/error.h"
#include "config/load.h"
#include "proxy/proxy.h"
#include "supervise/dev_server.h"
#include "workspace/crash_tracker.h"

namespace devwatch::workspace {

class Workspace;

struct Folder {
  std::string path;  // absolute, no trailing slash
  std::string name;  // for messages and to qualify clashing server names
};

// Where a folder's settings came from (devwatch/status's `config` section).
struct RootStatus {
  std::string root;
  std::string source;  // "/ws/devwatch.json", "detected Django project", "none", ...
  std::vector<std::string> servers;
  std::vector<std::string> explanation;
  std::string error;  // the last configuration error, "" when valid
  std::string hint;   // nothing to run here, but a project above (config::LoadedConfig::hint)
};

class Root {
 public:
  Root(Workspace& workspace, Folder folder);
  Root(const Root&) = delete;
  Root& operator=(const Root&) = delete;

  const Folder& folder() const { return folder_; }
  const std::string& config_path() const { return config_path_; }
  // Reads (or takes `preloaded`) and applies the configuration; an invalid
  // one is reported and nothing of it applied. On reload the watcher gets the
  // new excludes.
  void load(bool reload, std::optional<Result<config::LoadedConfig>> preloaded = std::nullopt);
  // The watch settings of the valid configuration, if any.
  const std::optional<config::WatchSettings>& watch_settings() const { return watch_; }
  void set_watched(bool watched) { watched_ = watched; }
  RootStatus status() const;
  const std::vector<std::string>& servers() const { return names_; }
  // Every server leaves (the folder is removed).
  void retire_all(const std::string& reason);

  // The supervisor's callbacks for this root's servers.
  void on_state(const supervise::StateChange& change);
  void on_line(const std::string& name, const supervise::OutputLine& line);
  // Every verified batch, after the supervisor saw it: pages of a proxy with
  // live reload learn of changes that restart nothing (a stylesheet, a template).
  void files_changed(const std::vector<std::string>& paths);
  // The proxy of a server, if it has one (tests, status).
  const proxy::Proxy* proxy_of(const std::string& name) const;

 private:
  struct Server {
    CrashTracker crash;
    bool removing = false;
    std::unique_ptr<proxy::Proxy> proxy;  // "proxy" in its spec
    int upstream_port = 0;                 // chosen once, kept across reloads
  };
  // Gives a proxied spec its upstream port ({port}, $PORT) before the supervisor sees it.
  void prepare_proxy(Server* known, supervise::ServerSpec& spec, int& port);
  void configure_proxy(const std::string& name, Server& server, const supervise::ServerSpec& spec, int port);
  void apply(const config::LoadedConfig& loaded);
  Result<supervise::DevServer*> update_server(supervise::ServerSpec spec);
  Result<supervise::DevServer*> update_untrusted(supervise::ServerSpec spec);
  void retire(const std::string& name, const std::string& reason);
  void drop(const std::string& name);
  void publish(const std::string& name, Server& server, const std::vector<std::string>& files);

  Workspace& ws_;
  Folder folder_;
  std::string config_path_;
  std::vector<std::string> names_;
  std::map<std::string, Server> servers_;  // by name, including those being retired
  std::string description_;
  std::vector<std::string> explanation_;
  std::string error_;
  std::string hint_;
  bool hinted_ = false;  // the hint was told (once per folder)
  std::optional<config::WatchSettings> watch_;
  bool watched_ = false;
};

}  // namespace devwatch::workspace
