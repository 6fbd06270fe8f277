// The devwatch protocol as types: every params struct the server reads (with
// `static Result<T> parse(const json&)`, errors naming the field through
// ParamReader), and every result and notification it sends (with to_json).
// Notifications carry their method name (kMethod) so the notifier sends them
// typed. docs/protocol.md is the contract: tests/session/docs_test.cpp checks
// every field here is documented there.
// Threading: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/json.h"

namespace devwatch::session {

// ---- params ---------------------------------------------------------------

struct WorkspaceFolder {
  std::string uri;
  std::string name;
  std::string path;  // decoded from uri
};

struct InitializeParams {
  std::optional<int> process_id;
  std::vector<WorkspaceFolder> folders;  // from workspaceFolders, else rootUri, else rootPath
  json initialization_options;           // null when absent
  // The client capabilities devwatch honours (docs/protocol.md, "Client capabilities").
  bool work_done_progress = false;   // capabilities.window.workDoneProgress
  bool related_information = false;  // capabilities.textDocument.publishDiagnostics.relatedInformation
  std::string client_name;
  std::string trace = "off";
  static Result<InitializeParams> parse(const json& params);
};

// initializationOptions (see docs/protocol.md, "Dev servers").
struct InitializationOptions {
  json settings;                     // devwatch.json-shaped, merged over each root's file
  bool trusted = true;               // false: never run commands from workspace configuration
  std::optional<bool> auto_start;    // overrides every server's autoStart
  std::optional<bool> auto_restart;  // overrides every server's autoRestart
  std::optional<bool> preload;       // overrides every server's preload on/off (docs/preload.md)
  bool crash_messages = true;        // false: the client renders crashes from stateChanged itself
  static Result<InitializationOptions> parse(const json& initialization_options);
};

struct WorkspaceFoldersChange {
  std::vector<WorkspaceFolder> added;
  std::vector<WorkspaceFolder> removed;
  static Result<WorkspaceFoldersChange> parse(const json& params);
};

struct NoParams {
  static Result<NoParams> parse(const json& params);
};

// Params accepted whatever their shape (initialized, exit).
struct AnyParams {
  static Result<AnyParams> parse(const json&) { return AnyParams{}; }
};

// $/setTrace: accepted whatever its shape (LSP's; devwatch traces to its log).
struct SetTraceParams {
  std::optional<std::string> value;
  static Result<SetTraceParams> parse(const json& params);
};

struct ServerRef {
  std::optional<std::string> name;  // may be omitted when there is exactly one server
  static Result<ServerRef> parse(const json& params);
};

// devwatch/devServer/start. `consent`: the user asked for this one start
// explicitly, so it runs even when the workspace is not trusted (docs/security.md).
struct StartParams {
  std::optional<std::string> name;
  bool consent = false;
  static Result<StartParams> parse(const json& params);
};

struct OutputParams {
  std::optional<std::string> name;
  std::uint64_t from_seq = 0;
  std::optional<std::uint64_t> limit;
  static Result<OutputParams> parse(const json& params);
};

struct SubscribeParams {
  std::string base;      // absolute path the pattern is relative to ("" = every root)
  std::string pattern;
  int kind = 7;          // LSP WatchKind bitmask: 1 create, 2 change, 4 delete
  std::vector<std::string> excludes;
  std::optional<int> settle_ms;
  static Result<SubscribeParams> parse(const json& params);
};

struct UnsubscribeParams {
  std::string id;
  static Result<UnsubscribeParams> parse(const json& params);
};

// ---- shared shapes --------------------------------------------------------

// LSP MessageType: 1 error, 2 warning, 3 info, 4 log.
enum class MessageType { Error = 1, Warning = 2, Info = 3, Log = 4 };

// LSP Range on one line: 0-based line, [start, end) in UTF-16 code units.
struct Range {
  int line = 0;
  int start = 0;
  int end = 0;
};

// LSP Location.
struct Location {
  std::string uri;
  Range range;
};

// ---- results --------------------------------------------------------------

struct ReadyInfo {
  std::optional<int> port;
  std::optional<std::string> host;
  std::optional<std::string> pattern;
};

// A problem no automatic retry can fix (supervise::SetupProblem): the server
// waits for a configuration change or a request, and (sameCrash) a change to
// a file its crash output names.
struct SetupProblemInfo {
  std::string kind;  // "exec" | "sameCrash"
  std::string message, fix;
  std::vector<std::string> searched_path;  // exec of a bare name: PATH's directories
  std::optional<std::size_t> crashes;       // sameCrash: identical crashes in a row
};

// A start of a server with "preload" (docs/preload.md): "preloaded" (forked
// from the zygote) or "cold", why cold, and the zygote's answer time.
struct StartReport {
  std::string mode;
  std::optional<std::string> reason;
  std::optional<double> fork_ms;
};

// One dev server as list/start/stop/restart and devwatch/status return it.
struct ServerInfo {
  std::string name, root, state, reason;
  std::vector<std::string> command;
  std::string cwd;
  std::vector<std::string> restart_on, ignore;
  ReadyInfo ready;
  std::string stop_signal;
  int stop_timeout_ms = 0;
  bool auto_start = false, auto_restart = false, trusted = true;
  std::uint64_t output_next_seq = 0;
  std::optional<int> pid, exit_code;
  std::optional<std::string> signal;
  std::optional<std::int64_t> ready_ms;
  std::optional<std::string> url;
  std::optional<SetupProblemInfo> setup_problem;
  bool preload = false;              // the spec asks for preloaded restarts
  std::optional<StartReport> start;  // how the current run was started, with preload
};

struct ServerList {
  std::vector<ServerInfo> servers;
};

struct OutputLineInfo {
  std::uint64_t seq = 0;
  std::string stream;  // "stdout" | "stderr"
  std::string text;
  bool cut = false;
};

struct OutputResult {
  std::string name;
  std::vector<OutputLineInfo> lines;
  std::uint64_t dropped = 0;
  std::uint64_t next_seq = 0;
};

struct SubscribeResult {
  std::string subscription_id;
};

// One folder's entry in devwatch/status's `config` section.
struct ConfigInfo {
  std::string root;  // URI
  std::string source;
  std::vector<std::string> servers;
  std::vector<std::string> explanation;
  std::optional<std::string> error;
  std::optional<std::string> hint;  // nothing to run here, but a project in a parent folder
};

// capabilities.experimental.devwatch: what this build supports.
struct Capabilities {
  struct Files {
    std::string backend, backend_reason;
  };
  std::optional<Files> files;          // present once the watcher exists
  std::optional<bool> servers_trusted;  // devServers, present once the workspace exists
};

struct InitializeResult {
  Capabilities capabilities;
  std::string version;  // serverInfo.version
};

struct StatusResult {
  std::string version;
  int pid = 0;
  std::int64_t uptime_ms = 0;
  std::vector<WorkspaceFolder> folders;
  json watcher;  // session/watcher_status.h's section (plus subscriptions), null before initialize
  std::vector<ServerInfo> dev_servers;
  std::vector<ConfigInfo> config;
};

// ---- notifications --------------------------------------------------------

struct RestartTimings {
  std::optional<double> event_to_spawn_ms, gone_to_spawn_ms, spawn_to_ready_ms, probe_slack_ms;
};

struct StateChanged {
  static constexpr const char* kMethod = "devwatch/devServer/stateChanged";
  std::string name;
  std::optional<std::string> root;  // URI
  std::string state, reason;
  std::optional<std::string> cause;  // supervise::cause_name: "change", "request", ...
  bool restarting = false;           // on stopping: a start follows
  bool overlapped = false;           // starting/stopping: the old server still serves (proxy.overlap)
  std::optional<int> pid, exit_code;
  std::optional<std::string> signal;
  std::optional<std::int64_t> ready_ms;
  std::vector<std::string> changed_files;  // URIs, at most 100
  std::optional<std::size_t> changed_count;
  std::vector<std::string> last_lines;
  std::optional<std::string> exception;
  std::optional<Location> location;
  bool killed = false;
  std::optional<SetupProblemInfo> setup_problem;
  RestartTimings timings;
  std::optional<std::string> url;  // where a browser opens it: its proxy, else its ready port
  std::optional<StartReport> start;
};

struct OutputNotification {
  static constexpr const char* kMethod = "devwatch/devServer/output";
  std::string name, stream;
  std::uint64_t seq = 0;
  std::string text;
  bool cut = false;
  std::optional<std::uint64_t> skipped;
};

struct RelatedInfo {
  Location location;
  std::string message;
};

struct DiagnosticInfo {
  Range range;
  int severity = 1;
  std::string source, message;
  std::vector<RelatedInfo> related;
};

struct PublishDiagnostics {
  static constexpr const char* kMethod = "textDocument/publishDiagnostics";
  std::string uri;
  std::vector<DiagnosticInfo> diagnostics;
};

struct FileEvent {
  std::string uri;
  int type = 2;  // LSP FileChangeType
};

struct FilesDidChange {
  static constexpr const char* kMethod = "devwatch/files/didChange";
  std::string subscription_id;
  std::vector<FileEvent> changes;
  std::optional<std::string> resync_reason;
};

struct ShowMessage {
  static constexpr const char* kMethod = "window/showMessage";
  MessageType type = MessageType::Info;
  std::string message;
};

struct LogMessage {
  static constexpr const char* kMethod = "window/logMessage";
  MessageType type = MessageType::Info;
  std::string message;
};

// $/progress with a WorkDoneProgress value (begin / report / end).
struct Progress {
  static constexpr const char* kMethod = "$/progress";
  std::string token;
  std::string kind;  // "begin" | "report" | "end"
  std::optional<std::string> title, message;
  std::optional<unsigned> percentage;
  std::optional<bool> cancellable;
};

// A request the server sends: window/workDoneProgress/create.
struct WorkDoneProgressCreate {
  static constexpr const char* kMethod = "window/workDoneProgress/create";
  std::string token;
};

json to_json(const WorkspaceFolder& folder);
json to_json(const Range& range);
json to_json(const Location& location);
json to_json(const SetupProblemInfo& p);
json to_json(const ServerInfo& s);
json to_json(const ServerList& list);
json to_json(const OutputResult& result);
json to_json(const SubscribeResult& result);
json to_json(const ConfigInfo& c);
json to_json(const InitializeResult& result);
json to_json(const StatusResult& result);
json to_json(const StateChanged& note);
json to_json(const OutputNotification& note);
json to_json(const DiagnosticInfo& diagnostic);
json to_json(const PublishDiagnostics& note);
json to_json(const FilesDidChange& note);
json to_json(const ShowMessage& note);
json to_json(const LogMessage& note);
json to_json(const Progress& note);
json to_json(const WorkDoneProgressCreate& request);

// A typed result as the JSON a Reply sends.
template <class T>
Result<json> as_json(Result<T> result) {
  if (!result) return result.error();
  return to_json(result.value());
}

}  // namespace devwatch::session
