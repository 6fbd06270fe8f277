// Which snapshot nodes hold which backend watch, and removing nodes together
// with their watches. inotify returns the same wd for the same inode, so one
// watch may have several holders (nested roots, a directory still held under
// its old name); it is released only when the last one lets go.
// Threading: io_context thread (see watcher_state.h).
#include "watch/watcher_state.h"

namespace devwatch::watch {

// inotify returns the same wd for the same inode: a directory under two
// nested roots, or one we still hold under its old name (an unpaired
// move), shares one watch. Hints go to every node holding it, and the
// watch is removed only when the last one lets go.
void Watcher::Impl::set_watch(NodeId node, WatchId wd) {
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

void Watcher::Impl::drop_watch(NodeId n) {
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

std::vector<NodeId> Watcher::Impl::nodes_for(WatchId wd) const {
  std::vector<NodeId> out;
  auto it = wd_to_node_.find(wd);
  if (it == wd_to_node_.end()) return out;
  out.push_back(it->second);
  auto range = wd_shared_.equal_range(wd);
  for (auto s = range.first; s != range.second; ++s) out.push_back(s->second);
  return out;
}

void Watcher::Impl::remove_node(NodeId id, Report report, bool keep_root) {
  NodeId root_node = tree_.root_of(id);
  Root* r = root_for(root_node);
  auto visit = [&](NodeId n) {
    const Node& node = tree_[n];
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

}  // namespace devwatch::watch
