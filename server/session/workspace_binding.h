// The workspace's events as protocol messages: stateChanged (and the crash
// window/showMessage unless the client renders crashes itself), output lines
// (not streamed while the client reads slowly), publishDiagnostics,
// configuration and watcher problems (each told once), crawl progress as
// LSP work-done progress, and file batches handed to the subscriptions.
// Threading: loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "session/client.h"
#include "session/subscriptions.h"
#include "workspace/workspace.h"

namespace devwatch::session {

class WorkspaceBinding final : public workspace::Listener {
 public:
  struct Options {
    bool crash_messages = true;      // initializationOptions.crashMessages
    bool work_done_progress = false;  // the client may be sent $/progress tokens
  };
  WorkspaceBinding(Client& client, Subscriptions& subscriptions, Options options)
      : client_(client), subscriptions_(subscriptions), options_(options) {}

  void attach(const workspace::Workspace& workspace) { workspace_ = &workspace; }
  // Before a folder is added: its crawl's progress token, so `begin` comes first.
  void begin_progress(const workspace::Folder& folder);

  void server_changed(const workspace::ServerChanged& event) override;
  void output_line(const std::string& server, const supervise::OutputLine& line) override;
  void diagnostics_changed(const workspace::DiagnosticsChanged& event) override;
  void config_problem(const workspace::ConfigProblem& event) override;
  void watcher_problem(const watch::Problem& problem) override;
  void crawl_progress(const watch::CrawlProgress& progress) override;
  void files_changed(const watch::Batch& batch) override;

 private:
  Client& client_;
  Subscriptions& subscriptions_;
  Options options_;
  const workspace::Workspace* workspace_ = nullptr;
  std::map<std::string, std::string> progress_tokens_;  // root -> token
  std::uint64_t next_token_ = 1;
  std::uint64_t output_skipped_ = 0;
};

}  // namespace devwatch::session
