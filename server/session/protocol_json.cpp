// to_json of every result and notification in protocol.h: the one place
// their field names are spelled.
#include "session/protocol.h"

namespace devwatch::session {
namespace {

template <class T>
void put(json& out, const char* key, const std::optional<T>& value) {
  if (value) out[key] = *value;
}

template <class T>
json array_of(const std::vector<T>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(to_json(item));
  return out;
}

}  // namespace

json to_json(const WorkspaceFolder& folder) {
  return json{{"uri", folder.uri}, {"name", folder.name}, {"path", folder.path}};
}

json to_json(const Range& range) {
  return json{{"start", {{"line", range.line}, {"character", range.start}}},
              {"end", {{"line", range.line}, {"character", range.end}}}};
}

json to_json(const Location& location) { return json{{"uri", location.uri}, {"range", to_json(location.range)}}; }

json to_json(const SetupProblemInfo& p) {
  json out{{"kind", p.kind}, {"message", p.message}, {"fix", p.fix}};
  if (!p.searched_path.empty()) out["searchedPath"] = p.searched_path;
  put(out, "crashes", p.crashes);
  return out;
}

json to_json(const StartReport& s) {
  json out{{"mode", s.mode}};
  put(out, "reason", s.reason);
  put(out, "forkMs", s.fork_ms);
  return out;
}

json to_json(const ServerInfo& s) {
  json ready = json::object();
  put(ready, "port", s.ready.port);
  put(ready, "host", s.ready.host);
  put(ready, "pattern", s.ready.pattern);
  json out{{"name", s.name},
           {"root", s.root},
           {"state", s.state},
           {"reason", s.reason},
           {"command", s.command},
           {"cwd", s.cwd},
           {"restartOn", s.restart_on},
           {"ignore", s.ignore},
           {"ready", ready},
           {"stopSignal", s.stop_signal},
           {"stopTimeoutMs", s.stop_timeout_ms},
           {"autoStart", s.auto_start},
           {"autoRestart", s.auto_restart},
           {"trusted", s.trusted},
           {"outputNextSeq", s.output_next_seq}};
  put(out, "pid", s.pid);
  put(out, "exitCode", s.exit_code);
  put(out, "signal", s.signal);
  put(out, "readyMs", s.ready_ms);
  if (s.preload) out["preload"] = true;
  if (s.start) out["start"] = to_json(*s.start);
  put(out, "url", s.url);
  if (s.setup_problem) out["setupProblem"] = to_json(*s.setup_problem);
  return out;
}

json to_json(const ServerList& list) { return json{{"servers", array_of(list.servers)}}; }

json to_json(const OutputResult& r) {
  json lines = json::array();
  for (const auto& line : r.lines) {
    lines.push_back(json{{"seq", line.seq}, {"stream", line.stream}, {"text", line.text}});
    if (line.cut) lines.back()["cut"] = true;
  }
  return json{{"name", r.name}, {"lines", lines}, {"dropped", r.dropped}, {"nextSeq", r.next_seq}};
}

json to_json(const SubscribeResult& r) { return json{{"subscriptionId", r.subscription_id}}; }

json to_json(const ConfigInfo& c) {
  json out{{"root", c.root}, {"source", c.source}, {"servers", c.servers}};
  if (!c.explanation.empty()) out["explanation"] = c.explanation;
  put(out, "error", c.error);
  put(out, "hint", c.hint);
  return out;
}

json to_json(const InitializeResult& r) {
  json devwatch{{"version", 1}, {"status", true}};
  if (const auto& f = r.capabilities.files) {
    // excludeBaseUri: watch.exclude takes {baseUri, pattern} (config/exclude.h);
    // a client that sends them checks for it (devwatch.django does).
    devwatch["files"] = json{{"subscribe", true},
                             {"excludeBaseUri", true},
                             {"backend", f->backend},
                             {"backendReason", f->backend_reason}};
  }
  if (const auto& trusted = r.capabilities.servers_trusted) {
    devwatch["devServers"] = json{{"start", true}, {"stop", true}, {"restart", true}, {"output", true},
                                  {"diagnostics", true}, {"trusted", *trusted}};
  }
  json capabilities{
      {"workspace", {{"workspaceFolders", {{"supported", true}, {"changeNotifications", true}}}}},
      {"experimental", {{"devwatch", devwatch}}},
  };
  return json{{"capabilities", capabilities}, {"serverInfo", {{"name", "devwatch"}, {"version", r.version}}}};
}

json to_json(const StatusResult& r) {
  return json{{"version", r.version},          {"pid", r.pid},
              {"uptimeMs", r.uptime_ms},       {"workspaceFolders", array_of(r.folders)},
              {"watcher", r.watcher},          {"devServers", array_of(r.dev_servers)},
              {"config", array_of(r.config)}};
}

json to_json(const StateChanged& n) {
  json out{{"name", n.name}, {"state", n.state}, {"reason", n.reason}};
  put(out, "root", n.root);
  put(out, "cause", n.cause);
  if (n.restarting) out["restarting"] = true;
  if (n.overlapped) out["overlapped"] = true;
  put(out, "pid", n.pid);
  put(out, "exitCode", n.exit_code);
  put(out, "signal", n.signal);
  put(out, "readyMs", n.ready_ms);
  if (!n.changed_files.empty()) out["changedFiles"] = n.changed_files;
  put(out, "changedCount", n.changed_count);
  if (!n.last_lines.empty()) out["lastLines"] = n.last_lines;
  if (n.killed) out["killed"] = true;
  json timings = json::object();
  put(timings, "eventToSpawnMs", n.timings.event_to_spawn_ms);
  put(timings, "goneToSpawnMs", n.timings.gone_to_spawn_ms);
  put(timings, "spawnToReadyMs", n.timings.spawn_to_ready_ms);
  put(timings, "probeSlackMs", n.timings.probe_slack_ms);
  if (!timings.empty()) out["timings"] = timings;
  put(out, "exception", n.exception);
  if (n.location) out["location"] = to_json(*n.location);
  if (n.setup_problem) out["setupProblem"] = to_json(*n.setup_problem);
  put(out, "url", n.url);
  if (n.start) out["start"] = to_json(*n.start);
  return out;
}

json to_json(const OutputNotification& n) {
  json out{{"name", n.name}, {"stream", n.stream}, {"seq", n.seq}, {"text", n.text}};
  if (n.cut) out["cut"] = true;
  put(out, "skipped", n.skipped);
  return out;
}

json to_json(const DiagnosticInfo& d) {
  json out{{"range", to_json(d.range)}, {"severity", d.severity}, {"source", d.source}, {"message", d.message}};
  if (!d.related.empty()) {
    json related = json::array();
    for (const auto& r : d.related) related.push_back(json{{"location", to_json(r.location)}, {"message", r.message}});
    out["relatedInformation"] = related;
  }
  return out;
}

json to_json(const PublishDiagnostics& n) { return json{{"uri", n.uri}, {"diagnostics", array_of(n.diagnostics)}}; }

json to_json(const FilesDidChange& n) {
  json changes = json::array();
  for (const auto& c : n.changes) changes.push_back(json{{"uri", c.uri}, {"type", c.type}});
  json out{{"subscriptionId", n.subscription_id}, {"changes", changes}};
  if (n.resync_reason) out["resync"] = json{{"reason", *n.resync_reason}};
  return out;
}

json to_json(const ShowMessage& n) { return json{{"type", static_cast<int>(n.type)}, {"message", n.message}}; }

json to_json(const LogMessage& n) { return json{{"type", static_cast<int>(n.type)}, {"message", n.message}}; }

json to_json(const Progress& n) {
  json value{{"kind", n.kind}};
  put(value, "title", n.title);
  put(value, "cancellable", n.cancellable);
  put(value, "message", n.message);
  put(value, "percentage", n.percentage);
  return json{{"token", n.token}, {"value", value}};
}

json to_json(const WorkDoneProgressCreate& r) { return json{{"token", r.token}}; }

}  // namespace devwatch::session
