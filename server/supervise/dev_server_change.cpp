// DevServer's change-driven restarts: a relevant change stops a running
// group at once (the leading edge), the debouncer says when the burst has
// settled, and the one queued start is spawned once both have happened.
// Setup problems filter the changes that may retry a server.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "supervise/dev_server.h"
#include "supervise/upstream_port.h"

namespace devwatch::supervise {

namespace {

std::string describe_changes(const DebouncedRestart& r) {
  std::string text;
  if (r.changed_count == 0) {
    text = r.reason;
  } else if (r.changed_count == 1 && !r.changed_files.empty()) {
    text = r.changed_files.front() + " changed";
  } else {
    text = std::to_string(r.changed_count) + " files changed";
  }
  if (r.lock_cap_hit) {
    text += "; .git/index.lock was still there after " + std::to_string(r.lock_waited.count()) +
            " ms, restarted anyway";
  } else if (r.lock_waited.count() > 0) {
    text += "; waited " + std::to_string(r.lock_waited.count()) + " ms for .git/index.lock to go";
  }
  return text;
}

}  // namespace

void DevServer::merge_into_queued(Pending why) {
  if (!queued_) {
    queued_ = std::move(why);
    return;
  }
  // Queued once, never stacked: merge into the restart already waiting.
  // Files beyond the listed ones cannot be told apart, so they count as new.
  if (!why.changed_files.empty() || why.changed_count > 0) queued_->first_batch_only = false;
  auto& files = queued_->changed_files;
  std::size_t count = std::max(queued_->changed_count, files.size()) +
                      (why.changed_count - std::min(why.changed_count, why.changed_files.size()));
  for (auto& file : why.changed_files) {
    if (std::find(files.begin(), files.end(), file) != files.end()) continue;
    ++count;
    if (files.size() < StateChange::kMaxListedFiles) files.push_back(std::move(file));
  }
  queued_->changed_count = count;
  if (!queued_->first_event_at) queued_->first_event_at = why.first_event_at;
}

void DevServer::spawn_queued_if_gone() {
  if (process_ || !queued_ || await_burst_ || shut_down_ || state() != ServerState::Stopping) return;
  Pending next = std::move(*queued_);
  queued_.reset();
  auto ignored = spawn(std::move(next));
  (void)ignored;
}

void DevServer::stop_at_leading_edge(Cause cause, const std::vector<std::string>& files) {
  std::vector<std::string> listed(files.begin(),
                                  files.begin() + static_cast<std::ptrdiff_t>(
                                                      std::min(files.size(), StateChange::kMaxListedFiles)));
  Pending pending = why(cause, files.size() == 1 ? files.front() + " changed"
                                                 : std::to_string(files.size()) + " files changed",
                        std::move(listed));
  pending.changed_count = files.size();
  pending.first_event_at = clock_->now();
  pending.first_batch_only = true;
  std::string refusal = overlap_refusal(spec_);
  StateChange change = change_for(ServerState::Stopping, pending,
                                  "restarting: " + pending.reason + (refusal.empty() ? "" : " (" + refusal + ")"));
  change.restarting = true;
  queued_ = std::move(pending);
  await_burst_ = true;
  stop_requested_ = true;
  prober_.reset();
  stop_for_restart();
  emit(std::move(change));
}

void DevServer::stop_for_restart() {
  // During an overlapped restart the group stopped is the new one, which
  // serves nothing yet: nothing to wait for.
  if (!stop_gate_ || outgoing_) return process_->stop();
  // The group may be gone (or another started) by the time the gate opens.
  std::weak_ptr<GroupProcess> group = process_;
  std::weak_ptr<int> alive = alive_;
  stop_gate_([group, alive] {
    if (alive.expired()) return;
    if (auto process = group.lock()) process->stop();
  });
}

void DevServer::request_restart(Cause cause, const std::string& reason, const std::vector<std::string>& changed_files) {
  if (shut_down_ || state() == ServerState::Stopped) return;
  std::vector<std::string> files = changed_files;
  if (setup_) {
    // A retry cannot fix a setup problem; a change to a file its crash names might.
    std::erase_if(files, [&](const std::string& f) {
      return setup_->kind == SetupProblem::Kind::Exec || !output_names(setup_lines_, f);
    });
    if (files.empty()) {
      spdlog::debug("dev server {}: change ignored: {}", spec_.name, setup_->message);
      return;
    }
  }
  auto settle = state() == ServerState::Backoff ? std::max(options_.backoff_quiet, options_.debounce.settle)
                                                : std::chrono::milliseconds(-1);
  const bool first = !debouncer_.pending();
  if (first) burst_cause_ = cause;
  debouncer_.request(reason, files, settle);
  if (!first) return;
  // An overlapped restart keeps the old group serving until the burst has
  // settled and the new one is ready: no leading-edge stop.
  if ((state() == ServerState::Starting || state() == ServerState::Ready) && !git_index_locked(spec_.root) &&
      !can_overlap()) {
    stop_at_leading_edge(cause, files);
  } else if (state() == ServerState::Stopping && queued_) {
    await_burst_ = true;  // the queued start waits for this burst too
  }
}

void DevServer::on_debounced(DebouncedRestart r) {
  if (shut_down_ || state() == ServerState::Stopped) return;
  Pending pending;
  pending.cause = burst_cause_;
  pending.reason = describe_changes(r);
  pending.changed_files = std::move(r.changed_files);
  pending.changed_count = r.changed_count;
  pending.first_event_at = r.first_event_at;
  if (await_burst_) {
    // The old group was stopped at the burst's first change: the burst is
    // complete now, so the queued start gets all of its files.
    await_burst_ = false;
    const std::size_t burst_count = pending.changed_count;
    std::string burst_reason = pending.reason;
    if (queued_ && queued_->first_batch_only) {
      // Merging would count the first batch twice (and its unlisted files
      // as new): the burst is the whole story.
      queued_->changed_files = std::move(pending.changed_files);
      queued_->changed_count = pending.changed_count;
      queued_->first_batch_only = false;
    } else {
      merge_into_queued(std::move(pending));
    }
    queued_->reason = queued_->changed_count == burst_count
                          ? burst_reason
                          : std::to_string(queued_->changed_count) + " files changed";
    spawn_queued_if_gone();
    return;
  }
  auto result = restart_internal(std::move(pending), false);
  if (!result) spdlog::warn("restart of {} after changes failed: {}", spec_.name, result.error().message);
}

}  // namespace devwatch::supervise
