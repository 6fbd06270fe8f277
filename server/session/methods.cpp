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
}

}  // namespace devwatch::session
