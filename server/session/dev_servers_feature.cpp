#include "session/dev_servers_feature.h"

#include <spdlog/spdlog.h>

#include "config/restart_rules.h"
#include "config/signals.h"
#include "paths/uri.h"
#include "session/params.h"

namespace devwatch::session {
namespace {

// Above this many bytes queued for the client, output lines are not streamed
// (they stay in the ring, fetchable with devwatch/devServer/output): a dev
// server that floods output must not grow our memory or stall the protocol.
constexpr std::size_t kMaxQueuedBytes = 4u * 1024u * 1024u;

std::string spec_key(const supervise::ServerSpec& s) {
  json j{{"command", s.command}, {"shell", s.shell}, {"cwd", s.cwd}, {"env", s.env},
         {"restartOn", s.restart_on}, {"ignore", s.ignore}, {"stopSignal", s.stop_signal},
         {"stopTimeoutMs", s.stop_timeout_ms}, {"autoRestart", s.auto_restart}, {"outputLines", s.output_lines},
         {"port", s.ready.port ? json(*s.ready.port) : json()}, {"host", s.ready.host ? json(*s.ready.host) : json()},
         {"pattern", s.ready.pattern ? json(*s.ready.pattern) : json()}};
  return dump_json(j);
}

json range_json(const diagnose::Location& loc) {
  int end = loc.end_column >= 0 ? loc.end_column : std::max(loc.column + 1, 1000);
  return json{{"start", {{"line", loc.line}, {"character", loc.column}}},
              {"end", {{"line", loc.line}, {"character", end}}}};
}

}  // namespace

struct DevServersFeature::Root {
  WorkspaceFolder folder;
  std::string config_path;
  std::vector<std::string> names;
  std::string description;  // where the config came from
  std::vector<std::string> explanation;
  std::string error;        // the last configuration error, "" when valid
  std::optional<config::WatchSettings> watch;
};

struct DevServersFeature::Entry {
  std::string root;
  config::RestartRules rules;
  std::unique_ptr<diagnose::CrashParser> parser;
  std::map<std::string, json> diagnostics;  // uri -> Diagnostic[] published for this server
  std::string last_exception;
  std::optional<diagnose::Location> last_location;  // the crash's innermost workspace frame
  bool removing = false;
};

Result<ServerRef> ServerRef::parse(const json& params) {
  ParamReader reader(params);
  ServerRef ref;
  ref.name = reader.string("name", false);
  if (!reader.ok()) return reader.error();
  return ref;
}

Result<OutputParams> OutputParams::parse(const json& params) {
  ParamReader reader(params);
  OutputParams out;
  out.name = reader.string("name", false);
  if (auto from = reader.integer("fromSeq", false, 0)) out.from_seq = static_cast<std::uint64_t>(*from);
  if (auto limit = reader.integer("limit", false, 1, 100000)) out.limit = static_cast<std::uint64_t>(*limit);
  if (!reader.ok()) return reader.error();
  return out;
}

Result<ClientSettings> ClientSettings::parse(const json& options) {
  ClientSettings out;
  if (options.is_null()) return out;
  ParamReader reader(options, "initializationOptions");
  if (auto trusted = reader.boolean("trusted", false)) out.trusted = *trusted;
  out.auto_start = reader.boolean("autoStart", false);
  out.auto_restart = reader.boolean("autoRestart", false);
  if (auto crash_messages = reader.boolean("crashMessages", false)) out.crash_messages = *crash_messages;
  if (const json* settings = reader.value("settings", false)) {
    if (!settings->is_object()) reader.fail("settings", "expected an object shaped like devwatch.json");
    out.settings = *settings;
  }
  if (!reader.ok()) return reader.error();
  return out;
}

DevServersFeature::DevServersFeature(asio::io_context& io, Endpoint& endpoint, Options options)
    : io_(io), endpoint_(endpoint), options_(std::move(options)),
      supervisor_(io, supervise::SupervisorOptions{options_.shim_path, {}}) {
  supervisor_.on_state_change([this](const supervise::StateChange& change) { on_state(change); });
  supervisor_.on_output([this](const std::string& name, const supervise::OutputLine& line) { on_line(name, line); });
}

DevServersFeature::~DevServersFeature() = default;

void DevServersFeature::add_root(const WorkspaceFolder& folder,
                                 std::optional<Result<config::LoadedConfig>> loaded) {
  if (roots_.count(folder.path)) return;
  auto root = std::make_unique<Root>();
  root->folder = folder;
  root->config_path = folder.path + "/" + config::kConfigFileName;
  auto& ref = *root;
  roots_[folder.path] = std::move(root);
  load_root(ref, false, std::move(loaded));
}

void DevServersFeature::remove_root(const WorkspaceFolder& folder) {
  auto it = roots_.find(folder.path);
  if (it == roots_.end()) return;
  for (const auto& name : it->second->names) retire(name, "workspace folder removed");
  roots_.erase(it);
}

void DevServersFeature::load_root(Root& root, bool reload, std::optional<Result<config::LoadedConfig>> preloaded) {
  auto loaded = preloaded ? std::move(*preloaded)
                          : config::load_workspace_config(root.folder.path, options_.client.settings,
                                                          config::process_env());
  if (!loaded) {
    root.error = loaded.error().message;
    std::string what = reload ? " (the previous configuration stays in effect)" : "";
    spdlog::error("invalid configuration for {}: {}{}", root.folder.path, root.error, what);
    endpoint_.notify("window/showMessage",
                     json{{"type", 1}, {"message", "devwatch: invalid configuration in " + root.folder.name + ": " +
                                                       root.error + what}});
    return;
  }
  root.error.clear();
  if (reload) spdlog::info("configuration of {} reloaded ({})", root.folder.path, loaded->description);
  apply(root, std::move(loaded.value()));
}

void DevServersFeature::apply(Root& root, config::LoadedConfig loaded) {
  root.description = loaded.description;
  root.explanation = loaded.explanation;
  root.watch = loaded.config.watch;
  std::vector<std::string> names;
  for (auto spec : loaded.config.servers) {
    if (options_.client.auto_start) spec.auto_start = *options_.client.auto_start;
    if (options_.client.auto_restart) spec.auto_restart = *options_.client.auto_restart;
    if (spec.root.empty()) spec.root = root.folder.path;
    // Names are unique per window; a clash between folders is resolved by
    // qualifying with the folder's name.
    auto owner = entries_.find(spec.name);
    if (owner != entries_.end() && owner->second->root != root.folder.path) {
      spec.name = root.folder.name + "/" + spec.name;
    }
    names.push_back(spec.name);
    auto* existing = supervisor_.find(spec.name);
    if (existing) {
      bool changed = spec_key(existing->spec()) != spec_key(spec);
      auto& entry = *entries_[spec.name];
      entry.rules = config::RestartRules(spec);
      entry.removing = false;
      existing->set_spec(spec);
      if (changed && existing->has_process()) {
        (void)supervisor_.restart(spec.name, "configuration changed");
      }
      continue;
    }
    auto entry = std::make_unique<Entry>();
    entry->root = root.folder.path;
    entry->rules = config::RestartRules(spec);
    std::string name = spec.name;
    bool auto_start = spec.auto_start;
    auto added = supervisor_.add(std::move(spec));
    if (!added) {
      spdlog::error("dev server '{}' cannot be used: {}", name, added.error().message);
      endpoint_.notify("window/showMessage",
                       json{{"type", 1}, {"message", "devwatch: dev server '" + name + "': " + added.error().message}});
      names.pop_back();
      continue;
    }
    entries_[name] = std::move(entry);
    // Servers added by a reload start at once; the first load waits for start_auto().
    if (started_auto_ && auto_start && options_.client.trusted) (void)supervisor_.start(name, "configuration added it");
  }
  for (const auto& old : root.names) {
    if (std::find(names.begin(), names.end(), old) == names.end()) retire(old, "removed from the configuration");
  }
  root.names = std::move(names);
}

void DevServersFeature::start_auto() {
  started_auto_ = true;
  if (!options_.client.trusted) {
    if (!entries_.empty()) {
      endpoint_.notify("window/showMessage",
                       json{{"type", 2}, {"message", "devwatch: this workspace is not trusted, so its dev servers "
                                                     "were not started. Trust the workspace to start them."}});
    }
    return;
  }
  supervisor_.start_auto("autoStart");
}

void DevServersFeature::stop_all(std::function<void()> done) { supervisor_.stop_all(std::move(done)); }

void DevServersFeature::on_changes(const watch::Batch& batch) {
  std::vector<std::string> paths;
  paths.reserve(batch.changes.size());
  for (const auto& change : batch.changes) {
    paths.push_back(change.path);
    for (auto& [path, root] : roots_) {
      if (change.path == root->config_path) load_root(*root, true);
    }
  }
  supervisor_.on_changes(paths, [this](const supervise::ServerSpec& spec, const std::string& path) {
    auto it = entries_.find(spec.name);
    return it != entries_.end() && it->second->rules.matches(path);
  });
}

Result<std::string> DevServersFeature::resolve(const std::optional<std::string>& name) const {
  if (name) {
    if (entries_.count(*name)) return *name;
  } else if (entries_.size() == 1) {
    return entries_.begin()->first;
  }
  json known = json::array();
  std::string list;
  for (const auto& [n, e] : entries_) {
    known.push_back(n);
    list += (list.empty() ? "" : ", ") + n;
  }
  Error error = make_error(
      ErrorCode::UnknownServer,
      name ? "no dev server named '" + *name + "'" + (list.empty() ? " (none is configured)" : " (known: " + list + ")")
           : (list.empty() ? std::string("no dev server is configured") : "several dev servers exist: name one of " + list));
  error.data_json = dump_json(json{{"known", known}});
  return error;
}

Result<json> DevServersFeature::list() const {
  json out = json::array();
  for (const auto& [name, entry] : entries_) {
    if (const auto* server = supervisor_.find(name)) out.push_back(describe(*server));
  }
  return json{{"servers", out}};
}

Result<json> DevServersFeature::start(const ServerRef& ref) {
  auto name = resolve(ref.name);
  if (!name) return name.error();
  if (!options_.client.trusted) {
    return make_error(ErrorCode::Untrusted, "the workspace is not trusted: devwatch does not run commands from its "
                                            "configuration. Trust the workspace to start '" + name.value() + "'.");
  }
  if (auto r = supervisor_.start(name.value(), "start requested"); !r) return r.error();
  return describe(*supervisor_.find(name.value()));
}

Result<json> DevServersFeature::stop(const ServerRef& ref) {
  auto name = resolve(ref.name);
  if (!name) return name.error();
  if (auto r = supervisor_.stop(name.value(), "stop requested"); !r) return r.error();
  return describe(*supervisor_.find(name.value()));
}

Result<json> DevServersFeature::restart(const ServerRef& ref) {
  auto name = resolve(ref.name);
  if (!name) return name.error();
  if (!options_.client.trusted) {
    return make_error(ErrorCode::Untrusted, "the workspace is not trusted: devwatch does not run commands from its "
                                            "configuration. Trust the workspace to start '" + name.value() + "'.");
  }
  if (auto r = supervisor_.restart(name.value(), "restart requested"); !r) return r.error();
  return describe(*supervisor_.find(name.value()));
}

Result<json> DevServersFeature::output(const OutputParams& params) const {
  auto name = resolve(params.name);
  if (!name) return name.error();
  const auto* server = supervisor_.find(name.value());
  auto backlog = server->output_from(params.from_seq);
  std::size_t first = 0;
  if (params.limit && backlog.lines.size() > *params.limit) first = backlog.lines.size() - *params.limit;
  json lines = json::array();
  for (std::size_t i = first; i < backlog.lines.size(); ++i) {
    const auto& line = backlog.lines[i];
    lines.push_back(json{{"seq", line.seq}, {"stream", supervise::stream_name(line.stream)}, {"text", line.text}});
    if (line.cut) lines.back()["cut"] = true;
  }
  return json{{"name", name.value()}, {"lines", lines}, {"dropped", backlog.dropped + first}, {"nextSeq", backlog.next_seq}};
}

void DevServersFeature::on_state(const supervise::StateChange& change) {
  auto it = entries_.find(change.name);
  Entry* entry = it == entries_.end() ? nullptr : it->second.get();
  json params{{"name", change.name}, {"state", supervise::state_name(change.state)}, {"reason", change.reason}};
  if (entry) params["root"] = paths::path_to_uri(entry->root);
  if (change.pid) params["pid"] = *change.pid;
  if (change.exit_code) params["exitCode"] = *change.exit_code;
  if (change.signal) params["signal"] = config::signal_name(*change.signal);
  if (change.ready_ms) params["readyMs"] = *change.ready_ms;
  if (!change.changed_files.empty()) {
    json files = json::array();
    for (const auto& f : change.changed_files) files.push_back(paths::path_to_uri(f));
    params["changedFiles"] = files;
  }
  if (!change.last_lines.empty()) {
    json lines = json::array();
    for (const auto& l : change.last_lines) lines.push_back(l.text);
    params["lastLines"] = lines;
  }
  if (change.killed) params["killed"] = true;
  {
    json timings = json::object();
    const auto& t = change.timings;
    if (t.event_to_spawn_ms) timings["eventToSpawnMs"] = *t.event_to_spawn_ms;
    if (t.gone_to_spawn_ms) timings["goneToSpawnMs"] = *t.gone_to_spawn_ms;
    if (t.spawn_to_ready_ms) timings["spawnToReadyMs"] = *t.spawn_to_ready_ms;
    if (t.probe_slack_ms) timings["probeSlackMs"] = *t.probe_slack_ms;
    if (!timings.empty()) params["timings"] = timings;
  }
  bool crashed = change.state == supervise::ServerState::Crashed || change.state == supervise::ServerState::Backoff;
  std::vector<diagnose::Diagnostic> found;
  if (entry && crashed && entry->parser) {
    // The process is gone: a traceback waiting for a possible chained one is complete.
    found = absorb(*entry, entry->parser->finish());
  }
  if (entry && crashed && !entry->last_exception.empty()) params["exception"] = entry->last_exception;
  if (entry && crashed && entry->last_location) {
    params["location"] = json{{"uri", paths::path_to_uri(entry->last_location->path)},
                              {"range", range_json(*entry->last_location)}};
  }
  endpoint_.notify("devwatch/devServer/stateChanged", params);
  if (!entry) return;

  switch (change.state) {
    case supervise::ServerState::Starting:
      entry->parser = std::make_unique<diagnose::CrashParser>(
          diagnose::CrashParserOptions{entry->root, supervisor_.find(change.name)->spec().cwd});
      entry->last_exception.clear();
      entry->last_location.reset();
      break;
    case supervise::ServerState::Ready:
      clear_diagnostics(*entry);
      break;
    case supervise::ServerState::Crashed:
    case supervise::ServerState::Backoff: {
      if (!found.empty()) publish(*entry, found);
      if (!options_.client.crash_messages) break;
      std::string text = "devwatch: " + change.name + " crashed (" + supervise::exit_description(change) + ")";
      if (!entry->last_exception.empty()) text += ": " + entry->last_exception;
      text += change.state == supervise::ServerState::Backoff ? ". " + change.reason
                                                              : ". " + change.reason;
      endpoint_.notify("window/showMessage", json{{"type", 1}, {"message", text}});
      break;
    }
    case supervise::ServerState::Stopped:
      if (entry->removing && !supervisor_.find(change.name)->has_process()) {
        // Removal happens after this callback returns: the server is still on the stack.
        asio::post(io_, [this, name = change.name] {
          auto e = entries_.find(name);
          if (e != entries_.end() && e->second->removing) drop(name);
        });
      }
      break;
    case supervise::ServerState::Stopping:
      break;
  }
}

void DevServersFeature::on_line(const std::string& name, const supervise::OutputLine& line) {
  if (endpoint_.sink().pending_bytes() > kMaxQueuedBytes) {
    ++output_skipped_;
  } else {
    json params{{"name", name}, {"stream", supervise::stream_name(line.stream)}, {"seq", line.seq}, {"text", line.text}};
    if (line.cut) params["cut"] = true;
    if (output_skipped_ > 0) {
      // Say so instead of dropping silently; the lines are in the backlog.
      params["skipped"] = output_skipped_;
      spdlog::warn("{} output lines were not streamed because the client reads slowly; "
                   "fetch them with devwatch/devServer/output", output_skipped_);
      output_skipped_ = 0;
    }
    endpoint_.notify("devwatch/devServer/output", std::move(params));
  }
  if (line.stream != supervise::Stream::Stderr) return;
  auto it = entries_.find(name);
  if (it == entries_.end() || !it->second->parser) return;
  auto found = absorb(*it->second, it->second->parser->feed(line.text));
  if (!found.empty()) publish(*it->second, found);
}

void DevServersFeature::retire(const std::string& name, const std::string& reason) {
  auto entry = entries_.find(name);
  if (entry == entries_.end()) return;
  entry->second->removing = true;
  auto* server = supervisor_.find(name);
  if (server && server->has_process()) {
    (void)supervisor_.stop(name, reason);  // dropped once its group is gone (on_state)
  } else {
    drop(name);
  }
}

void DevServersFeature::drop(const std::string& name) {
  auto entry = entries_.find(name);
  if (entry == entries_.end()) return;
  clear_diagnostics(*entry->second);
  (void)supervisor_.remove(name);
  entries_.erase(entry);
}

std::vector<diagnose::Diagnostic> DevServersFeature::absorb(Entry& entry,
                                                            std::vector<diagnose::CrashReport> reports) {
  std::vector<diagnose::Diagnostic> found;
  for (auto& report : reports) {
    if (!report.final_exception().empty()) entry.last_exception = report.final_exception();
    if (report.diagnostic) {
      entry.last_location = report.diagnostic->location;
      found.push_back(std::move(*report.diagnostic));
    }
  }
  return found;
}

void DevServersFeature::publish(Entry& entry, const std::vector<diagnose::Diagnostic>& diagnostics) {
  std::set<std::string> touched;
  for (const auto& d : diagnostics) {
    std::string uri = paths::path_to_uri(d.location.path);
    json related = json::array();
    for (const auto& r : d.related) {
      // Frames in site-packages or the standard library are noise in Problems:
      // the traceback in the output has them all.
      if (!diagnose::is_workspace_source(r.location.path, entry.root)) continue;
      related.push_back(json{{"location", {{"uri", paths::path_to_uri(r.location.path)}, {"range", range_json(r.location)}}},
                             {"message", r.message}});
    }
    json diag{{"range", range_json(d.location)}, {"severity", d.severity}, {"source", d.source}, {"message", d.message}};
    if (!related.empty()) diag["relatedInformation"] = related;
    auto& list = entry.diagnostics[uri];
    if (!list.is_array()) list = json::array();
    // The same traceback printed twice (a request retried) is one diagnostic.
    if (std::find(list.begin(), list.end(), diag) == list.end()) list.push_back(diag);
    touched.insert(uri);
  }
  for (const auto& uri : touched) {
    endpoint_.notify("textDocument/publishDiagnostics", json{{"uri", uri}, {"diagnostics", entry.diagnostics[uri]}});
  }
}

void DevServersFeature::clear_diagnostics(Entry& entry) {
  for (const auto& [uri, list] : entry.diagnostics) {
    endpoint_.notify("textDocument/publishDiagnostics", json{{"uri", uri}, {"diagnostics", json::array()}});
  }
  entry.diagnostics.clear();
}

json DevServersFeature::describe(const supervise::DevServer& server) const {
  const auto& spec = server.spec();
  const auto& last = server.last_change();
  json ready = json::object();
  if (spec.ready.port) ready["port"] = *spec.ready.port;
  if (spec.ready.host) ready["host"] = *spec.ready.host;
  if (spec.ready.pattern) ready["pattern"] = *spec.ready.pattern;
  json out{{"name", spec.name},
           {"root", paths::path_to_uri(spec.root)},
           {"state", supervise::state_name(server.state())},
           {"reason", last.reason},
           {"command", supervise::effective_argv(spec)},
           {"cwd", spec.cwd},
           {"restartOn", spec.restart_on},
           {"ignore", spec.ignore},
           {"ready", ready},
           {"stopSignal", config::signal_name(spec.stop_signal)},
           {"stopTimeoutMs", spec.stop_timeout_ms},
           {"autoStart", spec.auto_start},
           {"autoRestart", spec.auto_restart},
           {"trusted", options_.client.trusted},
           {"outputNextSeq", server.output().next_seq()}};
  if (auto pid = server.pid()) out["pid"] = *pid;
  if (last.exit_code) out["exitCode"] = *last.exit_code;
  if (last.signal) out["signal"] = config::signal_name(*last.signal);
  if (last.ready_ms) out["readyMs"] = *last.ready_ms;
  if (spec.ready.port) out["url"] = "http://" + spec.ready.host.value_or("127.0.0.1") + ":" + std::to_string(*spec.ready.port) + "/";
  return out;
}

json DevServersFeature::status() const {
  json servers = json::array();
  for (const auto& [name, entry] : entries_) {
    if (const auto* server = supervisor_.find(name)) servers.push_back(describe(*server));
  }
  return servers;
}

json DevServersFeature::config_status() const {
  json roots = json::array();
  for (const auto& [path, root] : roots_) {
    json r{{"root", paths::path_to_uri(path)}, {"source", root->description}, {"servers", root->names}};
    if (!root->explanation.empty()) r["explanation"] = root->explanation;
    if (!root->error.empty()) r["error"] = root->error;
    roots.push_back(std::move(r));
  }
  return roots;
}

json DevServersFeature::capabilities() const {
  return json{{"start", true}, {"stop", true}, {"restart", true}, {"output", true}, {"diagnostics", true},
              {"trusted", options_.client.trusted}};
}

std::optional<config::WatchSettings> DevServersFeature::watch_settings(const std::string& root) const {
  auto it = roots_.find(root);
  if (it == roots_.end()) return std::nullopt;
  return it->second->watch;
}

}  // namespace devwatch::session
