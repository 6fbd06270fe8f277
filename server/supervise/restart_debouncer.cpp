#include "supervise/restart_debouncer.h"

#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

namespace devwatch::supervise {

bool git_index_locked(const std::string& root) {
  std::error_code ec;
  return !root.empty() && std::filesystem::exists(std::filesystem::path(root) / ".git" / "index.lock", ec);
}

RestartDebouncer::RestartDebouncer(Clock& clock, std::string root, DebounceTiming timing, Fire fire)
    : clock_(clock), timer_(clock.make_timer()), root_(std::move(root)), timing_(timing), fire_(std::move(fire)) {}

RestartDebouncer::~RestartDebouncer() { cancel(); }

void RestartDebouncer::request(const std::string& reason, const std::vector<std::string>& changed_files,
                               std::chrono::milliseconds settle) {
  const auto now = clock_.now();
  if (!pending_) {
    pending_ = true;
    first_at_ = now;
    files_.clear();
    seen_.clear();
    reason_ = reason;
    requests_ = 0;
    burst_ = false;
  }
  ++requests_;
  last_at_ = now;
  const std::size_t seen_before = seen_.size();
  for (const auto& file : changed_files) {
    // The listed set is capped so a huge checkout costs bounded memory; the
    // count still says how many distinct files changed.
    seen_.insert(std::hash<std::string>{}(file));
    if (files_.size() < kMaxListedFiles) files_.insert(file);
  }
  // A save may end sooner than a burst. The watcher often delivers one save
  // of one file as two or three batches naming the same file: only a batch
  // that brings another file (or names none) makes it a burst.
  if (requests_ > 1 && (changed_files.empty() || seen_.size() > seen_before)) burst_ = true;
  settle_ = settle.count() >= 0 ? settle : !burst_ ? std::min(timing_.first_settle, timing_.settle) : timing_.settle;
  if (!waiting_lock_) arm(settle_);
}

void RestartDebouncer::cancel() {
  pending_ = false;
  waiting_lock_ = false;
  timer_->cancel();
}

void RestartDebouncer::arm(std::chrono::milliseconds settle) {
  auto due = std::min(last_at_ + settle, first_at_ + std::max(timing_.max_delay, settle));
  // The timer is ours: cancel() or our destruction means it never fires.
  timer_->start_at(due, [this] { settled(); });
}

void RestartDebouncer::settled() {
  if (!pending_) return;
  const auto now = clock_.now();
  // A request that came in after the timer was set moved the due time.
  auto due = std::min(last_at_ + settle_, first_at_ + std::max(timing_.max_delay, settle_));
  if (now < due) {
    arm(settle_);
    return;
  }
  waiting_lock_ = true;
  lock_since_ = now;
  poll_lock();
}

void RestartDebouncer::poll_lock() {
  if (!git_index_locked(root_)) {
    fire_now(false);
    return;
  }
  if (clock_.now() - lock_since_ >= timing_.lock_cap) {
    spdlog::warn("{}/.git/index.lock still exists after {} ms; restarting anyway (a stale lock? remove it if no git "
                 "command is running)",
                 root_, timing_.lock_cap.count());
    fire_now(true);
    return;
  }
  clock_.start_after(*timer_, timing_.lock_poll, [this] { poll_lock(); });
}

void RestartDebouncer::fire_now(bool cap_hit) {
  DebouncedRestart restart;
  restart.reason = reason_;
  restart.changed_files.assign(files_.begin(), files_.end());
  restart.changed_count = seen_.size();
  restart.first_event_at = first_at_;
  restart.lock_waited = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - lock_since_);
  restart.lock_cap_hit = cap_hit;
  pending_ = false;
  waiting_lock_ = false;
  files_.clear();
  seen_.clear();
  fire_(std::move(restart));
}

}  // namespace devwatch::supervise
