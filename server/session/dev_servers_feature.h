// Protocol bindings of the supervisor: devwatch/devServer/* requests, the
// stateChanged and output notifications, crash diagnostics as
// textDocument/publishDiagnostics, crashes as window/showMessage, the
// `devServers` status section, and configuration per workspace folder
// (devwatch.json merged with the client's settings, reloaded when it changes).
// Threading: loop thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "config/load.h"
#include "diagnose/python_traceback.h"
#include "paths/glob.h"
#include "session/endpoint.h"
#include "session/protocol.h"
#include "supervise/supervisor.h"
#include "watch/types.h"

namespace devwatch::session {

struct ServerRef {
  std::optional<std::string> name;  // may be omitted when there is exactly one server
  static Result<ServerRef> parse(const json& params);
};

struct OutputParams {
  std::optional<std::string> name;
  std::uint64_t from_seq = 0;
  std::optional<std::uint64_t> limit;
  static Result<OutputParams> parse(const json& params);
};

// What the client said in initializationOptions (see docs/protocol.md).
struct ClientSettings {
  json settings;                     // devwatch.json-shaped, merged over each root's file
  bool trusted = true;               // false: never run commands from workspace configuration
  std::optional<bool> auto_start;    // overrides every server's autoStart
  std::optional<bool> auto_restart;  // overrides every server's autoRestart
  bool crash_messages = true;        // false: the client renders crashes from stateChanged itself
  static Result<ClientSettings> parse(const json& initialization_options);
};

class DevServersFeature {
 public:
  struct Options {
    std::string shim_path = "/proc/self/exe";
    ClientSettings client;
  };
  DevServersFeature(asio::io_context& io, Endpoint& endpoint, Options options);
  ~DevServersFeature();

  // `loaded`: the folder's configuration if the caller read it already.
  void add_root(const WorkspaceFolder& folder, std::optional<Result<config::LoadedConfig>> loaded = std::nullopt);
  void remove_root(const WorkspaceFolder& folder);
  // Every verified batch of changes from the watcher.
  void on_changes(const watch::Batch& batch);
  void start_auto();
  // Stops every server (whole process groups) and calls back once all are gone.
  void stop_all(std::function<void()> done);

  Result<json> list() const;
  Result<json> start(const ServerRef& ref);
  Result<json> stop(const ServerRef& ref);
  Result<json> restart(const ServerRef& ref);
  Result<json> output(const OutputParams& params) const;

  json status() const;
  // Where each root's configuration came from, and its error if invalid.
  json config_status() const;
  json capabilities() const;
  // The watch settings of a folder's valid configuration (after add_root).
  std::optional<config::WatchSettings> watch_settings(const std::string& root) const;

 private:
  struct Root;
  struct Entry;
  Result<std::string> resolve(const std::optional<std::string>& name) const;
  void load_root(Root& root, bool reload, std::optional<Result<config::LoadedConfig>> loaded = std::nullopt);
  void apply(Root& root, config::LoadedConfig loaded);
  void on_state(const supervise::StateChange& change);
  void on_line(const std::string& name, const supervise::OutputLine& line);
  // A server leaving (folder removed, dropped from the config): stopped
  // first when it runs, then dropped with its diagnostics.
  void retire(const std::string& name, const std::string& reason);
  void drop(const std::string& name);
  // Remembers the crash reports' exception line; returns their diagnostics.
  std::vector<diagnose::Diagnostic> absorb(Entry& entry, std::vector<diagnose::CrashReport> reports);
  void publish(Entry& entry, const std::vector<diagnose::Diagnostic>& diagnostics);
  void clear_diagnostics(Entry& entry);
  json describe(const supervise::DevServer& server) const;

  asio::io_context& io_;
  Endpoint& endpoint_;
  Options options_;
  supervise::Supervisor supervisor_;
  std::map<std::string, std::unique_ptr<Root>> roots_;     // by root path
  std::map<std::string, std::unique_ptr<Entry>> entries_;  // by server name
  std::uint64_t output_skipped_ = 0;
  bool started_auto_ = false;
};

}  // namespace devwatch::session
