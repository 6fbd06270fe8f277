// Roots: adding and removing workspace folders, the mount check, and a root
// that is deleted or moved away (everything below reported deleted, a
// root-deleted Problem, then a clock timer that waits for it to return and
// re-crawls it, reporting every entry as created).
// Threading: io_context thread (see watcher_state.h).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "common/errno_text.h"
#include "watch/absolute_excludes.h"
#include "watch/mounts.h"
#include "watch/watcher_state.h"

namespace devwatch::watch {

Result<void> Watcher::Impl::add_root(const std::string& raw, const paths::IgnoreOptions& ignore) {
  if (raw.empty() || raw[0] != '/')
    return make_error(ErrorCode::InvalidParams, "watch root must be an absolute path: " + raw);
  std::string path = raw;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  for (const auto& r : roots_)
    if (r->path == path) return {};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return make_error(ErrorCode::NotFound, "cannot watch " + path + ": " + errno_text(errno));
  if (!S_ISDIR(st.st_mode))
    return make_error(ErrorCode::NotFound, "cannot watch " + path + ": not a directory");
  auto rules = paths::IgnoreRules::create(ignore_for_root(ignore, path));
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

void Watcher::Impl::remove_root(const std::string& raw) {
  std::string path = raw;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  for (std::size_t i = 0; i < roots_.size(); ++i) {
    if (roots_[i]->path != path) continue;
    Root& r = *roots_[i];
    if (r.return_timer) r.return_timer->cancel();
    std::erase_if(queue_, [&](const ScanItem& s) { return s.root == r.node; });
    if (cursor_ && cursor_->root == r.node) drop_cursor();
    remove_node(r.node, Report::None, /*keep_root=*/false);
    roots_.erase(roots_.begin() + static_cast<std::ptrdiff_t>(i));
    return;
  }
}

void Watcher::Impl::check_mount(const std::string& path) {
  auto fs = remote_filesystem_name(path);
  if (!fs || !mount_warned_.insert(path).second) return;
  problem(Problem{Severity::Warning, "mount", path,
                  path + " is on " + *fs +
                      ": inotify sees only changes made by this machine, not those made by "
                      "other machines or the host",
                  "poll this folder: set watch.backend=poll for it (or run `devwatch watch "
                  "--backend poll`)"});
}

void Watcher::Impl::root_gone(Root& r) {
  if (r.gone) return;
  r.gone = true;
  clear_pending_moves();
  std::erase_if(queue_, [&](const ScanItem& s) { return s.root == r.node; });
  r.queued = 0;
  if (cursor_ && cursor_->root == r.node) drop_cursor();
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

void Watcher::Impl::arm_return_timer(const Root& r) {
  clock_.start_after(*r.return_timer, std::chrono::milliseconds(std::clamp(options_.poll_interval_ms / 4, 20, 250)),
                     [weak = weak_from_this(), node = r.node] {
    auto self = weak.lock();
    if (!self || self->stopped_) return;
    Root* root = self->root_for(node);
    if (root && root->gone) self->check_root_back(*root);
  });
}

void Watcher::Impl::check_root_back(Root& r) {
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

}  // namespace devwatch::watch
