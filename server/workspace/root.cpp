#include "workspace/root.h"

#include <algorithm>

#include <spdlog/spdlog.h>

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
  apply(std::move(loaded.value()));
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

void Root::apply(config::LoadedConfig loaded) {
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
    if (overrides.preload) spec.preload.enabled = *overrides.preload;
    if (spec.root.empty()) spec.root = folder_.path;
    if (overrides.adjust) overrides.adjust(spec);
    // Names are unique per window; a clash between folders is resolved by
    // qualifying with the folder's name.
    if (Root* other = ws_.owner(spec.name); other && other != this) spec.name = folder_.name + "/" + spec.name;
    std::string name = spec.name;
    bool auto_start = spec.auto_start;
    bool known = servers_.count(name) != 0;
    // The supervisor decides whether the change needs a restart.
    auto updated = ws_.supervisor_.update(std::move(spec));
    if (!updated) {
      ws_.listener_.config_problem(ConfigProblem{folder_.path, folder_.name, name, updated.error().message, false});
      if (!known) continue;
    }
    names.push_back(name);
    auto& server = servers_.try_emplace(name, Server{CrashTracker(folder_.path), false})
                       .first->second;
    server.removing = false;
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
