// The crawl: a step function that scans a bounded number of directories
// (options.dirs_per_step) and re-posts itself, so the backend is drained and
// requests are answered between steps. Each directory is watched before it
// is listed (nothing created meanwhile is missed), its entries are lstat'ed
// (or, on the first crawl, typed by readdir) and diffed against the snapshot.
// Threading: io_context thread (see watcher_state.h).
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

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

NodeKind kind_of_dtype(unsigned char t) {
  switch (t) {
    case DT_DIR: return NodeKind::Dir;
    case DT_REG: return NodeKind::File;
    case DT_LNK: return NodeKind::Symlink;
    default: return NodeKind::Other;
  }
}

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
  for (std::size_t n = 0; n < options_.dirs_per_step && !queue_.empty(); ++n) {
    ScanItem item = queue_.front();
    queue_.pop_front();
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
      else scan_dir(*r, item.node, item.report);
    }
  }
  for (auto& root : roots_)
    if (!root->superseded.empty() && !reignore_pending(*root)) root->superseded.clear();
  flush();
  report_progress();
  report_new_unwatched();
  if (!queue_.empty()) schedule_step();
}

void Watcher::Impl::report_progress() {
  auto now = clock_.now();
  for (auto& rp : roots_) {
    Root& r = *rp;
    if (r.crawl_reported || r.gone) continue;
    if (r.queued == 0) {
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

// Watch (before reading, so nothing created meanwhile is missed), list,
// lstat each entry, and diff against the snapshot's children.
void Watcher::Impl::scan_dir(Root& r, NodeId dir, Report report) {
  std::string path = tree_.path(dir);
  const bool is_root = dir == r.node;
  if (!watch_before_scan(r, dir, path, is_root)) return;

  // A root given as a symlink is followed (the user named it); nothing below is.
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (is_root ? 0 : O_NOFOLLOW));
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR || err == ELOOP) {
      vanished(r, dir);
    } else if (err == ENAMETOOLONG) {
      // Already reported by watch_before_scan with the right fix; "chmod" would be wrong.
      tree_[dir].flags |= kUnreadable;
    } else {
      tree_[dir].flags |= kUnreadable;
      problem_once(Problem{Severity::Warning, "unreadable", path,
                           "cannot read folder " + path + ": " + errno_text(err) +
                               "; changes inside it are not seen",
                           "make it readable (chmod u+rx) or exclude it"});
    }
    return;
  }
  tree_[dir].flags &= static_cast<std::uint8_t>(~kUnreadable);
  struct stat dir_st {};
  if (::fstat(fd, &dir_st) == 0) {
    set_stat(dir, dir_st);
    if (is_root) r.dev = dir_st.st_dev;
    else if (dir_st.st_dev != r.dev) check_mount(path);  // a mount point inside the tree
  }
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return;
  }
  entries_.clear();
  bool has_gitignore = false;
  while (dirent* e = ::readdir(d)) {
    const char* nm = e->d_name;
    if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
    entries_.push_back(DirEntry{nm, e->d_type, e->d_ino});
    if (std::strcmp(nm, ".gitignore") == 0) has_gitignore = true;
  }

  const std::string dir_rel = tree_.relative_path(dir);
  tree_[dir].flags &= static_cast<std::uint8_t>(~kSkippedIgnored);
  if (r.ignore.options().respect_gitignore) {
    if (has_gitignore) load_gitignore(r, dir, fd, dir_rel);
    else if (tree_[dir].flags & kHasGitignore) {
      r.ignore.remove_gitignore(dir_rel);
      tree_[dir].flags &= static_cast<std::uint8_t>(~kHasGitignore);
    }
  }

  const bool had_children = tree_[dir].first_child != kNoNode;
  for (const DirEntry& e : entries_) {
    const std::string& name = e.name;
    NodeId child = had_children ? tree_.find(dir, name) : kNoNode;
    // During the first crawl a new entry needs no stat when readdir gave
    // its type (it predates the watch); later, and to diff, it does.
    struct stat st {};
    const bool have_stat = child != kNoNode || e.type == DT_UNKNOWN || report != Report::None;
    if (have_stat && ::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone already
    const NodeKind kind = have_stat ? kind_of(st.st_mode) : kind_of_dtype(e.type);
    const bool is_dir = kind == NodeKind::Dir;
    std::string rel = join_rel(dir_rel, name);
    if (r.ignore.is_ignored_entry(rel, is_dir)) {
      if (child != kNoNode) remove_node(child, Report::None, false);
      tree_[dir].flags |= kSkippedIgnored;
      continue;
    }
    if (child != kNoNode && !same_identity(tree_[child], st)) {
      remove_node(child, report, false);
      child = kNoNode;
    }
    if (child == kNoNode) {
      child = tree_.add(dir, name);
      Node& cn = tree_[child];
      if (have_stat) {
        set_stat(child, st);
      } else {
        cn.ino = e.ino;
        cn.kind = kind;
        cn.stat_gen = drain_gen_;
        cn.flags |= kNeedsStat;
      }
      cn.flags |= kFromScan;
      emit(child, ChangeType::Created, report);
      if (is_dir) enqueue(child, report, report != Report::None);
    } else {
      if (!is_dir && differs(r, tree_[child], st)) emit(child, ChangeType::Changed, report);
      set_stat(child, st);
      if (is_dir) enqueue(child, report, false);
    }
    tree_[child].flags |= kSeen;
  }
  ::closedir(d);  // closes fd

  // Children the listing no longer has are gone.
  std::vector<NodeId> gone;
  for (NodeId c = tree_[dir].first_child; c != kNoNode; c = tree_[c].next) {
    if (!(tree_[c].flags & (kSeen | kPendingMove))) gone.push_back(c);
    tree_[c].flags &= static_cast<std::uint8_t>(~kSeen);
  }
  for (NodeId c : gone) remove_node(c, report, false);
}

