#include "session/workspace_binding.h"

#include <algorithm>

#include "paths/uri.h"
#include "session/convert.h"

namespace devwatch::session {
namespace {

// Above this many bytes queued for the client, output lines are not streamed
// (they stay in the ring, fetchable with devwatch/devServer/output): a dev
// server that floods output must not grow our memory or stall the protocol.
constexpr std::size_t kMaxQueuedBytes = std::size_t{4} * 1024 * 1024;

}  // namespace

void WorkspaceBinding::begin_progress(const workspace::Folder& folder) {
  if (!options_.work_done_progress) return;
  if (workspace_) {
    auto roots = workspace_->roots();
    if (std::find(roots.begin(), roots.end(), folder.path) != roots.end()) return;
  }
  // LSP: no $/progress on a token before the client accepted it, and none at
  // all on one it refused; so `begin` waits for the answer.
  std::string token = "devwatch/crawl/" + std::to_string(next_token_++);
  CrawlToken crawl;
  crawl.token = token;
  crawl.folder_name = folder.name;
  crawls_[folder.path] = std::move(crawl);
  client_.create_progress(token, [this, root = folder.path, token](bool accepted) {
    progress_answered(root, token, accepted);
  });
}

void WorkspaceBinding::progress_answered(const std::string& root, const std::string& token, bool accepted) {
  auto it = crawls_.find(root);
  if (it == crawls_.end() || it->second.token != token) return;
  CrawlToken& crawl = it->second;
  crawl.answer = accepted ? CrawlToken::Answer::Accepted : CrawlToken::Answer::Refused;
  if (accepted) {
    client_.notify(Progress{token, "begin", "devwatch: watching " + crawl.folder_name, std::nullopt, 0u, false});
    if (!crawl.done && crawl.report) client_.notify(*crawl.report);
    crawl.report.reset();
  }
  if (crawl.done) {
    send_end(crawl, *crawl.done, crawl.failed);
    crawls_.erase(it);
  }
}

void WorkspaceBinding::end_progress(const std::string& root, const std::string& summary, bool failed) {
  auto it = crawls_.find(root);
  if (it == crawls_.end()) return;
  if (it->second.answer == CrawlToken::Answer::Pending) {
    it->second.done = summary;
    it->second.failed = failed;
    return;
  }
  send_end(it->second, summary, failed);
  crawls_.erase(it);
}

void WorkspaceBinding::send_end(const CrawlToken& crawl, const std::string& summary, bool failed) {
  if (crawl.answer == CrawlToken::Answer::Accepted) {
    client_.notify(Progress{crawl.token, "end", std::nullopt, summary, std::nullopt, std::nullopt});
  } else if (!failed) {
    // Refused: the crawl is one log line instead (a failure was told already).
    client_.log_message(MessageType::Info, "devwatch: " + crawl.folder_name + ": " + summary);
  }
}

void WorkspaceBinding::server_changed(const workspace::ServerChanged& event) {
  client_.notify(state_changed(event));
  const auto& c = event.change;
  // A crash is news unless devwatch is retrying the server on its own: a stop,
  // or a start for any other reason (a change, a request, the configuration)
  // makes the next crash news again.
  if (c.state == supervise::ServerState::Stopped ||
      (c.state == supervise::ServerState::Starting && c.cause != supervise::Cause::AutoRestart)) {
    crash_quiet_.erase(c.name);
  }
  bool crashed = c.state == supervise::ServerState::Crashed || c.state == supervise::ServerState::Backoff;
  if (!crashed || event.root.empty() || !options_.crash_messages) return;
  std::string text = "devwatch: " + c.name + " crashed (" + supervise::exit_description(c) + ")";
  if (!event.exception.empty()) text += ": " + event.exception;
  text += ". " + c.reason;
  // A setup problem ends the retries: the real reason first, then the fix.
  if (c.setup) text = "devwatch: " + c.name + " cannot run: " + c.setup->message + ". Fix: " + c.setup->fix;
  // The first crash is shown, and the back-off or setup problem (retries
  // end); the crashes in between, one per retry, are only logged: a crash
  // loop at start-up would otherwise be one popup per retry.
  if (c.state == supervise::ServerState::Crashed && !c.setup && crash_quiet_.count(c.name)) {
    spdlog::info("{} (not shown: devwatch retries it on its own)", text);
    return;
  }
  crash_quiet_.insert(c.name);
  client_.show_message(MessageType::Error, std::move(text));
}

void WorkspaceBinding::output_line(const std::string& server, const supervise::OutputLine& line) {
  if (client_.pending_bytes() > kMaxQueuedBytes) {
    ++output_skipped_[server];
    return;
  }
  // The client reads again. Every other server's hole is reported now, on its
  // newest line (from its ring: the last one skipped), not when that server
  // next prints, which may be never.
  std::vector<std::string> holes;
  for (const auto& [name, count] : output_skipped_) {
    if (name != server) holes.push_back(name);
  }
  for (const auto& name : holes) {
    std::vector<supervise::OutputLine> newest;
    if (workspace_) {
      if (auto other = workspace_->find(name)) newest = other.value()->output().last(1);
    }
    std::uint64_t count = output_skipped_[name];
    output_skipped_.erase(name);
    if (newest.empty()) continue;  // the server is gone
    stream(name, newest.front(), count - 1);
  }
  std::uint64_t skipped = 0;
  if (auto it = output_skipped_.find(server); it != output_skipped_.end()) {
    skipped = it->second;
    output_skipped_.erase(it);
  }
  stream(server, line, skipped);
}

void WorkspaceBinding::stream(const std::string& server, const supervise::OutputLine& line, std::uint64_t skipped) {
  OutputNotification note{server, supervise::stream_name(line.stream), line.seq, line.text, line.cut, std::nullopt};
  if (skipped > 0) {
    // Said instead of dropped silently: `skipped` is the gap in this server's
    // own sequence numbers, and the lines are in its backlog.
    note.skipped = skipped;
    spdlog::warn("{} output lines of {} were not streamed because the client reads slowly; "
                 "fetch them with devwatch/devServer/output", skipped, server);
  }
  client_.notify(note);
}

void WorkspaceBinding::diagnostics_changed(const workspace::DiagnosticsChanged& event) {
  PublishDiagnostics note{paths::path_to_uri(event.path), {}};
  for (const auto& d : event.diagnostics) {
    note.diagnostics.push_back(diagnostic_info(d));
    // The other frames stay in the traceback (output) for a client without it.
    if (!options_.related_information) note.diagnostics.back().related.clear();
  }
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

void WorkspaceBinding::config_hint(const workspace::ConfigHint& event) {
  // Not a problem (nothing is wrong with the folder), but the user must see
  // it: otherwise an editor rooted below the project just runs nothing.
  spdlog::info("{}: {}", event.root, event.hint);
  client_.show_message(MessageType::Info, "devwatch: " + event.hint);
}

void WorkspaceBinding::run_withheld(const workspace::RunWithheld& event) {
  // Shown: the user started this server and expects it to follow edits.
  client_.tell(spdlog::level::warn, event.message, "devwatch: " + event.message, true);
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
  if (problem.kind == "watch-failed") end_progress(problem.path, "failed", true);
}

void WorkspaceBinding::crawl_progress(const watch::CrawlProgress& progress) {
  if (progress.done) {
    spdlog::info("{}: {}", progress.root, progress.summary);
    return end_progress(progress.root, progress.summary, false);
  }
  auto it = crawls_.find(progress.root);
  if (it == crawls_.end() || it->second.answer == CrawlToken::Answer::Refused) return;
  unsigned percent = 0;
  if (progress.dirs_estimate > 0) {
    percent = static_cast<unsigned>(std::min<std::size_t>(99, progress.dirs_done * 100 / progress.dirs_estimate));
  }
  Progress report{it->second.token, "report", std::nullopt, watch::format_count(progress.dirs_done) + " folders",
                  percent, std::nullopt};
  if (it->second.answer == CrawlToken::Answer::Pending) {
    it->second.report = std::move(report);  // only the latest matters
  } else {
    client_.notify(report);
  }
}

void WorkspaceBinding::files_changed(const watch::Batch& batch) {
  subscriptions_.on_batch(batch, workspace_ ? workspace_->roots() : std::vector<std::string>{});
}

}  // namespace devwatch::session
