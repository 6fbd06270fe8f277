// The workspace's events as protocol messages: stateChanged (and the crash
// window/showMessage unless the client renders crashes itself: the first
// crash and the back-off of a run of automatic retries), output lines
// (not streamed while the client reads slowly), publishDiagnostics,
// configuration and watcher problems (each told once), crawl progress as
// LSP work-done progress (only on a token the client accepted: nothing is
// sent before its answer, and a refused crawl is one log message), and file
// batches handed to the subscriptions.
// Threading: loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "session/client.h"
#include "session/subscriptions.h"
#include "workspace/workspace.h"

namespace devwatch::session {

class WorkspaceBinding final : public workspace::Listener {
 public:
  struct Options {
    bool crash_messages = true;      // initializationOptions.crashMessages
    bool work_done_progress = false;  // the client may be sent $/progress tokens
    bool related_information = false;  // diagnostics may carry relatedInformation
  };
  WorkspaceBinding(Client& client, Subscriptions& subscriptions, Options options)
      : client_(client), subscriptions_(subscriptions), options_(options) {}

  void attach(const workspace::Workspace& workspace) { workspace_ = &workspace; }
  // Before a folder is added: asks for its crawl's progress token, so the
  // client's answer can come before the crawl's first step.
  void begin_progress(const workspace::Folder& folder);

  void server_changed(const workspace::ServerChanged& event) override;
  void output_line(const std::string& server, const supervise::OutputLine& line) override;
  void diagnostics_changed(const workspace::DiagnosticsChanged& event) override;
  void config_problem(const workspace::ConfigProblem& event) override;
  void config_hint(const workspace::ConfigHint& event) override;
  void run_withheld(const workspace::RunWithheld& event) override;
  void watcher_problem(const watch::Problem& problem) override;
  void crawl_progress(const watch::CrawlProgress& progress) override;
  void files_changed(const watch::Batch& batch) override;

 private:
  // One folder's crawl as work-done progress. Until the client answers
  // window/workDoneProgress/create nothing is sent: the latest report and
  // the end are kept, and sent (or, when refused, logged) with the answer.
  struct CrawlToken {
    enum class Answer { Pending, Accepted, Refused };
    std::string token, folder_name;
    Answer answer = Answer::Pending;
    std::optional<Progress> report;   // the latest report while pending
    std::optional<std::string> done;  // the crawl's end while pending: its summary
    bool failed = false;              // it ended because the folder cannot be watched
  };
  // One output notification; `skipped`: lines of this server not streamed before it.
  void stream(const std::string& server, const supervise::OutputLine& line, std::uint64_t skipped);
  void progress_answered(const std::string& root, const std::string& token, bool accepted);
  void end_progress(const std::string& root, const std::string& summary, bool failed);
  void send_end(const CrawlToken& crawl, const std::string& summary, bool failed);

  Client& client_;
  Subscriptions& subscriptions_;
  Options options_;
  const workspace::Workspace* workspace_ = nullptr;
  std::map<std::string, CrawlToken> crawls_;  // by root
  std::uint64_t next_token_ = 1;
  std::map<std::string, std::uint64_t> output_skipped_;  // per server: lines not streamed since its last one
  std::set<std::string> crash_quiet_;  // servers whose crash was shown while devwatch retries them
};

}  // namespace devwatch::session
