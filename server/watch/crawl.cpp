// The crawl: a step function that scans a bounded number of directories
// and entries (options.dirs_per_step, entries_per_step) and re-posts itself,
// so the backend is drained and requests are answered between steps. The
// scan of one directory is in scan.cpp.
// Threading: io_context thread (see watcher_state.h).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "common/errno_text.h"
#include "common/read_file.h"
#include "paths/gitignore.h"
#include "watch/budget.h"
#include "watch/watcher_state.h"

namespace devwatch::watch {

namespace {

// Precise, so files written just before the crawl do not look newer. File
// times come from the coarse clock and can lag up to a tick: a write in that
// tick after the start is still caught by its event (see verify()).
std::int64_t realtime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

NodeKind kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return NodeKind::Dir;
  if (S_ISREG(mode)) return NodeKind::File;
  if (S_ISLNK(mode)) return NodeKind::Symlink;
  return NodeKind::Other;
}

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

std::string join_rel(std::string_view dir_rel, std::string_view name) {
  std::string out;
  out.reserve(dir_rel.size() + 1 + name.size());
  out.append(dir_rel);
  if (!out.empty()) out += '/';
  out.append(name);
  return out;
}

void Watcher::Impl::begin_crawl(Root& r, Report report) {
  r.crawl_start = r.last_progress = clock_.now();
  r.watch_start_ns = realtime_ns();
  r.crawl_reported = false;
  r.dirs_done = 0;
  enqueue(r.node, report, /*front=*/false);
}

void Watcher::Impl::enqueue(NodeId node, Report report, bool front) {
  const NodeId root = tree_.root_of(node);
  if (front) queue_.push_front(ScanItem{node, report, root});
  else queue_.push_back(ScanItem{node, report, root});
  if (Root* r = root_for(root)) ++r->queued;
  schedule_step();
}

void Watcher::Impl::schedule_step() {
  if (step_posted_ || stopped_) return;
  step_posted_ = true;
  asio::post(io_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->step();
  });
}

void Watcher::Impl::step() {
  step_posted_ = false;
  if (stopped_) return;
  // Bounded by directories and by entries: a huge folder is finished over
  // several steps (resume_scan) before the next directory is taken.
  std::size_t dirs = 0;
  std::size_t entries = 0;
  const std::size_t entry_budget = std::max<std::size_t>(1, options_.entries_per_step);
  while (entries < entry_budget) {
    if (cursor_) {
      entries += resume_scan(entry_budget - entries);
      continue;
    }
    if (dirs >= options_.dirs_per_step || queue_.empty()) break;
    ScanItem item = queue_.front();
    queue_.pop_front();
    ++dirs;
    ++entries;
    // Counted against the root it was queued for, even if it is gone since,
    // so that root's crawl still ends.
    Root* r = root_for(item.root);
    if (r) {
      if (r->queued) --r->queued;
      ++r->dirs_done;
    }
    // A node id can be reused after a removal: scan only live directories
    // still in the same root.
    const Node& node = tree_[item.node];
    if (r && !r->gone && node.live && node.kind == NodeKind::Dir && tree_.root_of(item.node) == item.root) {
      if (item.report == Report::Reignore) reignore_dir(*r, item.node);
      else begin_scan(*r, item.node, item.report);
    }
  }
  for (const auto& root : roots_)
    if (!root->superseded.empty() && !reignore_pending(*root)) root->superseded.clear();
  flush();
  report_progress();
  report_new_unwatched();
  if (crawling()) schedule_step();
}

void Watcher::Impl::report_progress() {
  auto now = clock_.now();
  for (const auto& rp : roots_) {
    Root& r = *rp;
    if (r.crawl_reported || r.gone) continue;
    if (r.queued == 0 && !(cursor_ && cursor_->root == r.node)) {
      r.crawl_reported = true;
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - r.crawl_start).count();
      std::size_t watched = 0;
      tree_.for_each_in_subtree(r.node, [&](NodeId n) {
        if (tree_[n].wd != kNoWatch) ++watched;
      });
      CrawlProgress p{r.path, r.dirs_done, r.dirs_done, true,
                      "Watching " + format_count(watched) + " folder" + (watched == 1 ? "" : "s") +
                          " in " + std::to_string(ms) + " ms"};
      report_budget(r);
      if (callbacks_.on_progress) callbacks_.on_progress(p);
      arm_unwatched_poll();
    } else if (now - r.last_progress >= std::chrono::milliseconds(100)) {
      r.last_progress = now;
      if (callbacks_.on_progress)
        callbacks_.on_progress(CrawlProgress{r.path, r.dirs_done, r.dirs_done + r.queued, false, {}});
    }
  }
}

// Watches dir if it has no watch yet and the budget allows; false when it
// has vanished (then already handled).
bool Watcher::Impl::watch_before_scan(Root& r, NodeId dir, const std::string& path, bool is_root) {
  if (tree_[dir].wd != kNoWatch || (!is_root && backend_->recursive())) return true;
  if (!can_try_watch()) {
    mark_unwatched(dir);
    return true;
  }
  WatchResult w = backend_->watch_dir(path, is_root);
  if (w.id != kNoWatch) {
    set_watch(dir, w.id);
    clear_unwatched(dir);
  } else if (w.error == ENOENT || w.error == ENOTDIR) {
    vanished(r, dir);
    return false;
  } else if (w.error == ENOSPC) {
    budget_exhausted_ = true;
    exhausted_at_ = wd_to_node_.size();
    mark_unwatched(dir);
  } else if (w.error == EACCES || w.error == EPERM) {
    // opendir in scan_dir fails the same way and reports it.
  } else {
    // Not the budget (ENOSPC above): listed as unwatched, but never counted
    // as a watch shortfall, so no "raise max_user_watches" advice for it.
    mark_watch_failed(dir);
    problem_once(Problem{Severity::Warning, "watch-failed", path,
                         "cannot watch " + path + ": " + describe_watch_errno(w.error) +
                             "; changes inside it are not seen",
                         watch_failed_fix(w.error)});
  }
  return true;
}

}  // namespace devwatch::watch
