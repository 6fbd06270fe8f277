// The one method table: every method devwatch answers, one line each.
// docs/protocol.md documents each of them (tests/e2e/test_docs.py checks).
#include "session/server.h"

#include <spdlog/spdlog.h>

namespace devwatch::session {

void LspServer::register_methods() {
  auto& m = methods_;
  // LSP lifecycle and workspace
  m.typed_request<InitializeParams>("initialize", [this](InitializeParams p, Reply r) { initialize(std::move(p), std::move(r)); });
  m.notification("initialized", [this](const json&) { initialized(); });
  m.typed_request<NoParams>("shutdown", [this](NoParams, Reply r) { shutdown(std::move(r)); });
  m.notification("exit", [this](const json&) { exit_notification(); });
  m.notification("$/setTrace", [this](const json& p) { set_trace(p); });
  m.notification("workspace/didChangeWorkspaceFolders", [this](const json& p) {
    auto change = WorkspaceFoldersChange::parse(p);
    if (!change) {
      spdlog::warn("workspace/didChangeWorkspaceFolders ignored: {}", change.error().message);
      return;
    }
    did_change_workspace_folders(std::move(change.value()));
  });
  // devwatch
  m.typed_request<NoParams>("devwatch/status", [this](NoParams, Reply r) { status(std::move(r)); });
  // devwatch/files: subscriptions to workspace changes
  m.typed_request<SubscribeParams>("devwatch/files/subscribe", [this](SubscribeParams p, Reply r) { r(files_->subscribe(p)); });
  m.typed_request<UnsubscribeParams>("devwatch/files/unsubscribe", [this](UnsubscribeParams p, Reply r) { r(files_->unsubscribe(p)); });
  // devwatch/devServer: the supervised dev servers
  m.typed_request<NoParams>("devwatch/devServer/list", [this](NoParams, Reply r) { r(dev_servers_->list()); });
  m.typed_request<ServerRef>("devwatch/devServer/start", [this](ServerRef p, Reply r) { r(dev_servers_->start(p)); });
  m.typed_request<ServerRef>("devwatch/devServer/stop", [this](ServerRef p, Reply r) { r(dev_servers_->stop(p)); });
  m.typed_request<ServerRef>("devwatch/devServer/restart", [this](ServerRef p, Reply r) { r(dev_servers_->restart(p)); });
  m.typed_request<OutputParams>("devwatch/devServer/output", [this](OutputParams p, Reply r) { r(dev_servers_->output(p)); });
}

}  // namespace devwatch::session
