#include "workspace/workspace.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/json.h"
#include "preload/zygote.h"
#include "workspace/watch_settings.h"

namespace devwatch::workspace {
namespace {

supervise::SupervisorOptions supervisor_options(asio::io_context& io, const WorkspaceOptions& options) {
  supervise::SupervisorOptions out = options.supervisor;
  if (!out.server.preloader_factory) out.server.preloader_factory = preload::zygote_factory(io, options.shim_path);
  out.shim_path = options.shim_path;
  out.clock = options.clock;
  return out;
}

}  // namespace

Workspace::Workspace(asio::io_context& io, WorkspaceOptions options, Listener& listener)
    : io_(io), options_(std::move(options)), listener_(listener),
      supervisor_(io, supervisor_options(io, options_)) {
  supervisor_.on_state_change([this](const supervise::StateChange& change) {
    if (Root* root = owner(change.name)) return root->on_state(change);
    const auto* server = supervisor_.find(change.name);
    listener_.server_changed(ServerChanged{change, "", server ? &server->spec() : nullptr, "", std::nullopt});
  });
  supervisor_.on_output([this](const std::string& name, const supervise::OutputLine& line) {
    if (Root* root = owner(name)) return root->on_line(name, line);
    listener_.output_line(name, line);
  });
  // The watcher's settings come from the first folder's configuration. It is
  // read once, here, and handed to that folder's Root in open(), where an
  // invalid one is reported.
  watch::WatcherOptions watcher_opts;
  if (!options_.folders.empty()) {
    first_config_ = load_config(options_.folders.front().path);
    if (*first_config_) {
      const auto& w = first_config_->value().config.watch;
      watcher_opts = watcher_options(w);
      settle_ms_ = w.settle_ms;
    }
  }
  watcher_opts.clock = options_.clock;
  watcher_ = std::make_unique<watch::Watcher>(
      io_, watcher_opts,
      watch::Watcher::Callbacks{
          [this](const watch::Batch& batch) { on_batch(batch); },
          [this](const watch::Problem& problem) { listener_.watcher_problem(problem); },
          [this](const watch::CrawlProgress& progress) { listener_.crawl_progress(progress); },
      });
}

Workspace::~Workspace() = default;

Result<config::LoadedConfig> Workspace::load_config(const std::string& root) const {
  if (options_.overrides.load) return options_.overrides.load(root);
  return config::load_workspace_config(root, options_.overrides.settings, config::process_env());
}

void Workspace::open() {
  auto folders = options_.folders;
  for (const auto& folder : folders) add_folder(folder);
}

void Workspace::add_folder(const Folder& folder) {
  if (roots_.count(folder.path)) return;
  auto root = std::make_unique<Root>(*this, folder);
  Root& ref = *root;
  roots_[folder.path] = std::move(root);
  // The folder's configuration first: its watch settings decide what its
  // crawl skips (ignored trees cost no inotify watches).
  bool first = !options_.folders.empty() && options_.folders.front().path == folder.path;
  ref.load(false, first ? std::exchange(first_config_, std::nullopt) : std::nullopt);
  watch_root(ref);
}

void Workspace::watch_root(Root& root) {
  if (!watcher_) return;
  const auto& settings = root.watch_settings();
  auto added = settings ? watcher_->add_root(root.folder().path, ignore_options(*settings))
                        : watcher_->add_root(root.folder().path);
  if (!added) {
    listener_.watcher_problem(watch::Problem{watch::Severity::Error, "watch-failed", root.folder().path,
                                             "cannot watch " + root.folder().path + ": " + added.error().message, ""});
    return;
  }
  root.set_watched(true);
  watched_.push_back(root.folder().path);
}

void Workspace::remove_folder(const std::string& path) {
  auto it = roots_.find(path);
  if (it == roots_.end()) return;
  if (watcher_) watcher_->remove_root(path);
  std::erase(watched_, path);
  // Its servers stop first; they are dropped once their groups are gone.
  it->second->retire_all("workspace folder removed");
  // The Root stays until its servers are gone: their callbacks still reach it.
  auto keep = std::shared_ptr<Root>(std::move(it->second));
  roots_.erase(it);
  retired_.push_back(std::move(keep));
}

AutoStartReport Workspace::start_auto() {
  started_auto_ = true;
  AutoStartReport report;
  if (!options_.overrides.trusted) {
    report.untrusted_skipped = owners_.size();
    return report;
  }
  for (auto* server : supervisor_.servers()) {
    if (!server->spec().auto_start || server->has_process()) continue;
    // A failure is also reported through the state callback (crashed).
    if (auto started = server->start(supervise::Cause::AutoStart, "autoStart"); !started) report.failed.emplace_back(server->name(), started.error());
  }
  return report;
}

void Workspace::stop_all(std::function<void()> done) { supervisor_.stop_all(std::move(done)); }

void Workspace::close_watcher() { watcher_.reset(); }

void Workspace::on_batch(const watch::Batch& batch) {
  std::vector<std::string> paths;
  paths.reserve(batch.changes.size());
  for (const auto& change : batch.changes) {
    paths.push_back(change.path);
    for (auto& [path, root] : roots_) {
      if (change.path == root->config_path()) root->load(true);
    }
  }
  // Each server decides which of them concern it (its restart rules).
  if (options_.overrides.trusted) {
    supervisor_.on_changes(paths);
  } else {
    for (const auto* server : supervisor_.servers()) {
      if (!server->has_process()) continue;
      if (std::none_of(paths.begin(), paths.end(), [&](const std::string& p) { return server->relevant(p); })) continue;
      withhold(server->name(), "devwatch did not restart '" + server->name() + "' after files changed: the workspace is not "
                               "trusted and the start you asked for covers that one start. Stop and start it again, or "
                               "trust the workspace to get restarts on change.");
    }
  }
  for (auto& [path, root] : roots_) root->files_changed(paths);
  listener_.files_changed(batch);
}

Root* Workspace::owner(const std::string& name) const {
  auto it = owners_.find(name);
  return it == owners_.end() ? nullptr : it->second;
}

Result<std::string> Workspace::resolve(const std::optional<std::string>& name) const {
  if (name) {
    if (owners_.count(*name)) return *name;
  } else if (owners_.size() == 1) {
    return owners_.begin()->first;
  }
  json known = json::array();
  std::string list;
  for (const auto& [n, root] : owners_) {
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

namespace {

Error untrusted(const std::string& name) {
  return make_error(ErrorCode::Untrusted, "the workspace is not trusted: devwatch does not run commands from its "
                                          "configuration. Trust the workspace, or start '" + name +
                                          "' explicitly (a start request with consent) to run it once.");
}

}  // namespace

void Workspace::withhold(const std::string& name, const std::string& message) {
  spdlog::debug("{}", message);  // the listener tells the user, once
  if (withheld_[name].insert(message).second) listener_.run_withheld(RunWithheld{name, message});
}

Result<const supervise::DevServer*> Workspace::find(const std::optional<std::string>& name) const {
  auto resolved = resolve(name);
  if (!resolved) return resolved.error();
  return supervisor_.find(resolved.value());
}

Result<const supervise::DevServer*> Workspace::start(const std::optional<std::string>& name, bool consent) {
  auto resolved = resolve(name);
  if (!resolved) return resolved.error();
  if (!options_.overrides.trusted) {
    if (!consent) return untrusted(resolved.value());
    spdlog::info("starting {} with the user's consent for this one start: the workspace is not trusted", resolved.value());
    withheld_.erase(resolved.value());
  }
  if (auto r = supervisor_.start(resolved.value(), supervise::Cause::Request, "start requested"); !r) return r.error();
  return supervisor_.find(resolved.value());
}

Result<const supervise::DevServer*> Workspace::stop(const std::optional<std::string>& name) {
  auto resolved = resolve(name);
  if (!resolved) return resolved.error();
  if (auto r = supervisor_.stop(resolved.value(), supervise::Cause::Request, "stop requested"); !r) return r.error();
  return supervisor_.find(resolved.value());
}

Result<const supervise::DevServer*> Workspace::restart(const std::optional<std::string>& name) {
  auto resolved = resolve(name);
  if (!resolved) return resolved.error();
  if (!options_.overrides.trusted) return untrusted(resolved.value());
  if (auto r = supervisor_.restart(resolved.value(), supervise::Cause::Request, "restart requested"); !r) return r.error();
  return supervisor_.find(resolved.value());
}

std::vector<const supervise::DevServer*> Workspace::servers() const {
  std::vector<const supervise::DevServer*> out;
  for (const auto& [name, root] : owners_) {
    if (const auto* server = supervisor_.find(name)) out.push_back(server);
  }
  return out;
}

std::vector<RootStatus> Workspace::config_status() const {
  std::vector<RootStatus> out;
  for (const auto& [path, root] : roots_) out.push_back(root->status());
  return out;
}

std::vector<std::string> Workspace::roots() const {
  return watched_;
}

}  // namespace devwatch::workspace
