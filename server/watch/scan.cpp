// The scan of one directory: watched before it is listed (nothing created
// meanwhile is missed), listed at once, then its entries lstat'ed (or, on
// the first crawl, typed by readdir) and diffed against the snapshot, at
// most a step's budget of entries at a time. Between the steps of a huge
// directory its events are handled as usual; the end of the scan verifies
// rather than removes the children the listing lacks, since an event may
// have added them after the listing.
// Threading: io_context thread (see watcher_state.h).
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/errno_text.h"
#include "common/read_file.h"
#include "paths/gitignore.h"
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

}  // namespace

bool Watcher::Impl::begin_scan(Root& r, NodeId dir, Report report) {
  std::string path = tree_.path(dir);
  const bool is_root = dir == r.node;
  if (!watch_before_scan(r, dir, path, is_root)) return false;

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
    return false;
  }
  tree_[dir].flags &= static_cast<std::uint8_t>(~kUnreadable);
  struct stat dir_st {};
  if (::fstat(fd, &dir_st) == 0) {
    set_stat(dir, dir_st);
    if (is_root) r.dev = dir_st.st_dev;
    else if (dir_st.st_dev != r.dev) check_mount(path);  // a mount point inside the tree
  }
  // Listed through a duplicate so the cursor keeps a plain fd for fstatat.
  int list_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  DIR* d = list_fd >= 0 ? ::fdopendir(list_fd) : nullptr;
  if (!d) {
    if (list_fd >= 0) ::close(list_fd);
    ::close(fd);
    return false;
  }
  ScanCursor c;
  c.dir = dir;
  c.root = r.node;
  c.ino = tree_[dir].ino;
  c.report = report;
  c.fd = fd;
  bool has_gitignore = false;
  while (dirent* e = ::readdir(d)) {
    const char* nm = e->d_name;
    if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
    c.entries.push_back(DirEntry{nm, e->d_type, e->d_ino});
    if (std::strcmp(nm, ".gitignore") == 0) has_gitignore = true;
  }
  ::closedir(d);  // closes list_fd

  c.dir_rel = tree_.relative_path(dir);
  tree_[dir].flags &= static_cast<std::uint8_t>(~kSkippedIgnored);
  if (r.ignore.options().respect_gitignore) {
    if (has_gitignore) load_gitignore(r, dir, fd, c.dir_rel);
    else if (tree_[dir].flags & kHasGitignore) {
      r.ignore.remove_gitignore(c.dir_rel);
      tree_[dir].flags &= static_cast<std::uint8_t>(~kHasGitignore);
    }
  }
  drop_cursor();  // none is active here; a stale one would leak its fd
  cursor_ = std::move(c);
  return true;
}

std::size_t Watcher::Impl::resume_scan(std::size_t budget) {
  ScanCursor& c = *cursor_;
  Root* rp = root_for(c.root);
  const NodeId dir = c.dir;
  // Events between steps may have removed or replaced the directory.
  if (!rp || rp->gone || !tree_[dir].live || tree_[dir].kind != NodeKind::Dir || tree_.root_of(dir) != c.root ||
      tree_[dir].ino != c.ino) {
    drop_cursor();
    return 1;
  }
  Root& r = *rp;
  const Report report = c.report;
  const std::size_t end = std::min(c.entries.size(), c.next + std::max<std::size_t>(budget, 1));
  // A directory with no children yet (the first crawl) needs no lookups.
  const bool had_children = tree_[dir].first_child != kNoNode;
  const std::size_t first = c.next;
  for (; c.next < end; ++c.next) {
    const DirEntry& e = c.entries[c.next];
    const std::string& name = e.name;
    NodeId child = had_children ? tree_.find(dir, name) : kNoNode;
    // During the first crawl a new entry needs no stat when readdir gave
    // its type (it predates the watch); later, and to diff, it does. After
    // the first step events have run: an entry deleted since the listing
    // must not become a node, so it is stat'ed.
    struct stat st {};
    const bool have_stat = child != kNoNode || e.type == DT_UNKNOWN || report != Report::None || c.resumed;
    if (have_stat && ::fstatat(c.fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone already
    const NodeKind kind = have_stat ? kind_of(st.st_mode) : kind_of_dtype(e.type);
    const bool is_dir = kind == NodeKind::Dir;
    std::string rel = join_rel(c.dir_rel, name);
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
  const std::size_t done = c.next - first;
  if (c.next < c.entries.size()) {
    c.resumed = true;
  } else {
    finish_scan(r, c);
    drop_cursor();
  }
  return std::max<std::size_t>(done, 1);
}

// Children the listing no longer has are gone, unless they came after it.
void Watcher::Impl::finish_scan(Root& r, ScanCursor& c) {
  std::vector<NodeId> gone;
  for (NodeId ch = tree_[c.dir].first_child; ch != kNoNode; ch = tree_[ch].next) {
    if (!(tree_[ch].flags & (kSeen | kPendingMove))) gone.push_back(ch);
    tree_[ch].flags &= static_cast<std::uint8_t>(~kSeen);
  }
  for (NodeId ch : gone) {
    if (!tree_[ch].live) continue;  // removed with an earlier one's subtree
    if (c.resumed) verify(r, c.dir, std::string(tree_[ch].name), Hint::Kind::Deleted, drain_gen_);
    else remove_node(ch, c.report, false);
  }
}

void Watcher::Impl::drop_cursor() {
  if (!cursor_) return;
  if (cursor_->fd >= 0) ::close(cursor_->fd);
  cursor_.reset();
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
