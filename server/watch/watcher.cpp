#include "watch/watcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "common/clock.h"
#include "common/errno_text.h"
#include "watch/backend_factory.h"
#include "watch/budget.h"
#include "watch/coalescer.h"
#include "watch/mounts.h"
#include "watch/tree.h"

namespace devwatch::watch {

namespace {


// Node::flags bits.
constexpr std::uint8_t kFromScan = 1;      // stat came from a directory scan
constexpr std::uint8_t kHasGitignore = 2;  // its .gitignore is loaded into the rules
constexpr std::uint8_t kUnreadable = 4;    // opendir/watch failed with a permission error
constexpr std::uint8_t kPendingMove = 8;   // MOVED_FROM seen, MOVED_TO not yet
constexpr std::uint8_t kSeen = 16;         // listed by the scan in progress
constexpr std::uint8_t kNoWatchBudget = 32; // a directory left without a watch (budget)
// Found by a scan and never lstat'ed: kind and inode come from readdir, and
// mtime is known only to predate the watch (the first crawl skips a stat per
// file, which on a cold cache is most of its cost).
constexpr std::uint8_t kNeedsStat = 64;
// A directory with an entry its root's ignore rules skipped: where a change
// of the rules may un-ignore something (set_root_ignore lists only these).
constexpr std::uint8_t kSkippedIgnored = 128;

// Where a scan's changes go: nowhere (the first crawl builds the snapshot),
// the normal batch, or the batch marked with the resync reason. Adopt is
// None with a full lstat (a subtree un-ignored while running: its files are
// not new, but later diffs need real stats). Reignore lists a directory
// after its root's rules changed, to adopt the entries they now admit.
enum class Report : std::uint8_t { None, Normal, Resync, Adopt, Reignore };

struct DirEntry {
  std::string name;
  unsigned char type;
  ino_t ino;
};

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

struct ScanItem {
  NodeId node;
  Report report;
};

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

}  // namespace

std::string format_count(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

class Watcher::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, WatcherOptions options, Callbacks callbacks)
      : io_(io),
        options_(std::move(options)),
        callbacks_(std::move(callbacks)),
        own_clock_(options_.clock ? nullptr : std::make_unique<AsioClock>(io)),
        clock_(options_.clock ? *options_.clock : *own_clock_),
        move_timer_(clock_.make_timer()),
        unwatched_timer_(clock_.make_timer()) {}

  void start() {
    BackendChoice choice = make_backend(io_, options_);
    backend_ = std::move(choice.backend);
    backend_reason_ = std::move(choice.reason);
    if (choice.problem) problem(*choice.problem);
    if (backend_->has_watch_budget()) {
      BudgetLimits limits = read_budget_limits();
      queue_limit_ = limits.max_queued_events;
      watch_limit_ = options_.watch_limit_override.value_or(limits.max_user_watches);
      // Other processes' watches are counted (a /proc walk, ~20 ms) only
      // when the budget runs out or status asks: ENOSPC is the real signal.
    }
    std::weak_ptr<Impl> weak = weak_from_this();
    backend_->start([weak](std::vector<Hint>& hints) {
      if (auto self = weak.lock()) self->on_hints(hints);
    });
  }

  void shutdown() {
    stopped_ = true;
    if (backend_) backend_->stop();
    move_timer_->cancel();
    unwatched_timer_->cancel();
    for (auto& r : roots_)
      if (r->return_timer) r->return_timer->cancel();
  }

  // ---- roots -------------------------------------------------------------

  struct Root {
    Root(std::string p, NodeId n, paths::IgnoreRules rules)
        : path(std::move(p)), node(n), ignore(std::move(rules)) {}
    std::string path;
    NodeId node = kNoNode;
    paths::IgnoreRules ignore;
    bool gone = false;
    bool crawl_reported = false;
    std::size_t queued = 0;
    std::size_t dirs_done = 0;
    TimePoint crawl_start;
    std::int64_t watch_start_ns = 0;  // files with kNeedsStat are older than this
    dev_t dev = 0;
    TimePoint last_progress;
    std::unique_ptr<Timer> return_timer;
    // Rules replaced by set_root_ignore while its Reignore scans run: an
    // entry one of them ignored is adopted silently, not reported created.
    std::vector<paths::IgnoreRules> superseded;
  };

  Result<void> add_root(const std::string& raw, const paths::IgnoreOptions& ignore) {
    if (raw.empty() || raw[0] != '/')
      return make_error(ErrorCode::InvalidParams, "watch root must be an absolute path: " + raw);
    std::string path = raw;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    for (auto& r : roots_)
      if (r->path == path) return {};
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
      return make_error(ErrorCode::NotFound, "cannot watch " + path + ": " + errno_text(errno));
    if (!S_ISDIR(st.st_mode))
      return make_error(ErrorCode::NotFound, "cannot watch " + path + ": not a directory");
    auto rules = paths::IgnoreRules::create(ignore);
    if (!rules) return rules.error();

    auto root = std::make_unique<Root>(Root{path, kNoNode, std::move(rules.value())});
    root->node = tree_.add_root(path);
    tree_[root->node].ino = st.st_ino;
    tree_[root->node].mtime_ns = mtime_ns(st);
    check_mount(path);
    roots_.push_back(std::move(root));
    begin_crawl(*roots_.back(), Report::None);
    return {};
  }

