#include "session/server.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/log.h"
#include "common/version.h"

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
  init_ = std::move(params);
  folders_ = init_.folders;
  if (init_.process_id) {
    parent_ = std::make_unique<ParentWatch>(io_, *init_.process_id, [this] {
      begin_exit(endpoint_.lifecycle().exit_code(), "client process exited");
    });
  }
  spdlog::info("initialize from {} with {} workspace folder(s)",
               init_.client_name.empty() ? "an unnamed client" : init_.client_name, folders_.size());
  endpoint_.lifecycle().on_initialized_reply();
  reply(json{{"capabilities", capabilities()},
             {"serverInfo", {{"name", "devwatch"}, {"version", options_.version}}}});
}

json LspServer::capabilities() const {
  json devwatch{{"version", 1}, {"status", true}};
  return json{
      {"workspace", {{"workspaceFolders", {{"supported", true}, {"changeNotifications", true}}}}},
      {"experimental", {{"devwatch", devwatch}}},
  };
}

void LspServer::initialized() { spdlog::debug("client confirmed initialization"); }

void LspServer::shutdown(Reply reply) {
  endpoint_.lifecycle().on_shutdown();
  spdlog::info("shutdown requested");
  reply(json(nullptr));
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
  if (on_exit) on_exit(code);
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
      {"watcher", nullptr},
      {"devServers", json::array()},
  };
}

void LspServer::did_change_workspace_folders(WorkspaceFoldersChange change) {
  for (const auto& removed : change.removed) {
    std::erase_if(folders_, [&](const WorkspaceFolder& f) { return f.path == removed.path; });
  }
  for (auto& added : change.added) {
    bool known = std::any_of(folders_.begin(), folders_.end(),
                             [&](const WorkspaceFolder& f) { return f.path == added.path; });
    if (!known) folders_.push_back(std::move(added));
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
