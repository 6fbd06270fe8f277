#include "session/workspace_binding.h"

#include <algorithm>

#include "paths/uri.h"
#include "session/convert.h"

namespace devwatch::session {
namespace {

// Above this many bytes queued for the client, output lines are not streamed
// (they stay in the ring, fetchable with devwatch/devServer/output): a dev
// server that floods output must not grow our memory or stall the protocol.
constexpr std::size_t kMaxQueuedBytes = 4u * 1024u * 1024u;

}  // namespace

void WorkspaceBinding::begin_progress(const workspace::Folder& folder) {
  if (!options_.work_done_progress) return;
  if (workspace_) {
    auto roots = workspace_->roots();
    if (std::find(roots.begin(), roots.end(), folder.path) != roots.end()) return;
  }
  // Created before the crawl starts so that `begin` can follow at once.
  std::string token = "devwatch/crawl/" + std::to_string(next_token_++);
  progress_tokens_[folder.path] = token;
  client_.create_progress(token);
  client_.notify(Progress{token, "begin", "devwatch: watching " + folder.name, std::nullopt, 0u, false});
}

void WorkspaceBinding::server_changed(const workspace::ServerChanged& event) {
  client_.notify(state_changed(event));
  const auto& c = event.change;
  bool crashed = c.state == supervise::ServerState::Crashed || c.state == supervise::ServerState::Backoff;
  if (!crashed || event.root.empty() || !options_.crash_messages) return;
  std::string text = "devwatch: " + c.name + " crashed (" + supervise::exit_description(c) + ")";
  if (!event.exception.empty()) text += ": " + event.exception;
  text += ". " + c.reason;
  client_.show_message(MessageType::Error, std::move(text));
}

void WorkspaceBinding::output_line(const std::string& server, const supervise::OutputLine& line) {
  if (client_.pending_bytes() > kMaxQueuedBytes) {
    ++output_skipped_;
    return;
  }
  OutputNotification note{server, supervise::stream_name(line.stream), line.seq, line.text, line.cut, std::nullopt};
  if (output_skipped_ > 0) {
    // Say so instead of dropping silently; the lines are in the backlog.
    note.skipped = output_skipped_;
    spdlog::warn("{} output lines were not streamed because the client reads slowly; "
                 "fetch them with devwatch/devServer/output", output_skipped_);
    output_skipped_ = 0;
  }
  client_.notify(note);
}

void WorkspaceBinding::diagnostics_changed(const workspace::DiagnosticsChanged& event) {
  PublishDiagnostics note{paths::path_to_uri(event.path), {}};
  for (const auto& d : event.diagnostics) note.diagnostics.push_back(diagnostic_info(d));
  client_.notify(note);
}

void WorkspaceBinding::config_problem(const workspace::ConfigProblem& event) {
  if (!event.server.empty()) {
    client_.tell(spdlog::level::err, "dev server '" + event.server + "' cannot be used: " + event.message,
                 "devwatch: dev server '" + event.server + "': " + event.message, true);
    return;
  }
  std::string what = event.reload ? " (the previous configuration stays in effect)" : "";
  client_.tell(spdlog::level::err, "invalid configuration for " + event.root + ": " + event.message + what,
               "devwatch: invalid configuration in " + event.folder_name + ": " + event.message + what, true);
}

void WorkspaceBinding::watcher_problem(const watch::Problem& problem) {
  std::string text = problem.message;
  if (!problem.fix.empty()) text += " Fix: " + problem.fix;
  if (problem.severity == watch::Severity::Info) {
    spdlog::info("{}", text);
    return;
  }
  // Limits and fallbacks are things the user must see, not just the log;
  // either way the client hears of it once.
  bool error = problem.severity == watch::Severity::Error;
  bool visible = error || problem.kind == "budget" || problem.kind == "fallback" || problem.kind == "mount" ||
                 problem.kind == "root-deleted";
  client_.tell(error ? spdlog::level::err : spdlog::level::warn, text, visible ? "devwatch: " + text : text, visible);
  if (problem.kind == "watch-failed") {
    if (auto it = progress_tokens_.find(problem.path); it != progress_tokens_.end()) {
      client_.notify(Progress{it->second, "end", std::nullopt, std::string("failed"), std::nullopt, std::nullopt});
      progress_tokens_.erase(it);
    }
  }
}

void WorkspaceBinding::crawl_progress(const watch::CrawlProgress& progress) {
  if (progress.done) spdlog::info("{}: {}", progress.root, progress.summary);
  auto it = progress_tokens_.find(progress.root);
  if (it == progress_tokens_.end()) return;
  if (progress.done) {
    client_.notify(Progress{it->second, "end", std::nullopt, progress.summary, std::nullopt, std::nullopt});
    progress_tokens_.erase(it);
    return;
  }
  unsigned percent = 0;
  if (progress.dirs_estimate > 0) {
    percent = static_cast<unsigned>(std::min<std::size_t>(99, progress.dirs_done * 100 / progress.dirs_estimate));
  }
  client_.notify(Progress{it->second, "report", std::nullopt, watch::format_count(progress.dirs_done) + " folders",
                          percent, std::nullopt});
}

void WorkspaceBinding::files_changed(const watch::Batch& batch) {
  subscriptions_.on_batch(batch, workspace_ ? workspace_->roots() : std::vector<std::string>{});
}

}  // namespace devwatch::session
