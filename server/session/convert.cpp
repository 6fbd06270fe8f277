#include "session/convert.h"

#include <algorithm>

#include "config/signals.h"
#include "paths/uri.h"
#include "proxy/proxy.h"

namespace devwatch::session {

namespace {

StartReport start_report(const supervise::StartInfo& start) {
  StartReport out;
  out.mode = supervise::start_mode_name(start.mode);
  if (start.mode == supervise::StartMode::Cold && !start.reason.empty()) out.reason = start.reason;
  out.fork_ms = start.fork_ms;
  return out;
}

}  // namespace

Range range_of(const diagnose::Location& loc) {
  int end = loc.end_column >= 0 ? loc.end_column : std::max(loc.column + 1, 1000);
  return Range{loc.line, loc.column, end};
}

Location location_of(const diagnose::Location& loc) { return Location{paths::path_to_uri(loc.path), range_of(loc)}; }

SetupProblemInfo setup_problem_info(const supervise::SetupProblem& p) {
  SetupProblemInfo info{supervise::setup_kind_name(p.kind), p.message, p.fix, p.searched, std::nullopt};
  if (p.kind == supervise::SetupProblem::Kind::SameCrash) info.crashes = p.crashes;
  return info;
}

ServerInfo server_info(const supervise::DevServer& server, bool trusted) {
  const auto& spec = server.spec();
  const auto& last = server.last_change();
  ServerInfo info;
  info.name = spec.name;
  info.root = paths::path_to_uri(spec.root);
  info.state = supervise::state_name(server.state());
  info.reason = last.reason;
  info.command = supervise::effective_argv(spec);
  info.cwd = spec.cwd;
  info.restart_on = spec.restart_on;
  info.ignore = spec.ignore;
  info.ready = ReadyInfo{spec.ready.port, spec.ready.host, spec.ready.pattern};
  info.stop_signal = config::signal_name(spec.stop_signal);
  info.stop_timeout_ms = spec.stop_timeout_ms;
  info.auto_start = spec.auto_start;
  info.auto_restart = spec.auto_restart;
  info.trusted = trusted;
  info.output_next_seq = server.output().next_seq();
  if (auto pid = server.pid()) info.pid = static_cast<int>(*pid);
  info.exit_code = last.exit_code;
  if (last.signal) info.signal = config::signal_name(*last.signal);
  info.ready_ms = last.ready_ms;
  if (auto setup = server.setup_problem()) info.setup_problem = setup_problem_info(*setup);
  info.url = proxy::browser_url(spec);  // the proxy's when it has one
  info.preload = spec.preload.enabled;
  if (last.start) info.start = start_report(*last.start);
  return info;
}

StateChanged state_changed(const workspace::ServerChanged& event) {
  const auto& c = event.change;
  StateChanged n;
  n.name = c.name;
  if (!event.root.empty()) n.root = paths::path_to_uri(event.root);
  n.state = supervise::state_name(c.state);
  n.reason = c.reason;
  n.cause = supervise::cause_name(c.cause);
  n.restarting = c.restarting;
  n.overlapped = c.serving_port.has_value();
  if (c.changed_count > 0) n.changed_count = c.changed_count;
  if (c.pid) n.pid = static_cast<int>(*c.pid);
  n.exit_code = c.exit_code;
  if (c.signal) n.signal = config::signal_name(*c.signal);
  n.ready_ms = c.ready_ms;
  for (const auto& f : c.changed_files) n.changed_files.push_back(paths::path_to_uri(f));
  for (const auto& l : c.last_lines) n.last_lines.push_back(l.text);
  n.killed = c.killed;
  n.timings = RestartTimings{c.timings.event_to_spawn_ms, c.timings.gone_to_spawn_ms, c.timings.spawn_to_ready_ms,
                             c.timings.probe_slack_ms};
  if (c.start) n.start = start_report(*c.start);
  if (!event.exception.empty()) n.exception = event.exception;
  if (event.location) n.location = location_of(*event.location);
  if (c.setup) n.setup_problem = setup_problem_info(*c.setup);
  if (event.spec) n.url = proxy::browser_url(*event.spec);
  return n;
}

DiagnosticInfo diagnostic_info(const diagnose::Diagnostic& d) {
  DiagnosticInfo info{range_of(d.location), d.severity, d.source, d.message, {}};
  for (const auto& r : d.related) info.related.push_back(RelatedInfo{location_of(r.location), r.message});
  return info;
}

ConfigInfo config_info(const workspace::RootStatus& status) {
  ConfigInfo info{paths::path_to_uri(status.root), status.source, status.servers, status.explanation, std::nullopt,
                  std::nullopt};
  if (!status.error.empty()) info.error = status.error;
  if (!status.hint.empty()) info.hint = status.hint;
  return info;
}

}  // namespace devwatch::session
