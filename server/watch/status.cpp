// The Watcher's status as a plain value (WatcherStatus: JSON is the
// session's business, session/watcher_status.h) and format_count.
// Threading: io_context thread (see watcher_state.h).
#include <algorithm>

#include "watch/budget.h"
#include "watch/watcher_state.h"

namespace devwatch::watch {

std::string format_count(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

WatcherStatus Watcher::Impl::status() const {
  refresh_foreign_watches();
  WatcherStatus s;
  s.backend = backend_ ? std::string(backend_->name()) : "";
  s.backend_reason = backend_reason_;
  for (auto& r : roots_) s.roots.push_back(r->path);
  s.watched_dirs = wd_to_node_.size();
  s.budget_used = backend_ && backend_->has_watch_budget() ? wd_to_node_.size() : 0;
  s.budget_limit = watch_limit_;
  s.budget_used_by_others = foreign_watches_;
  for (NodeId n : unwatched_) {
    if (s.unwatched.size() >= 100) break;
    s.unwatched.push_back(tree_.path(n));
  }
  std::sort(s.unwatched.begin(), s.unwatched.end());
  s.resync_count = resync_count_;
  s.last_event_time = last_event_time_;
  s.problems = problems_;
  s.crawling = crawling();
  return s;
}

}  // namespace devwatch::watch