  void remove_root(const std::string& raw) {
    std::string path = raw;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    for (std::size_t i = 0; i < roots_.size(); ++i) {
      if (roots_[i]->path != path) continue;
      Root& r = *roots_[i];
      if (r.return_timer) r.return_timer->cancel();
      std::erase_if(queue_, [&](const ScanItem& s) { return tree_.root_of(s.node) == r.node; });
      remove_node(r.node, Report::None, /*keep_root=*/false);
      roots_.erase(roots_.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }

  Root* root_for(NodeId root_node) {
    for (auto& r : roots_)
      if (r->node == root_node) return r.get();
    return nullptr;
  }

  void begin_crawl(Root& r, Report report) {
    r.crawl_start = r.last_progress = clock_.now();
    r.watch_start_ns = realtime_ns();
    r.crawl_reported = false;
    r.dirs_done = 0;
    enqueue(r.node, report, /*front=*/false);
  }

  // ---- new ignore rules for a running root ---------------------------------

  Result<void> set_root_ignore(const std::string& raw, const paths::IgnoreOptions& ignore) {
    std::string path = raw;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    Root* r = nullptr;
    for (auto& rp : roots_)
      if (rp->path == path) r = rp.get();
    if (!r) return make_error(ErrorCode::NotFound, "not a watched folder: " + path);
    auto rules = paths::IgnoreRules::create(ignore);
    if (!rules) return rules.error();

    r->superseded.push_back(std::move(r->ignore));
    r->ignore = std::move(rules.value());
    // The .gitignore files already loaded apply under the new rules too.
    std::vector<NodeId> skipped;
    tree_.for_each_in_subtree(r->node, [&](NodeId n) {
      if (tree_[n].flags & kHasGitignore) reload_gitignore(*r, n);
      if (tree_[n].flags & kSkippedIgnored) skipped.push_back(n);
    });
    // Newly ignored: out of the snapshot now, watches released, no events.
    std::vector<NodeId> stack{r->node};
    std::vector<NodeId> pruned;
    while (!stack.empty()) {
      NodeId n = stack.back();
      stack.pop_back();
      for (NodeId c = tree_[n].first_child; c != kNoNode; c = tree_[c].next) {
        if (r->ignore.is_ignored_entry(tree_.relative_path(c), tree_[c].kind == NodeKind::Dir)) {
          pruned.push_back(c);
          tree_[n].flags |= kSkippedIgnored;
        } else if (tree_[c].kind == NodeKind::Dir) {
          stack.push_back(c);
        }
      }
    }
    for (NodeId n : pruned) remove_node(n, Report::None, false);
    std::erase_if(pending_moves_, [&](const auto& kv) { return !tree_[kv.second.node].live; });
    // Newly admitted: list the folders that skipped something, adopt what
    // the new rules let in (crawled and watched, not reported created).
    if (!r->gone)
      for (NodeId n : skipped)
        if (tree_[n].live && tree_[n].kind == NodeKind::Dir) enqueue(n, Report::Reignore, false);
    if (!reignore_pending(*r)) r->superseded.clear();
    // Released watches may fit folders the budget left unwatched: retry them.
    if (!unwatched_.empty() && !pruned.empty()) {
      budget_exhausted_ = false;
      for (NodeId n : unwatched_)
        if (tree_[n].live) enqueue(n, Report::Normal, false);
    }
    return {};
  }

  bool reignore_pending(const Root& r) const {
    return std::any_of(queue_.begin(), queue_.end(), [&](const ScanItem& s) {
      return s.report == Report::Reignore && tree_[s.node].live && tree_.root_of(s.node) == r.node;
    });
  }

  void reload_gitignore(Root& r, NodeId dir) {
    tree_[dir].flags &= static_cast<std::uint8_t>(~kHasGitignore);
    if (!r.ignore.options().respect_gitignore) return;
    int fd = ::open(tree_.path(dir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    load_gitignore(r, dir, fd, tree_.relative_path(dir));
    ::close(fd);
  }

  // Lists dir after its root's rules changed: entries the snapshot lacks
  // were ignored before (adopt silently) or are new (verify reports them).
  void reignore_dir(Root& r, NodeId dir) {
    const std::string path = tree_.path(dir);
    DIR* d = ::opendir(path.c_str());
    if (!d) return;  // gone or unreadable: its parent's events and scans say so
    const std::string dir_rel = tree_.relative_path(dir);
    tree_[dir].flags &= static_cast<std::uint8_t>(~kSkippedIgnored);
    entries_.clear();
    while (dirent* e = ::readdir(d)) {
      const char* nm = e->d_name;
      if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
      entries_.push_back(DirEntry{nm, e->d_type, e->d_ino});
    }
    const int fd = ::dirfd(d);
    for (const DirEntry& e : entries_) {
      if (tree_.find(dir, e.name) != kNoNode) continue;
      struct stat st {};
      if (::fstatat(fd, e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      const bool is_dir = S_ISDIR(st.st_mode);
      const std::string rel = join_rel(dir_rel, e.name);
      if (r.ignore.is_ignored_entry(rel, is_dir)) {
        tree_[dir].flags |= kSkippedIgnored;
        continue;
      }
      const bool was_ignored = std::any_of(r.superseded.begin(), r.superseded.end(),
                                           [&](const paths::IgnoreRules& old) { return old.is_ignored_entry(rel, is_dir); });
      if (!was_ignored) {
        verify(r, dir, e.name, Hint::Kind::Created, drain_gen_);
        continue;
      }
      NodeId child = tree_.add(dir, e.name);
      set_stat(child, st);
      tree_[child].flags |= kFromScan;
      if (is_dir) enqueue(child, Report::Adopt, true);
    }
    ::closedir(d);
  }

  void check_mount(const std::string& path) {
    auto fs = remote_filesystem_name(path);
    if (!fs || !mount_warned_.insert(path).second) return;
    problem(Problem{Severity::Warning, "mount", path,
                    path + " is on " + *fs +
                        ": inotify sees only changes made by this machine, not those made by "
                        "other machines or the host",
                    "poll this folder: set watch.backend=poll for it (or run `devwatch watch "
                    "--backend poll`)"});
  }

  // ---- the crawl: bounded steps re-posted on the io_context ----------------

  void enqueue(NodeId node, Report report, bool front) {
    if (front) queue_.push_front(ScanItem{node, report});
    else queue_.push_back(ScanItem{node, report});
    if (Root* r = root_for(tree_.root_of(node))) ++r->queued;
    schedule_step();
  }

  void schedule_step() {
    if (step_posted_ || stopped_) return;
    step_posted_ = true;
    asio::post(io_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->step();
    });
  }

  void step() {
    step_posted_ = false;
    if (stopped_) return;
    for (std::size_t n = 0; n < options_.dirs_per_step && !queue_.empty(); ++n) {
      ScanItem item = queue_.front();
      queue_.pop_front();
      NodeId root_node = kNoNode;
      if (tree_[item.node].live) root_node = tree_.root_of(item.node);
      Root* r = root_node == kNoNode ? nullptr : root_for(root_node);
      if (r) {
        if (r->queued) --r->queued;
        ++r->dirs_done;
      }
      // A node id can be reused after a removal: scan only live directories.
      if (r && !r->gone && tree_[item.node].kind == NodeKind::Dir) {
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

  void report_progress() {
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

  bool can_try_watch() const {
    if (!backend_->has_watch_budget()) return true;
    return wd_to_node_.size() < watch_limit_ && !(budget_exhausted_ && wd_to_node_.size() >= exhausted_at_);
  }

  // Watch (before reading, so nothing created meanwhile is missed), list,
  // lstat each entry, and diff against the snapshot's children.
  void scan_dir(Root& r, NodeId dir, Report report) {
    std::string path = tree_.path(dir);
    const bool is_root = dir == r.node;
    Node& dn = tree_[dir];
    if (dn.wd == kNoWatch && (is_root || !backend_->recursive())) {
      if (can_try_watch()) {
        WatchResult w = backend_->watch_dir(path, is_root);
        if (w.id != kNoWatch) {
          set_watch(dir, w.id);
          clear_unwatched(dir);
        } else if (w.error == ENOENT || w.error == ENOTDIR) {
          vanished(r, dir);
          return;
        } else if (w.error == ENOSPC) {
          budget_exhausted_ = true;
          exhausted_at_ = wd_to_node_.size();
          mark_unwatched(dir);
        } else if (w.error == EACCES || w.error == EPERM) {
          // opendir below fails the same way and reports it.
        } else {
          mark_unwatched(dir);
          problem_once(Problem{Severity::Warning, "watch-failed", path,
                               "cannot watch " + path + ": " + describe_watch_errno(w.error), ""});
        }
      } else {
        mark_unwatched(dir);
      }
    }

    // A root given as a symlink is followed (the user named it); nothing below is.
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (is_root ? 0 : O_NOFOLLOW));
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT || err == ENOTDIR || err == ELOOP) {
        vanished(r, dir);
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

  void load_gitignore(Root& r, NodeId dir, int dirfd, const std::string& dir_rel) {
    int fd = ::openat(dirfd, ".gitignore", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return;
    std::string content;
    char buf[8192];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      content.append(buf, static_cast<std::size_t>(n));
      if (content.size() > (4u << 20)) break;
    }
    ::close(fd);
    r.ignore.set_gitignore(dir_rel, content);
    tree_[dir].flags |= kHasGitignore;
  }

  static bool same_identity(const Node& n, const struct stat& st) {
    if (n.kind != kind_of(st.st_mode)) return false;
    // readdir's d_ino can differ from st_ino (overlayfs): for a directory
    // that would mean a false delete of its subtree, so trust the kind; for
    // a file at worst a spurious change.
    if ((n.flags & kNeedsStat) && n.kind == NodeKind::Dir) return true;
    return n.ino == st.st_ino;
  }

  static bool differs(const Root& r, const Node& n, const struct stat& st) {
    if (n.flags & kNeedsStat) return mtime_ns(st) >= r.watch_start_ns;
    return n.mtime_ns != mtime_ns(st) || n.size != static_cast<std::uint64_t>(st.st_size);
  }

  void set_stat(NodeId id, const struct stat& st) {
    Node& n = tree_[id];
    n.ino = st.st_ino;
    n.mtime_ns = mtime_ns(st);
    n.size = static_cast<std::uint64_t>(st.st_size);
    n.kind = kind_of(st.st_mode);
    n.stat_gen = drain_gen_;
    n.flags &= static_cast<std::uint8_t>(~kNeedsStat);
  }

  // inotify returns the same wd for the same inode: a directory under two
  // nested roots, or one we still hold under its old name (an unpaired
  // move), shares one watch. Hints go to every node holding it, and the
  // watch is removed only when the last one lets go.
  void set_watch(NodeId node, WatchId wd) {
    auto [it, inserted] = wd_to_node_.try_emplace(wd, node);
    if (!inserted && it->second != node) {
      const Node& holder = tree_[it->second];
      if (!holder.live || holder.wd != wd) {
        it->second = node;  // a stale entry
      } else {
        bool known = false;
        auto range = wd_shared_.equal_range(wd);
        for (auto s = range.first; s != range.second; ++s) known |= s->second == node;
        if (!known) wd_shared_.emplace(wd, node);
      }
    }
    tree_[node].wd = wd;
  }

  void drop_watch(NodeId n) {
    const WatchId wd = tree_[n].wd;
    if (wd == kNoWatch) return;
    tree_[n].wd = kNoWatch;
    auto range = wd_shared_.equal_range(wd);
    for (auto s = range.first; s != range.second; ++s)
      if (s->second == n) {
        wd_shared_.erase(s);
        break;
      }
    auto it = wd_to_node_.find(wd);
    if (it == wd_to_node_.end() || it->second != n) return;
    auto other = wd_shared_.find(wd);
    if (other != wd_shared_.end()) {
      it->second = other->second;
      wd_shared_.erase(other);
    } else {
      backend_->unwatch_dir(wd);
      wd_to_node_.erase(it);
    }
  }

  std::vector<NodeId> nodes_for(WatchId wd) const {
    std::vector<NodeId> out;
    auto it = wd_to_node_.find(wd);
    if (it == wd_to_node_.end()) return out;
    out.push_back(it->second);
    auto range = wd_shared_.equal_range(wd);
    for (auto s = range.first; s != range.second; ++s) out.push_back(s->second);
    return out;
  }

  void mark_unwatched(NodeId dir) {
    NodeId parent = tree_[dir].parent;
    if (parent == kNoNode || tree_[parent].wd != kNoWatch) unwatched_.insert(dir);
    if (!(tree_[dir].flags & kNoWatchBudget)) {
      tree_[dir].flags |= kNoWatchBudget;
      ++unwatched_dirs_;
    }
  }

  void clear_unwatched(NodeId dir) {
    unwatched_.erase(dir);
    if (tree_[dir].flags & kNoWatchBudget) {
      tree_[dir].flags &= static_cast<std::uint8_t>(~kNoWatchBudget);
      --unwatched_dirs_;
    }
  }

  // A directory disappeared while we were about to scan it.
  void vanished(Root& r, NodeId dir) {
    if (dir == r.node) {
      root_gone(r);
      return;
    }
    // Gone, or replaced by a file: lstat in the parent decides.
    std::string name = tree_[dir].name;
    verify(r, tree_[dir].parent, name, Hint::Kind::Deleted, drain_gen_);
  }

  // ---- reporting ---------------------------------------------------------

  void emit(NodeId id, ChangeType type, Report report) {
    if (report == Report::None || report == Report::Adopt) return;
    Change c{tree_.path(id), type, tree_[id].kind == NodeKind::Dir};
    (report == Report::Resync ? resync_out_ : out_).push_back(std::move(c));
  }

  void remove_node(NodeId id, Report report, bool keep_root) {
    NodeId root_node = tree_.root_of(id);
    Root* r = root_for(root_node);
    auto visit = [&](NodeId n) {
      Node& node = tree_[n];
      drop_watch(n);
      clear_unwatched(n);
      if ((node.flags & kHasGitignore) && r) r->ignore.remove_gitignore(tree_.relative_path(n));
      if (n != root_node || !keep_root) emit(n, ChangeType::Deleted, report);
    };
    if (keep_root && id == root_node) {
      visit(id);
      std::vector<NodeId> kids;
      for (NodeId c = tree_[id].first_child; c != kNoNode; c = tree_[c].next) kids.push_back(c);
      for (NodeId c : kids) tree_.remove(c, visit);
      tree_[id].flags = 0;
    } else {
      tree_.remove(id, visit);
    }
  }

  void flush() {
    deliver(out_, std::nullopt);
    if (!resync_out_.empty() || resync_pending_reason_) {
      deliver(resync_out_, resync_pending_reason_);
      // The reason sticks while the resync scan still runs.
      if (!resync_running()) resync_pending_reason_.reset();
    }
  }

  bool resync_running() const {
    return std::any_of(queue_.begin(), queue_.end(),
                       [](const ScanItem& s) { return s.report == Report::Resync; });
  }

  void deliver(std::vector<Change>& changes, const std::optional<std::string>& reason) {
    if (changes.empty()) return;
    // Merge repeats within this delivery (created+changed -> created, ...).
    Coalescer merge(std::chrono::milliseconds(0), std::chrono::milliseconds(0));
    auto now = clock_.now();
    for (const Change& c : changes) merge.add(c, now);
    changes.clear();
    Batch b = merge.take_all();
    if (b.changes.empty()) return;
    b.resync_reason = reason;
    last_event_time_ = std::chrono::system_clock::now();
    if (callbacks_.on_batch) callbacks_.on_batch(std::move(b));
  }

  // Reported once, as a value: logging and notifying is the caller's job.
  void problem(const Problem& p) {
    problems_.push_back(p);
    if (problems_.size() > 100) problems_.erase(problems_.begin());
    if (callbacks_.on_problem) callbacks_.on_problem(p);
  }

  void problem_once(const Problem& p) {
    if (reported_once_.insert(p.kind + '\0' + p.path).second) problem(p);
  }

  // ---- hints ---------------------------------------------------------------

  void on_hints(std::vector<Hint>& hints) {
    if (stopped_) return;
    const std::uint32_t gen = drain_gen_++;
    bool overflow = false, rescan = false;
    for (const Hint& h : hints) {
      if (h.kind == Hint::Kind::Overflow) overflow = true;
      if (h.kind == Hint::Kind::Rescan && h.dir == kNoWatch) rescan = true;
    }
    if (overflow) {
      // The rescan covers every hint of this drain: drop them.
      start_resync("inotify queue overflow (fs.inotify.max_queued_events=" +
                   std::to_string(queue_limit_) + ")");
      return;
    }
    if (rescan) {
      if (queue_.empty())
        for (auto& r : roots_)
          if (!r->gone) enqueue(r->node, Report::Normal, false);
      check_gone_roots_by_poll();
      return;
    }
    for (const Hint& h : hints) handle(h, gen);
    flush();
  }

  void start_resync(std::string reason) {
    ++resync_count_;
    clear_pending_moves();
    problem(Problem{Severity::Warning, "resync", {},
                    "events were lost (" + reason + "); rescanning to find what changed",
                    "raise the queue: sudo sysctl fs.inotify.max_queued_events=" +
                        std::to_string(std::max<std::size_t>(65536, queue_limit_ * 4))});
    resync_pending_reason_ = std::move(reason);
    for (auto& r : roots_)
      if (!r->gone) enqueue(r->node, Report::Resync, true);
  }

  void handle(const Hint& h, std::uint32_t gen) {
    std::vector<NodeId> dirs = nodes_for(h.dir);  // empty: a watch we already dropped
    if (h.kind == Hint::Kind::WatchGone) {
      // The kernel dropped it: nobody holds it any more.
      wd_to_node_.erase(h.dir);
      wd_shared_.erase(h.dir);
      for (NodeId d : dirs)
        if (tree_[d].live && tree_[d].wd == h.dir) tree_[d].wd = kNoWatch;
    }
    for (NodeId d : dirs)
      if (tree_[d].live && (tree_[d].wd == h.dir || h.kind == Hint::Kind::WatchGone)) handle_in(d, h, gen);
  }

  void handle_in(NodeId dir, const Hint& h, std::uint32_t gen) {
    NodeId root_node = tree_.root_of(dir);
    Root* r = root_for(root_node);
    if (!r || r->gone) return;

    switch (h.kind) {
      case Hint::Kind::SelfGone:
      case Hint::Kind::WatchGone:
        if (dir == root_node) root_gone(*r);
        return;  // a subdirectory's parent reports its deletion or move
      default:
        break;
    }

    // Recursive backends name a relative path: walk to the entry's parent.
    std::string_view name = h.name;
    while (true) {
      auto slash = name.find('/');
      if (slash == std::string_view::npos) break;
      NodeId next = tree_.find(dir, name.substr(0, slash));
      if (next == kNoNode) {
        enqueue(dir, Report::Normal, true);
        return;
      }
      dir = next;
      name.remove_prefix(slash + 1);
    }
    if (name.empty()) {
      enqueue(dir, Report::Normal, true);
      return;
    }

    if (h.kind == Hint::Kind::MovedFrom && h.is_dir) {
      NodeId child = tree_.find(dir, name);
      if (child != kNoNode && tree_[child].kind == NodeKind::Dir) {
        tree_[child].flags |= kPendingMove;
        pending_moves_[h.cookie] = PendingMove{child, dir, std::string(name),
                                               clock_.now() + std::chrono::milliseconds(10)};
        arm_move_timer();
        return;
      }
    }
    if (h.kind == Hint::Kind::MovedTo && h.is_dir) {
      auto pm = pending_moves_.find(h.cookie);
      if (pm != pending_moves_.end()) {
        PendingMove m = std::move(pm->second);
        pending_moves_.erase(pm);
        if (tree_[m.node].live && (tree_[m.node].flags & kPendingMove)) {
          move_dir(*r, m, dir, std::string(name));
          return;
        }
      }
    }
    verify(*r, dir, std::string(name), h.kind, gen);
  }

  // The hint says something happened to dir/name: lstat decides what.
  void verify(Root& r, NodeId dir, const std::string& name, Hint::Kind kind, std::uint32_t gen) {
    std::string path = tree_.path(dir);
    path += '/';
    path += name;
    struct stat st {};
    NodeId child = tree_.find(dir, name);
    if (::lstat(path.c_str(), &st) != 0) {
      if (child != kNoNode && !(tree_[child].flags & kPendingMove)) remove_node(child, Report::Normal, false);
      return;
    }
    const bool is_dir = S_ISDIR(st.st_mode);
    std::string rel = join_rel(tree_.relative_path(dir), name);
    if (name == ".gitignore" && r.ignore.options().respect_gitignore && tree_[dir].wd != kNoWatch) {
      // New rules: rescan this directory's subtree and diff.
      enqueue(dir, Report::Normal, true);
    }
    if (r.ignore.is_ignored_entry(rel, is_dir)) {
      if (child != kNoNode) remove_node(child, Report::None, false);
      tree_[dir].flags |= kSkippedIgnored;
      return;
    }
    if (child != kNoNode && (tree_[child].flags & kPendingMove)) return;  // settled by the move
    if (child != kNoNode && !same_identity(tree_[child], st)) {
      if (tree_[child].kind != NodeKind::Dir && !is_dir) {
        // Replaced by another file (an atomic save): one change.
        set_stat(child, st);
        tree_[child].flags &= static_cast<std::uint8_t>(~kFromScan);
        emit(child, ChangeType::Changed, Report::Normal);
        return;
      }
      remove_node(child, Report::Normal, false);
      child = kNoNode;
    }
    if (child == kNoNode) {
      child = tree_.add(dir, name);
      set_stat(child, st);
      emit(child, ChangeType::Created, Report::Normal);
      if (is_dir) enqueue(child, Report::Normal, true);
      return;
    }
    Node& cn = tree_[child];
    if (cn.kind == NodeKind::Dir) {
      // A directory's own mtime moves with every entry: not a change. A
      // chmod may make an unreadable one readable: rescan it.
      if ((cn.flags & kUnreadable) && kind == Hint::Kind::Attrib) {
        reported_once_.erase(std::string("unreadable") + '\0' + tree_.path(child));
        enqueue(child, Report::Normal, true);
      }
      return;
    }
    const bool content_hint = kind == Hint::Kind::Modified || kind == Hint::Kind::ClosedWrite ||
                              kind == Hint::Kind::Attrib;
    const bool stat_differs = differs(r, cn, st);
    // Events of drain `gen` happened after drain gen-1 ended: a stat taken
    // before that (stat_gen < gen) cannot show them, so trust the event.
    // Otherwise the order is unknown: trust the stat, except that a writer
    // closing a file we did not just find by scanning is a change even when
    // coarse timestamps and an equal size hide it.
    bool changed = stat_differs;
    if (content_hint && kind != Hint::Kind::Attrib && cn.stat_gen < gen) changed = true;
    if (kind == Hint::Kind::ClosedWrite && !(cn.flags & kFromScan)) changed = true;
    // Never stat'ed: the write may be the one that made it (it predates us).
    if ((cn.flags & kNeedsStat) && kind != Hint::Kind::Attrib && content_hint) changed = true;
    set_stat(child, st);
    if (changed) {
      cn.flags &= static_cast<std::uint8_t>(~kFromScan);
      emit(child, ChangeType::Changed, Report::Normal);
    }
  }

  // ---- directory moves -------------------------------------------------------

  struct PendingMove {
    NodeId node;
    NodeId from_dir;
    std::string from_name;
    TimePoint deadline;
  };

  void move_dir(Root& r, const PendingMove& m, NodeId to_dir, const std::string& to_name) {
    tree_[m.node].flags &= static_cast<std::uint8_t>(~kPendingMove);
    std::string to_rel = join_rel(tree_.relative_path(to_dir), to_name);
    const bool same_root = tree_.root_of(to_dir) == tree_.root_of(m.node);
    if (!same_root || r.ignore.is_ignored_entry(to_rel, true)) {
      remove_node(m.node, Report::Normal, false);
      verify(r, to_dir, to_name, Hint::Kind::MovedTo, drain_gen_);
      return;
    }
    NodeId existing = tree_.find(to_dir, to_name);
    if (existing != kNoNode && existing != m.node) remove_node(existing, Report::Normal, false);
    // Every entry below changes path: deleted under the old, created under the new.
    std::vector<NodeId> gitignore_dirs;
    tree_.for_each_in_subtree(m.node, [&](NodeId n) {
      emit(n, ChangeType::Deleted, Report::Normal);
      if (tree_[n].flags & kHasGitignore) {
        r.ignore.remove_gitignore(tree_.relative_path(n));
        gitignore_dirs.push_back(n);
      }
    });
    tree_.move(m.node, to_dir, to_name);
    tree_.for_each_in_subtree(m.node, [&](NodeId n) { emit(n, ChangeType::Created, Report::Normal); });
    for (NodeId n : gitignore_dirs) enqueue(n, Report::Normal, true);  // reloads at the new path
  }

  void arm_move_timer() {
    if (pending_moves_.empty()) return;
    auto earliest = TimePoint::max();
    for (auto& [cookie, m] : pending_moves_) earliest = std::min(earliest, m.deadline);
    move_timer_->start_at(earliest, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->expire_moves();
    });
  }

  // A MOVED_FROM whose MOVED_TO never came: the directory left the tree.
  void expire_moves() {
    if (stopped_) return;
    auto now = clock_.now();
    std::vector<PendingMove> expired;
    for (auto it = pending_moves_.begin(); it != pending_moves_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second));
        it = pending_moves_.erase(it);
      } else {
        ++it;
      }
    }
    for (PendingMove& m : expired) {
      if (!tree_[m.node].live || !(tree_[m.node].flags & kPendingMove)) continue;
      if (!tree_[m.from_dir].live || tree_[m.from_dir].kind != NodeKind::Dir) continue;
      tree_[m.node].flags &= static_cast<std::uint8_t>(~kPendingMove);
      Root* r = root_for(tree_.root_of(m.node));
      if (!r) continue;
      verify(*r, m.from_dir, m.from_name, Hint::Kind::MovedFrom, drain_gen_);
    }
    flush();
    arm_move_timer();
  }

  void clear_pending_moves() {
    for (auto& [cookie, m] : pending_moves_)
      if (tree_[m.node].live) tree_[m.node].flags &= static_cast<std::uint8_t>(~kPendingMove);
    pending_moves_.clear();
  }

  // ---- deleted and returning roots --------------------------------------

  void root_gone(Root& r) {
    if (r.gone) return;
    r.gone = true;
    clear_pending_moves();
    std::erase_if(queue_, [&](const ScanItem& s) { return tree_.root_of(s.node) == r.node; });
    r.queued = 0;
    remove_node(r.node, Report::Normal, /*keep_root=*/true);
    emit(r.node, ChangeType::Deleted, Report::Normal);
    flush();
    problem(Problem{Severity::Warning, "root-deleted", r.path,
                    "workspace folder " + r.path + " was deleted or moved away; watching for it to "
                    "come back",
                    ""});
    if (!r.return_timer) r.return_timer = clock_.make_timer();
    arm_return_timer(r);
  }

  void arm_return_timer(Root& r) {
    clock_.start_after(*r.return_timer, std::chrono::milliseconds(std::clamp(options_.poll_interval_ms / 4, 20, 250)),
                       [weak = weak_from_this(), node = r.node] {
      auto self = weak.lock();
      if (!self || self->stopped_) return;
      Root* root = self->root_for(node);
      if (root && root->gone) self->check_root_back(*root);
    });
  }

  void check_root_back(Root& r) {
    struct stat st {};
    if (::stat(r.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      arm_return_timer(r);
      return;
    }
    r.gone = false;
    tree_[r.node].ino = st.st_ino;
    problem(Problem{Severity::Info, "root-restored", r.path,
                    "workspace folder " + r.path + " is back; watching it again", ""});
    emit(r.node, ChangeType::Created, Report::Normal);
    begin_crawl(r, Report::Normal);
  }

  void check_gone_roots_by_poll() {
    // The poll backend finds a deleted root in its scan (open fails); nothing else to do.
  }

  // ---- budget ------------------------------------------------------------

  // Directories created after the crawl can run out of watches too: say so
  // again when more are unwatched than last reported (at most every 10 s).
  void report_new_unwatched() {
    if (!queue_.empty() || unwatched_dirs_ <= budget_reported_ || unwatched_.empty()) return;
    auto now = clock_.now();
    if (budget_reported_at_ && now - *budget_reported_at_ < std::chrono::seconds(10)) return;
    for (auto& r : roots_)
      if (!r->crawl_reported) return;  // the crawl's end reports it
    Root* r = root_for(tree_.root_of(*unwatched_.begin()));
    if (r) report_budget(*r);
  }

  void report_budget(Root& r) {
    if (!backend_->has_watch_budget() || unwatched_.empty() || budget_reported_ == unwatched_dirs_) return;
    budget_reported_at_ = clock_.now();
    refresh_foreign_watches();
    std::size_t watched = wd_to_node_.size();
    std::size_t needed = watched + unwatched_dirs_;
    std::string msg = budget_message(needed, watched, watch_limit_, foreign_watches_);
    std::string fix = watch_limit_fix(needed);
    std::string largest = largest_dirs(r);
    if (!largest.empty()) fix += "; largest folders you could exclude: " + largest;
    if (!options_.poll_unwatched) fix += "; or set watch.pollUnwatched=true to poll the unwatched folders";
    budget_reported_ = unwatched_dirs_;
    problem(Problem{Severity::Warning, "budget", r.path, msg, fix});
  }

  // Directories (depth 1..3) with the most subdirectories, none inside another.
  std::string largest_dirs(Root& r) {
    std::vector<NodeId> order;
    tree_.for_each_in_subtree(r.node, [&](NodeId n) {
      if (tree_[n].kind == NodeKind::Dir) order.push_back(n);
    });
    std::unordered_map<NodeId, std::size_t> count;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      std::size_t c = count[*it] + 1;
      count[*it] = c;
      NodeId p = tree_[*it].parent;
      if (p != kNoNode) count[p] += c;
    }
    std::vector<std::pair<std::size_t, NodeId>> cands;
    for (NodeId n : order) {
      int depth = 0;
      for (NodeId p = n; p != r.node && depth < 5; p = tree_[p].parent) ++depth;
      if (depth >= 1 && depth <= 3) cands.emplace_back(count[n], n);
    }
    std::sort(cands.begin(), cands.end(), [](auto& a, auto& b) { return a.first > b.first; });
    std::vector<NodeId> picked;
    std::string out;
    for (auto& [c, n] : cands) {
      if (picked.size() >= 5) break;
      bool nested = false;
      for (NodeId p : picked) {
        for (NodeId a = n; a != kNoNode; a = tree_[a].parent) nested |= a == p;
        for (NodeId a = p; a != kNoNode; a = tree_[a].parent) nested |= a == n;
      }
      if (nested) continue;
      picked.push_back(n);
      if (!out.empty()) out += ", ";
      out += tree_.relative_path(n) + " (" + format_count(c) + (c == 1 ? " folder)" : " folders)");
    }
    return out;
  }

  void arm_unwatched_poll() {
    if (!options_.poll_unwatched || unwatched_.empty() || unwatched_poll_armed_) return;
    unwatched_poll_armed_ = true;
    clock_.start_after(*unwatched_timer_, std::chrono::milliseconds(std::max(10, options_.poll_interval_ms)),
                       [weak = weak_from_this()] {
      auto self = weak.lock();
      if (!self || self->stopped_) return;
      self->unwatched_poll_armed_ = false;
      if (self->queue_.empty())
        for (NodeId n : self->unwatched_)
          if (self->tree_[n].live) self->enqueue(n, Report::Normal, false);
      self->arm_unwatched_poll();
    });
  }

  // ---- status --------------------------------------------------------------

  void refresh_foreign_watches() const {
    if (!backend_ || !backend_->has_watch_budget() || options_.watch_limit_override) return;
    auto now = clock_.now();
    if (foreign_counted_ && now - foreign_counted_at_ < std::chrono::seconds(10)) return;
    foreign_watches_ = count_foreign_inotify_watches();
    foreign_counted_ = true;
    foreign_counted_at_ = now;
  }

  WatcherStatus status() const {
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
    s.crawling = !queue_.empty();
    return s;
  }

  const WatcherOptions& options() const { return options_; }

  asio::io_context& io_;
  WatcherOptions options_;
  Callbacks callbacks_;
  std::unique_ptr<AsioClock> own_clock_;
  Clock& clock_;
  std::unique_ptr<Backend> backend_;
  std::string backend_reason_;
  Tree tree_;
  std::vector<std::unique_ptr<Root>> roots_;
  std::unordered_map<WatchId, NodeId> wd_to_node_;       // one entry per kernel watch
  std::unordered_multimap<WatchId, NodeId> wd_shared_;   // further holders of the same watch
  std::deque<ScanItem> queue_;
  bool step_posted_ = false;
  bool stopped_ = false;
  std::uint32_t drain_gen_ = 1;

  std::vector<DirEntry> entries_;
  std::vector<Change> out_;
  std::vector<Change> resync_out_;
  std::optional<std::string> resync_pending_reason_;

  std::unordered_map<std::uint32_t, PendingMove> pending_moves_;
  std::unique_ptr<Timer> move_timer_;
  std::unique_ptr<Timer> unwatched_timer_;
  bool unwatched_poll_armed_ = false;

  std::size_t watch_limit_ = 0;
  mutable std::size_t foreign_watches_ = 0;
  mutable bool foreign_counted_ = false;
  mutable TimePoint foreign_counted_at_;
  std::size_t queue_limit_ = 0;
  bool budget_exhausted_ = false;
  std::size_t exhausted_at_ = 0;
  std::unordered_set<NodeId> unwatched_;
  std::size_t unwatched_dirs_ = 0;
  std::size_t budget_reported_ = 0;
  std::optional<TimePoint> budget_reported_at_;

  std::size_t resync_count_ = 0;
  std::optional<std::chrono::system_clock::time_point> last_event_time_;
  std::vector<Problem> problems_;
  std::unordered_set<std::string> reported_once_;
  std::unordered_set<std::string> mount_warned_;

  friend class Watcher;
};

Watcher::Watcher(asio::io_context& io, WatcherOptions options, Callbacks callbacks)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(callbacks))) {
  impl_->start();
}

Watcher::~Watcher() { impl_->shutdown(); }

Result<void> Watcher::add_root(const std::string& absolute_path) {
  return impl_->add_root(absolute_path, impl_->options().ignore);
}

Result<void> Watcher::add_root(const std::string& absolute_path, const paths::IgnoreOptions& ignore) {
  return impl_->add_root(absolute_path, ignore);
}

void Watcher::remove_root(const std::string& absolute_path) { impl_->remove_root(absolute_path); }

Result<void> Watcher::set_root_ignore(const std::string& root, const paths::IgnoreOptions& ignore) {
  return impl_->set_root_ignore(root, ignore);
}

bool Watcher::busy() const { return !impl_->queue_.empty() || !impl_->pending_moves_.empty(); }

WatcherStatus Watcher::status() const { return impl_->status(); }

std::size_t Watcher::watched_dirs() const { return impl_->wd_to_node_.size(); }

std::string Watcher::backend_name() const { return std::string(impl_->backend_->name()); }

void Watcher::pause_draining_for_test() { impl_->backend_->pause_draining_for_test(); }

void Watcher::resume_draining_for_test() { impl_->backend_->resume_draining_for_test(); }

}  // namespace devwatch::watch
