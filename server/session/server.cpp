#include "session/server.h"

#include <unistd.h>

#include <utility>

#include <spdlog/spdlog.h>

#include "common/log.h"
#include "common/version.h"
#include "session/convert.h"
#include "session/watcher_status.h"

namespace devwatch::session {

LspServer::LspServer(asio::io_context& io, rpc::Sink& sink, ServerOptions options)
    : io_(io), sink_(sink), options_(std::move(options)), endpoint_(sink, methods_) {
  register_methods();
  // Warnings and errors also reach the client (window/logMessage), once it
  // can receive them; a message the client was told already is not sent
  // again. Logs may come from any thread: post onto the loop.
  std::weak_ptr<bool> alive = alive_;
  set_log_forwarder([this, alive, &io](spdlog::level::level_enum level, const std::string& message) {
    if (Client::already_told()) return;
    asio::post(io, [this, alive, level, message] {
      if (alive.expired() || endpoint_.lifecycle().phase() != Phase::Running) return;
      client_.log_message(level >= spdlog::level::err ? MessageType::Error : MessageType::Warning, message);
    });
  });
}

LspServer::~LspServer() { set_log_forwarder({}); }

void LspServer::initialize(InitializeParams params, Reply reply) {
  auto client = InitializationOptions::parse(params.initialization_options);
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

  workspace::WorkspaceOptions options;
  options.shim_path = options_.shim_path;
  options.overrides.settings = client->settings;
  options.overrides.trusted = client->trusted;
  options.overrides.auto_start = client->auto_start;
  options.overrides.auto_restart = client->auto_restart;
  options.overrides.preload = client->preload;
  for (const auto& folder : folders_) options.folders.push_back(workspace::Folder{folder.path, folder.name});
  subscriptions_ = std::make_unique<Subscriptions>(io_, client_);
  binding_ = std::make_unique<WorkspaceBinding>(
      client_, *subscriptions_,
      WorkspaceBinding::Options{client->crash_messages, init_.work_done_progress, init_.related_information});
  // The watcher's settings come from the first folder's configuration, read
  // once, here; an invalid one is reported when the folders are added.
  workspace_ = std::make_unique<workspace::Workspace>(io_, std::move(options), *binding_);
  binding_->attach(*workspace_);
  subscriptions_->set_default_settle_ms(workspace_->settle_ms());

  endpoint_.lifecycle().on_initialized_reply();
  reply(to_json(InitializeResult{capabilities(), options_.version}));
  // Watching and dev servers start right after the reply: LSP allows
  // notifications from then on, and none of it should wait for the client.
  asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (!alive.expired() && !exiting_) start_features();
  });
}

void LspServer::start_features() {
  for (const auto& folder : folders_) add_folder(folder);
  auto report = workspace_->start_auto();
  if (report.untrusted_skipped > 0) {
    client_.show_message(MessageType::Warning, "devwatch: this workspace is not trusted, so its dev servers "
                                               "were not started. Trust the workspace to start them.");
  }
}

void LspServer::add_folder(const WorkspaceFolder& folder) {
  workspace::Folder f{folder.path, folder.name};
  binding_->begin_progress(f);
  workspace_->add_folder(f);
}

Capabilities LspServer::capabilities() const {
  Capabilities caps;
  if (workspace_ && workspace_->watcher()) {
    auto s = workspace_->watcher()->status();
    caps.files = Capabilities::Files{s.backend, s.backend_reason};
  }
  if (workspace_) caps.servers_trusted = workspace_->trusted();
  return caps;
}

Result<json> LspServer::server_reply(Result<const supervise::DevServer*> server) const {
  if (!server) return server.error();
  return to_json(server_info(*server.value(), workspace_->trusted()));
}

Result<json> LspServer::list() const {
  ServerList list;
  for (const auto* server : workspace_->servers()) list.servers.push_back(server_info(*server, workspace_->trusted()));
  return to_json(list);
}

Result<json> LspServer::output(const OutputParams& params) const {
  auto server = workspace_->find(params.name);
  if (!server) return server.error();
  auto backlog = server.value()->output_from(params.from_seq);
  std::size_t first = 0;
  if (params.limit && backlog.lines.size() > *params.limit) first = backlog.lines.size() - *params.limit;
  OutputResult result{server.value()->name(), {}, backlog.dropped + first, backlog.next_seq};
  for (std::size_t i = first; i < backlog.lines.size(); ++i) {
    const auto& line = backlog.lines[i];
    result.lines.push_back(OutputLineInfo{line.seq, supervise::stream_name(line.stream), line.text, line.cut});
  }
  return to_json(result);
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
  if (!workspace_) return done();
  workspace_->stop_all(std::move(done));
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
  // No more file events while the servers stop and the last messages drain.
  if (workspace_) workspace_->close_watcher();
  stop_dev_servers([this, code] {
    if (on_exit) on_exit(code);
  });
}

void LspServer::status(Reply reply) { reply(to_json(status_result())); }

StatusResult LspServer::status_result() const {
  StatusResult r;
  r.version = options_.version;
  r.pid = static_cast<int>(::getpid());
  r.uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_).count();
  r.folders = folders_;
  r.watcher = nullptr;
  if (workspace_) {
    if (const auto* w = workspace_->watcher()) {
      r.watcher = to_json(w->status());
      r.watcher["subscriptions"] = subscriptions_->size();
    }
    for (const auto* server : workspace_->servers()) r.dev_servers.push_back(server_info(*server, workspace_->trusted()));
    for (const auto& root : workspace_->config_status()) r.config.push_back(config_info(root));
  }
  return r;
}

void LspServer::did_change_workspace_folders(WorkspaceFoldersChange change) {
  for (const auto& removed : change.removed) {
    if (workspace_) workspace_->remove_folder(removed.path);
    std::erase_if(folders_, [&](const WorkspaceFolder& f) { return f.path == removed.path; });
  }
  for (auto& added : change.added) {
    bool known = std::any_of(folders_.begin(), folders_.end(),
                             [&](const WorkspaceFolder& f) { return f.path == added.path; });
    if (known) continue;
    if (workspace_) add_folder(added);
    folders_.push_back(std::move(added));
  }
  spdlog::info("workspace folders changed: now {}", folders_.size());
}

void LspServer::set_trace(const SetTraceParams& params) {
  if (params.value) init_.trace = *params.value;
}

}  // namespace devwatch::session
