#include "workspace/root.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "proxy/upstream.h"
#include "supervise/upstream_port.h"
#include "supervise/restart_rules.h"
#include "workspace/watch_settings.h"
#include "workspace/workspace.h"

namespace devwatch::workspace {

Root::Root(Workspace& workspace, Folder folder)
    : ws_(workspace), folder_(std::move(folder)), config_path_(folder_.path + "/" + config::kConfigFileName) {}

void Root::load(bool reload, std::optional<Result<config::LoadedConfig>> preloaded) {
  auto loaded = preloaded ? std::move(*preloaded) : ws_.load_config(folder_.path);
  if (!loaded) {
    error_ = loaded.error().message;
    hint_.clear();  // a devwatch.json is here now, if an invalid one
    ws_.listener_.config_problem(ConfigProblem{folder_.path, folder_.name, "", error_, reload});
    return;
  }
  error_.clear();
  if (reload) spdlog::info("configuration of {} reloaded ({})", folder_.path, loaded->description);
  auto before = watch_;
  apply(loaded.value());
  if (reload && watched_ && ws_.watcher_) {
    auto now = ignore_options(watch_.value_or(config::WatchSettings{}));
    auto old = ignore_options(before.value_or(config::WatchSettings{}));
    if (now.excludes != old.excludes || now.respect_gitignore != old.respect_gitignore) {
      // The new excludes apply at once: their trees lose their watches and
      // send no more changes (no restart of devwatch needed).
      if (auto set = ws_.watcher_->set_root_ignore(folder_.path, now); !set) {
        ws_.listener_.config_problem(ConfigProblem{folder_.path, folder_.name, "", set.error().message, true});
      }
    }
  }
}

void Root::apply(const config::LoadedConfig& loaded) {
  description_ = loaded.description;
  explanation_ = loaded.explanation;
  hint_ = loaded.hint;
  if (!hint_.empty() && !hinted_) {
    hinted_ = true;
    ws_.listener_.config_hint(ConfigHint{folder_.path, folder_.name, hint_});
  }
  watch_ = loaded.config.watch;
  const auto& overrides = ws_.options_.overrides;
  std::vector<std::string> names;
  for (auto spec : loaded.config.servers) {
    if (overrides.auto_start) spec.auto_start = *overrides.auto_start;
    if (overrides.auto_restart) spec.auto_restart = *overrides.auto_restart;
    // Untrusted: a consented start covers one start, so no retry after a crash.
    if (!overrides.trusted) spec.auto_restart = false;
    if (overrides.preload) spec.preload.enabled = *overrides.preload;
    if (spec.root.empty()) spec.root = folder_.path;
    if (overrides.adjust) overrides.adjust(spec);
    // Names are unique per window; a clash between folders is resolved by
    // qualifying with the folder's name.
    if (const Root* other = ws_.owner(spec.name); other && other != this) spec.name = folder_.name + "/" + spec.name;
    std::string name = spec.name;
    bool auto_start = spec.auto_start;
    bool known = servers_.count(name) != 0;
    int upstream = 0;
    supervise::ServerSpec proxied;
    if (spec.proxy.enabled()) {
      prepare_proxy(known ? &servers_.at(name) : nullptr, spec, upstream);
      proxied = spec;
    }
    // The supervisor decides whether the change needs a restart.
    Result<supervise::DevServer*> updated = update_server(std::move(spec));
    if (!updated) {
      ws_.listener_.config_problem(ConfigProblem{folder_.path, folder_.name, name, updated.error().message, false});
      if (!known) continue;
    }
    names.push_back(name);
    auto& server = servers_.try_emplace(name, Server{CrashTracker(folder_.path), false, nullptr, 0})
                       .first->second;
    server.removing = false;
    configure_proxy(name, server, proxied, upstream);
    ws_.owners_[name] = this;
    // Servers added by a reload start at once; the first load waits for start_auto().
    if (!known && ws_.started_auto_ && auto_start && overrides.trusted) {
      (void)ws_.supervisor_.start(name, supervise::Cause::Config, "configuration added it");
    }
  }
  for (const auto& old : names_) {
    if (std::find(names.begin(), names.end(), old) == names.end()) retire(old, "removed from the configuration");
  }
  names_ = std::move(names);
}

Result<supervise::DevServer*> Root::update_server(supervise::ServerSpec spec) {
  if (ws_.options_.overrides.trusted) return ws_.supervisor_.update(std::move(spec));
  return update_untrusted(std::move(spec));
}

// An untrusted workspace runs only what the user consented to start: an
// edit that would restart a running server (its command, cwd, env, ...)
// stops it instead of running the new command.
Result<supervise::DevServer*> Root::update_untrusted(supervise::ServerSpec spec) {
  auto* server = ws_.supervisor_.find(spec.name);
  if (server == nullptr || !server->has_process() || !supervise::spec_change_needs_restart(server->spec(), spec)) {
    return ws_.supervisor_.update(std::move(spec));
  }
  if (auto valid = supervise::validate_spec(spec); !valid) return valid.error();
  std::string name = spec.name;
  (void)ws_.supervisor_.stop(name, supervise::Cause::Config, "configuration changed; not restarted: the workspace is not trusted");
  server->set_spec(std::move(spec));
  ws_.withhold(name, "the configuration of '" + name + "' changed, so devwatch stopped it and did not run the new "
                     "command: the workspace is not trusted. Start it again to run the new command once, or trust "
                     "the workspace.");
  return server;
}

void Root::prepare_proxy(Server* known, supervise::ServerSpec& spec, int& port) {
  if (supervise::overlapped_restarts(spec)) {
    // The supervisor gives each start a fresh port; the proxy learns it from
    // the state changes.
    port = 0;
    return;
  }
  port = known ? known->upstream_port : 0;
  if (port == 0) {
    auto free = supervise::free_loopback_port();
    if (!free) {
      ws_.listener_.config_problem(ConfigProblem{folder_.path, folder_.name, spec.name, free.error().message, false});
      return;
    }
    port = *free;
  }
  port = supervise::apply_upstream_port(spec, port);
}

void Root::configure_proxy(const std::string& name, Server& server, const supervise::ServerSpec& spec, int port) {
  auto* dev = ws_.supervisor_.find(name);
  if (!spec.proxy.enabled()) {
    if (dev && server.proxy) {
      dev->set_stop_gate({});
      dev->set_retire_gate({});
    }
    server.proxy.reset();
    return;
  }
  server.upstream_port = port;
  bool fresh = !server.proxy;
  if (fresh) server.proxy = std::make_unique<proxy::Proxy>(ws_.io_, name);
  if (auto configured = server.proxy->configure(spec.proxy, port); !configured) {
    ws_.listener_.config_problem(ConfigProblem{folder_.path, folder_.name, name, configured.error().message, false});
    if (fresh) server.proxy.reset();
    return;
  }
  if (dev) {
    dev->set_stop_gate(server.proxy->stop_gate());
    dev->set_retire_gate(server.proxy->retire_gate());
  }
  // Until the server reports a state: held if it is about to start, else the "stopped" page.
  if (fresh && !(spec.auto_start && ws_.options_.overrides.trusted)) {
    server.proxy->server_state(supervise::ServerState::Stopped,
                               proxy::Outage{name, "stopped", "not started (autoStart is off, or the folder is not trusted)", "", ""});
  }
}

const proxy::Proxy* Root::proxy_of(const std::string& name) const {
  auto it = servers_.find(name);
  return it == servers_.end() ? nullptr : it->second.proxy.get();
}

void Root::files_changed(const std::vector<std::string>& paths) {
  for (auto& [name, server] : servers_) {
    if (!server.proxy) continue;
    const auto* dev = ws_.supervisor_.find(name);
    if (!dev) continue;
    std::vector<std::string> mine;
    for (const auto& path : paths) {
      if (path.rfind(folder_.path + "/", 0) == 0) mine.push_back(path);
    }
    if (mine.empty()) continue;
    // A change that restarts the server reloads pages once it is ready again.
    supervise::RestartRules rules(dev->spec());
    if (std::any_of(mine.begin(), mine.end(), [&](const std::string& p) { return rules.matches(p); })) continue;
    server.proxy->changed_without_restart(proxy::classify_changes(mine));
  }
}

RootStatus Root::status() const {
  return RootStatus{folder_.path, description_, names_, explanation_, error_, hint_};
}

void Root::retire_all(const std::string& reason) {
  auto names = names_;
  for (const auto& name : names) retire(name, reason);
  names_.clear();
}

void Root::retire(const std::string& name, const std::string& reason) {
  auto it = servers_.find(name);
  if (it == servers_.end()) return;
  it->second.removing = true;
  const auto* server = ws_.supervisor_.find(name);
  if (server && server->has_process()) {
    (void)ws_.supervisor_.stop(name, supervise::Cause::Removed, reason);  // dropped once its group is gone (on_state)
  } else {
    drop(name);
  }
}

void Root::drop(const std::string& name) {
  auto it = servers_.find(name);
  if (it == servers_.end()) return;
  publish(name, it->second, it->second.crash.clear());
  (void)ws_.supervisor_.remove(name);
  servers_.erase(it);
  if (auto owner = ws_.owners_.find(name); owner != ws_.owners_.end() && owner->second == this) ws_.owners_.erase(owner);
}

void Root::publish(const std::string& name, Server& server, const std::vector<std::string>& files) {
  for (const auto& path : files) {
    ws_.listener_.diagnostics_changed(DiagnosticsChanged{name, path, server.crash.diagnostics(path)});
  }
}

void Root::on_state(const supervise::StateChange& change) {
  auto it = servers_.find(change.name);
  if (it == servers_.end()) return;
  Server& server = it->second;
  const auto* dev = ws_.supervisor_.find(change.name);
  bool crashed = change.state == supervise::ServerState::Crashed || change.state == supervise::ServerState::Backoff;
  std::vector<std::string> found;
  if (crashed) found = server.crash.finish();
  ServerChanged event{change, folder_.path, dev ? &dev->spec() : nullptr, "", std::nullopt};
  if (crashed) {
    event.exception = server.crash.exception();
    event.location = server.crash.location();
  }
  ws_.listener_.server_changed(event);
  if (server.proxy) {
    proxy::Outage outage{change.name, supervise::state_name(change.state), change.reason, event.exception, ""};
    if (event.location) outage.frame = event.location->path + ":" + std::to_string(event.location->line + 1);
    server.proxy->server_state(change, outage);
  }

  switch (change.state) {
    case supervise::ServerState::Starting:
      server.crash.on_start(dev ? dev->spec().cwd : folder_.path);
      break;
    case supervise::ServerState::Ready:
      publish(change.name, server, server.crash.clear());
      break;
    case supervise::ServerState::Crashed:
    case supervise::ServerState::Backoff:
      publish(change.name, server, found);
      break;
    case supervise::ServerState::Stopped:
      if (server.removing && dev && !dev->has_process()) {
        // Removal happens after this callback returns: the server is still on the stack.
        asio::post(ws_.io_, [this, name = change.name] {
          auto s = servers_.find(name);
          if (s != servers_.end() && s->second.removing) drop(name);
        });
      }
      break;
    case supervise::ServerState::Stopping:
      break;
  }
}

void Root::on_line(const std::string& name, const supervise::OutputLine& line) {
  ws_.listener_.output_line(name, line);
  if (line.stream != supervise::Stream::Stderr) return;
  auto it = servers_.find(name);
  if (it == servers_.end()) return;
  publish(name, it->second, it->second.crash.feed(line.text));
}

}  // namespace devwatch::workspace
