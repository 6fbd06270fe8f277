#include "session/server.h"

#include <unistd.h>

#include <utility>

#include <spdlog/spdlog.h>

#include "common/log.h"
#include "common/version.h"
#include "config/load.h"
#include "session/watch_settings.h"

namespace devwatch::session {

LspServer::LspServer(asio::io_context& io, rpc::Sink& sink, ServerOptions options)
    : io_(io), sink_(sink), options_(std::move(options)), endpoint_(sink, methods_) {
  register_methods();
  // Warnings and errors also reach the client (window/logMessage), once it
  // can receive them. Logs may come from any thread: post onto the loop.
  std::weak_ptr<bool> alive = alive_;
  set_log_forwarder([this, alive, &io](spdlog::level::level_enum level, const std::string& message) {
    asio::post(io, [this, alive, level, message] {
      if (alive.expired() || endpoint_.lifecycle().phase() != Phase::Running) return;
      auto type = level >= spdlog::level::err ? MessageType::Error : MessageType::Warning;
      endpoint_.notify("window/logMessage", json{{"type", static_cast<int>(type)}, {"message", message}});
    });
  });
}

LspServer::~LspServer() { set_log_forwarder({}); }

void LspServer::initialize(InitializeParams params, Reply reply) {
  auto client = ClientSettings::parse(params.initialization_options);
  if (!client) return reply(client.error());
  init_ = std::move(params);
  folders_ = init_.folders;
  if (init_.process_id) {
    parent_ = std::make_unique<ParentWatch>(io_, *init_.process_id, [this] {
      begin_exit(endpoint_.lifecycle().exit_code(), "client process exited");
    });
  }
  spdlog::info("initialize from {} with {} workspace folder(s)",
               init_.client_name.empty() ? "an unnamed client" : init_.client_name, folders_.size());

  // The watcher's settings come from the first folder's configuration. It is
  // read once, here, and handed to the dev servers when the folders are
  // added after the reply, where an invalid one is reported.
  FilesFeature::Options files;
  if (!folders_.empty()) {
    first_config_ = config::load_workspace_config(folders_.front().path, client->settings, config::process_env());
    if (*first_config_) {
      const auto& w = first_config_->value().config.watch;
      files.watcher = watcher_options(w);
      files.settle_ms = w.settle_ms;
    }
  }
  files_ = std::make_unique<FilesFeature>(io_, endpoint_, files);
  files_->set_work_done_progress(init_.work_done_progress);
  dev_servers_ = std::make_unique<DevServersFeature>(
      io_, endpoint_, DevServersFeature::Options{options_.shim_path, std::move(client.value())});
  files_->add_listener([this](const watch::Batch& batch) {
    if (dev_servers_) dev_servers_->on_changes(batch);
  });

  endpoint_.lifecycle().on_initialized_reply();
  reply(json{{"capabilities", capabilities()},
             {"serverInfo", {{"name", "devwatch"}, {"version", options_.version}}}});
  // Watching and dev servers start right after the reply: LSP allows
  // notifications from then on, and none of it should wait for the client.
  asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (!alive.expired() && !exiting_) start_features();
  });
}

void LspServer::start_features() {
  for (const auto& folder : folders_) add_folder(folder, std::exchange(first_config_, std::nullopt));
  dev_servers_->start_auto();
}

void LspServer::add_folder(const WorkspaceFolder& folder, std::optional<Result<config::LoadedConfig>> loaded) {
  // The folder's configuration first: its watch settings decide what its
  // crawl skips (ignored trees cost no inotify watches).
  dev_servers_->add_root(folder, std::move(loaded));
  if (auto watch = dev_servers_->watch_settings(folder.path)) {
    auto ignore = ignore_options(*watch);
    files_->add_root(folder, &ignore);
  } else {
    files_->add_root(folder);
  }
}

json LspServer::capabilities() const {
  json devwatch{{"version", 1}, {"status", true}};
  if (files_) devwatch["files"] = files_->capabilities();
  if (dev_servers_) devwatch["devServers"] = dev_servers_->capabilities();
  return json{
      {"workspace", {{"workspaceFolders", {{"supported", true}, {"changeNotifications", true}}}}},
      {"experimental", {{"devwatch", devwatch}}},
  };
}

void LspServer::initialized() { spdlog::debug("client confirmed initialization"); }

void LspServer::shutdown(Reply reply) {
  endpoint_.lifecycle().on_shutdown();
  spdlog::info("shutdown requested");
  // The reply waits until every dev server's process group is gone, so a
  // client that gets it knows the ports are free.
  auto shared = std::make_shared<Reply>(std::move(reply));
  stop_dev_servers([shared] { (*shared)(json(nullptr)); });
}

void LspServer::stop_dev_servers(std::function<void()> done) {
  if (!dev_servers_) return done();
  dev_servers_->stop_all(std::move(done));
}

void LspServer::exit_notification() {
  begin_exit(endpoint_.lifecycle().exit_code(), "exit notification");
}

void LspServer::stop(const std::string& reason) {
  spdlog::info("{}; exiting", reason);
  begin_exit(endpoint_.lifecycle().exit_code(), reason);
}

void LspServer::begin_exit(int code, const std::string& why) {
  if (exiting_) return;
  exiting_ = true;
  spdlog::debug("exiting with code {} ({})", code, why);
  parent_.reset();
  files_.reset();  // no more events while the servers stop and the last messages drain
  stop_dev_servers([this, code] {
    if (on_exit) on_exit(code);
  });
}

void LspServer::status(Reply reply) { reply(status_json()); }

json LspServer::status_json() const {
  json folders = json::array();
  for (const auto& folder : folders_) folders.push_back(to_json(folder));
  auto uptime = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
  return json{
      {"version", options_.version},
      {"pid", static_cast<int>(::getpid())},
      {"uptimeMs", uptime.count()},
      {"workspaceFolders", folders},
      {"watcher", files_ ? files_->status() : json(nullptr)},
      {"devServers", dev_servers_ ? dev_servers_->status() : json::array()},
      {"config", dev_servers_ ? dev_servers_->config_status() : json::array()},
  };
}

void LspServer::did_change_workspace_folders(WorkspaceFoldersChange change) {
  for (const auto& removed : change.removed) {
    if (files_) files_->remove_root(removed);
    if (dev_servers_) dev_servers_->remove_root(removed);
    std::erase_if(folders_, [&](const WorkspaceFolder& f) { return f.path == removed.path; });
  }
  for (auto& added : change.added) {
    bool known = std::any_of(folders_.begin(), folders_.end(),
                             [&](const WorkspaceFolder& f) { return f.path == added.path; });
    if (known) continue;
    if (files_ && dev_servers_) add_folder(added, std::nullopt);
    folders_.push_back(std::move(added));
  }
  spdlog::info("workspace folders changed: now {}", folders_.size());
}

void LspServer::set_trace(const json& params) {
  if (params.is_object() && params.contains("value") && params["value"].is_string()) {
    init_.trace = params["value"].get<std::string>();
  }
}

void LspServer::show_message(MessageType type, const std::string& message) {
  endpoint_.notify("window/showMessage", json{{"type", static_cast<int>(type)}, {"message", message}});
}

}  // namespace devwatch::session
