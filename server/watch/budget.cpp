// The inotify watch budget: the /proc readers and message texts (budget.h),
// and the Watcher's side of it: whether another watch may be tried, which
// directories are left unwatched, and the budget Problem (needed, available,
// the sysctl, the largest folders to exclude), re-reported when more are
// unwatched than last said (at most every 10 s on the clock).
// Threading: the free functions are pure or read small /proc files; the
// Watcher::Impl members run on the io_context thread (see watcher_state.h).
#include "watch/budget.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "common/errno_text.h"
#include "common/read_file.h"
#include "watch/watcher_state.h"

namespace devwatch::watch {

namespace {

// /proc entries are small; a megabyte is far more than any of them holds.
std::string read_proc_file(const char* path) { return read_small_file(AT_FDCWD, path, 1u << 20).value_or(""); }


std::size_t read_number(const char* path) {
  std::string s = read_proc_file(path);
  std::size_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool is_digits(const char* s) {
  if (!*s) return false;
  for (; *s; ++s)
    if (*s < '0' || *s > '9') return false;
  return true;
}

}  // namespace

BudgetLimits read_budget_limits() {
  return BudgetLimits{read_number("/proc/sys/fs/inotify/max_user_watches"),
                      read_number("/proc/sys/fs/inotify/max_user_instances"),
                      read_number("/proc/sys/fs/inotify/max_queued_events")};
}

std::size_t count_watch_lines(const char* fdinfo_path) {
  static constexpr std::string_view kWatch = "inotify wd:";
  int fd = ::open(fdinfo_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[4096 + kWatch.size()];
  std::size_t kept = 0, total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf + kept, 4096);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::string_view chunk(buf, kept + static_cast<std::size_t>(n));
    for (std::size_t pos = 0; (pos = chunk.find(kWatch, pos)) != std::string_view::npos; pos += kWatch.size())
      ++total;
    // The tail shorter than a whole "inotify wd:" is kept: a match cut by
    // the end of this read completes with the next, and none is counted twice.
    kept = std::min(chunk.size(), kWatch.size() - 1);
    std::memmove(buf, chunk.data() + chunk.size() - kept, kept);
  }
  ::close(fd);
  return total;
}

std::size_t count_foreign_inotify_watches() {
  const std::string self = std::to_string(::getpid());
  std::size_t total = 0;
  DIR* proc = ::opendir("/proc");
  if (!proc) return 0;
  while (dirent* p = ::readdir(proc)) {
    if (!is_digits(p->d_name) || self == p->d_name) continue;
    std::string fd_dir = std::string("/proc/") + p->d_name + "/fd";
    DIR* fds = ::opendir(fd_dir.c_str());
    if (!fds) continue;
    while (dirent* f = ::readdir(fds)) {
      if (!is_digits(f->d_name)) continue;
      std::string link = fd_dir + "/" + f->d_name;
      char target[64];
      ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      if (std::string_view(target, static_cast<std::size_t>(n)) != "anon_inode:inotify") continue;
      total += count_watch_lines((std::string("/proc/") + p->d_name + "/fdinfo/" + f->d_name).c_str());
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return total;
}

std::string watch_limit_fix(std::size_t needed) {
  std::size_t target = 524288;
  while (target < needed * 2) target *= 2;
  std::string v = "fs.inotify.max_user_watches=" + std::to_string(target);
  return "raise the limit: sudo sysctl " + v + " (persist it: echo " + v +
         " | sudo tee /etc/sysctl.d/90-devwatch.conf), or exclude large folders";
}

std::string instance_limit_fix(std::size_t current) {
  std::size_t target = std::max<std::size_t>(512, current * 4);
  std::string v = "fs.inotify.max_user_instances=" + std::to_string(target);
  return "sudo sysctl " + v + " (persist it: echo " + v +
         " | sudo tee /etc/sysctl.d/90-devwatch.conf)";
}

std::string budget_message(std::size_t needed, std::size_t watched, std::size_t limit,
                           std::size_t used_by_others) {
  std::size_t available = limit > used_by_others ? limit - used_by_others : 0;
  std::string m = "Not enough inotify watches: needed " + std::to_string(needed) +
                  " folders, available " + std::to_string(available) + " (fs.inotify.max_user_watches=" +
                  std::to_string(limit);
  if (used_by_others > 0)
    m += ", " + std::to_string(used_by_others) + " used by other processes";
  const std::size_t unwatched = needed - std::min(needed, watched);
  m += "); watching " + std::to_string(watched) + ", " + std::to_string(unwatched) +
       (unwatched == 1 ? " folder" : " folders") + " unwatched (changes there are not seen)";
  return m;
}

std::string describe_watch_errno(int err) {
  if (err == ENOSPC) return "inotify watch limit reached (fs.inotify.max_user_watches)";
  if (err == EMFILE) return "inotify instance limit reached (fs.inotify.max_user_instances)";
  return errno_text(err);
}

// ---- the Watcher's budget ------------------------------------------------

bool Watcher::Impl::can_try_watch() const {
  if (!backend_->has_watch_budget()) return true;
  return wd_to_node_.size() < watch_limit_ && !(budget_exhausted_ && wd_to_node_.size() >= exhausted_at_);
}

void Watcher::Impl::mark_unwatched(NodeId dir) {
  NodeId parent = tree_[dir].parent;
  if (parent == kNoNode || tree_[parent].wd != kNoWatch) unwatched_.insert(dir);
  if (!(tree_[dir].flags & kNoWatchBudget)) {
    tree_[dir].flags |= kNoWatchBudget;
    ++unwatched_dirs_;
  }
}

// A watch that failed for another reason than the budget (ENAMETOOLONG, EIO,
// ...): the folder is unwatched and listed so, but it is not a shortfall of
// watches, so it is kept out of the budget's count and its report.
void Watcher::Impl::mark_watch_failed(NodeId dir) {
  NodeId parent = tree_[dir].parent;
  if (parent == kNoNode || tree_[parent].wd != kNoWatch) unwatched_.insert(dir);
}

std::string watch_failed_fix(int err) {
  if (err == ENAMETOOLONG)
    return "the path is longer than the system allows (PATH_MAX, 4096 bytes): shorten it, or exclude the "
           "folder (watch.exclude)";
  return "exclude the folder (watch.exclude) if its changes do not matter";
}

void Watcher::Impl::clear_unwatched(NodeId dir) {
  unwatched_.erase(dir);
  if (tree_[dir].flags & kNoWatchBudget) {
    tree_[dir].flags &= static_cast<std::uint8_t>(~kNoWatchBudget);
    --unwatched_dirs_;
  }
}

// Directories created after the crawl can run out of watches too: say so
// again when more are unwatched than last reported (at most every 10 s).
void Watcher::Impl::report_new_unwatched() {
  if (crawling() || unwatched_dirs_ <= budget_reported_ || unwatched_.empty()) return;
  auto now = clock_.now();
  if (budget_reported_at_ && now - *budget_reported_at_ < std::chrono::seconds(10)) return;
  for (const auto& r : roots_)
    if (!r->crawl_reported) return;  // the crawl's end reports it
  Root* r = root_for(tree_.root_of(*unwatched_.begin()));
  if (r) report_budget(*r);
}

void Watcher::Impl::report_budget(Root& r) {
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
std::string Watcher::Impl::largest_dirs(const Root& r) {
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
  std::sort(cands.begin(), cands.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
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

void Watcher::Impl::refresh_foreign_watches() const {
  if (!backend_ || !backend_->has_watch_budget() || options_.watch_limit_override) return;
  auto now = clock_.now();
  if (foreign_counted_ && now - foreign_counted_at_ < std::chrono::seconds(10)) return;
  foreign_watches_ = count_foreign_inotify_watches();
  foreign_counted_ = true;
  foreign_counted_at_ = now;
}

}  // namespace devwatch::watch
