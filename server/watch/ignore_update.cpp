// New ignore rules for a running root (a devwatch.json edit): what they now
// ignore leaves the snapshot at once, silently, releasing its watches; what
// they now admit is found by listing only the directories that had skipped
// something, and crawled and watched without being reported as created.
// Threading: io_context thread (see watcher_state.h).
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "watch/absolute_excludes.h"
#include "watch/watcher_state.h"

namespace devwatch::watch {

Result<void> Watcher::Impl::set_root_ignore(const std::string& raw, const paths::IgnoreOptions& ignore) {
  std::string path = raw;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  Root* r = nullptr;
  for (auto& rp : roots_)
    if (rp->path == path) r = rp.get();
  if (!r) return make_error(ErrorCode::NotFound, "not a watched folder: " + path);
  auto rules = paths::IgnoreRules::create(ignore_for_root(ignore, path));
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

bool Watcher::Impl::reignore_pending(const Root& r) const {
  return std::any_of(queue_.begin(), queue_.end(), [&](const ScanItem& s) {
    return s.report == Report::Reignore && s.root == r.node;
  });
}

void Watcher::Impl::reload_gitignore(Root& r, NodeId dir) {
  tree_[dir].flags &= static_cast<std::uint8_t>(~kHasGitignore);
  if (!r.ignore.options().respect_gitignore) return;
  int fd = ::open(tree_.path(dir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  load_gitignore(r, dir, fd, tree_.relative_path(dir));
  ::close(fd);
}

// Lists dir after its root's rules changed: entries the snapshot lacks
// were ignored before (adopt silently) or are new (verify reports them).
void Watcher::Impl::reignore_dir(Root& r, NodeId dir) {
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

}  // namespace devwatch::watch
