// Hints become changes: the backend's drained batches are queued at once (so
// the backend re-arms and keeps draining) and verified in a posted step:
// each hint's entry is lstat'ed or its directory rescanned and diffed
// against the snapshot. A directory's MOVED_FROM waits (on the clock) for the
// MOVED_TO with its cookie, so a rename relinks the subtree instead of
// deleting and re-crawling it. An overflow drops the batch and resyncs.
// Threading: io_context thread (see watcher_state.h).
#include <sys/stat.h>

#include <algorithm>
#include <chrono>

#include "watch/watcher_state.h"

namespace devwatch::watch {

// The backend's sink: keep the batch, process it after the backend re-armed.
void Watcher::Impl::take_hints(std::vector<Hint>& hints) {
  if (stopped_ || hints.empty()) return;
  hint_queue_.push_back(HintBatch{drain_gen_++, std::move(hints)});
  hints.clear();
  if (hints_posted_) return;
  hints_posted_ = true;
  asio::post(io_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->process_hints();
  });
}

void Watcher::Impl::process_hints() {
  hints_posted_ = false;
  while (!hint_queue_.empty() && !stopped_) {
    HintBatch batch = std::move(hint_queue_.front());
    hint_queue_.pop_front();
    on_hints(batch.hints, batch.gen);
  }
  flush();  // one delivery for everything drained since the last step
}

// One drain's hints. gen was taken when they arrived (see verify()).
void Watcher::Impl::on_hints(const std::vector<Hint>& hints, std::uint32_t gen) {
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
      for (const auto& r : roots_)
        if (!r->gone) enqueue(r->node, Report::Normal, false);
    return;  // a deleted root shows up in that scan (open fails)
  }
  for (const Hint& h : hints) handle(h, gen);
}

void Watcher::Impl::start_resync(std::string reason) {
  ++resync_count_;
  clear_pending_moves();
  problem(Problem{Severity::Warning, "resync", {},
                  "events were lost (" + reason + "); rescanning to find what changed",
                  "raise the queue: sudo sysctl fs.inotify.max_queued_events=" +
                      std::to_string(std::max<std::size_t>(65536, queue_limit_ * 4))});
  resync_pending_reason_ = std::move(reason);
  for (const auto& r : roots_)
    if (!r->gone) enqueue(r->node, Report::Resync, true);
}

void Watcher::Impl::handle(const Hint& h, std::uint32_t gen) {
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

void Watcher::Impl::handle_in(NodeId dir, const Hint& h, std::uint32_t gen) {
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
void Watcher::Impl::verify(Root& r, NodeId dir, const std::string& name, Hint::Kind kind, std::uint32_t gen) {
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

void Watcher::Impl::move_dir(Root& r, const PendingMove& m, NodeId to_dir, const std::string& to_name) {
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

void Watcher::Impl::arm_move_timer() {
  if (pending_moves_.empty()) return;
  auto earliest = TimePoint::max();
  for (auto& [cookie, m] : pending_moves_) earliest = std::min(earliest, m.deadline);
  move_timer_->start_at(earliest, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->expire_moves();
  });
}

// A MOVED_FROM whose MOVED_TO never came: the directory left the tree.
void Watcher::Impl::expire_moves() {
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

void Watcher::Impl::clear_pending_moves() {
  for (auto& [cookie, m] : pending_moves_)
    if (tree_[m.node].live) tree_[m.node].flags &= static_cast<std::uint8_t>(~kPendingMove);
  pending_moves_.clear();
}

}  // namespace devwatch::watch
