// The one method table: every method devwatch answers, one line each, with
// typed params (protocol.h). docs/protocol.md documents each of them
// (tests/session/docs_test.cpp checks).
#include "session/server.h"

namespace devwatch::session {

void LspServer::register_methods() {
  auto& m = methods_;
  // LSP lifecycle and workspace
  m.typed_request<InitializeParams>("initialize", [this](InitializeParams p, Reply r) { initialize(std::move(p), std::move(r)); });
  m.typed_notification<AnyParams>("initialized", [this](AnyParams) { initialized(); });
  m.typed_request<NoParams>("shutdown", [this](NoParams, Reply r) { shutdown(std::move(r)); });
  m.typed_notification<AnyParams>("exit", [this](AnyParams) { exit_notification(); });
  m.typed_notification<SetTraceParams>("$/setTrace", [this](const SetTraceParams& p) { set_trace(p); });
  m.typed_notification<WorkspaceFoldersChange>("workspace/didChangeWorkspaceFolders", [this](WorkspaceFoldersChange c) { did_change_workspace_folders(std::move(c)); });
  // devwatch
  m.typed_request<NoParams>("devwatch/status", [this](NoParams, Reply r) { status(std::move(r)); });
  // devwatch/files: subscriptions to workspace changes
  m.typed_request<SubscribeParams>("devwatch/files/subscribe", [this](const SubscribeParams& p, Reply r) { r(as_json(subscriptions_->subscribe(p))); });
  m.typed_request<UnsubscribeParams>("devwatch/files/unsubscribe", [this](const UnsubscribeParams& p, Reply r) { r(subscriptions_->unsubscribe(p)); });
  // devwatch/devServer: the supervised dev servers
  m.typed_request<NoParams>("devwatch/devServer/list", [this](NoParams, Reply r) { r(list()); });
  m.typed_request<StartParams>("devwatch/devServer/start", [this](const StartParams& p, Reply r) { r(server_reply(workspace_->start(p.name, p.consent))); });
  m.typed_request<ServerRef>("devwatch/devServer/stop", [this](const ServerRef& p, Reply r) { r(server_reply(workspace_->stop(p.name))); });
  m.typed_request<ServerRef>("devwatch/devServer/restart", [this](const ServerRef& p, Reply r) { r(server_reply(workspace_->restart(p.name))); });
  m.typed_request<OutputParams>("devwatch/devServer/output", [this](const OutputParams& p, Reply r) { r(output(p)); });
}

}  // namespace devwatch::session