void Watcher::Impl::load_gitignore(Root& r, NodeId dir, int dirfd, const std::string& dir_rel) {
  auto content = read_small_file(dirfd, ".gitignore", paths::kMaxGitignoreBytes, /*follow_links=*/false);
  if (!content) return;
  r.ignore.set_gitignore(dir_rel, *content);
  tree_[dir].flags |= kHasGitignore;
}

bool Watcher::Impl::same_identity(const Node& n, const struct stat& st) {
  if (n.kind != kind_of(st.st_mode)) return false;
  // readdir's d_ino can differ from st_ino (overlayfs): for a directory
  // that would mean a false delete of its subtree, so trust the kind; for
  // a file at worst a spurious change.
  if ((n.flags & kNeedsStat) && n.kind == NodeKind::Dir) return true;
  return n.ino == st.st_ino;
}

bool Watcher::Impl::differs(const Root& r, const Node& n, const struct stat& st) {
  if (n.flags & kNeedsStat) return mtime_ns(st) >= r.watch_start_ns;
  return n.mtime_ns != mtime_ns(st) || n.size != static_cast<std::uint64_t>(st.st_size);
}

void Watcher::Impl::set_stat(NodeId id, const struct stat& st) {
  Node& n = tree_[id];
  n.ino = st.st_ino;
  n.mtime_ns = mtime_ns(st);
  n.size = static_cast<std::uint64_t>(st.st_size);
  n.kind = kind_of(st.st_mode);
  n.stat_gen = drain_gen_;
  n.flags &= static_cast<std::uint8_t>(~kNeedsStat);
}

// A directory disappeared while we were about to scan it.
void Watcher::Impl::vanished(Root& r, NodeId dir) {
  if (dir == r.node) {
    root_gone(r);
    return;
  }
  // Gone, or replaced by a file: lstat in the parent decides.
  std::string name = tree_[dir].name;
  verify(r, tree_[dir].parent, name, Hint::Kind::Deleted, drain_gen_);
}

}  // namespace devwatch::watch
