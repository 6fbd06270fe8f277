// The inotify watch budget: the per-user limits from /proc/sys/fs/inotify,
// a best-effort count of watches other processes hold, and the plain-words
// message (needed, available, the sysctl that fixes it) that replaces
// "No space left on device".
// Threading: pure functions; the /proc readers do blocking reads of small files.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace devwatch::watch {

struct BudgetLimits {
  std::size_t max_user_watches = 0;
  std::size_t max_user_instances = 0;
  std::size_t max_queued_events = 0;
};

// Reads /proc/sys/fs/inotify/*; a missing file reads as 0.
BudgetLimits read_budget_limits();

// Watches held by inotify instances of OTHER processes that this process can
// see in /proc/<pid>/fdinfo (all of them as root, the user's own otherwise).
// The kernel's per-user count is not exported, so this is best effort.
std::size_t count_foreign_inotify_watches();

// The watches one inotify instance holds: the "inotify wd:" lines of its
// /proc/<pid>/fdinfo/<fd>, read through a 4 KiB buffer. A process watching
// 100,000 folders has ~10 MB of them: read whole, that was devwatch's peak
// memory at start (and a 1 MiB cap undercounted it). 0 when unreadable.
std::size_t count_watch_lines(const char* fdinfo_path);

// "Raise fs.inotify.max_user_watches: sudo sysctl fs.inotify.max_user_watches=524288
// (persist: echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/90-devwatch.conf)"
std::string watch_limit_fix(std::size_t needed);
std::string instance_limit_fix(std::size_t current);

// The message for a tree that does not fit, e.g. "Not enough inotify watches:
// needed 250 folders, available 100 (limit 128, 28 used by other processes);
// watching 100, 150 unwatched".
std::string budget_message(std::size_t needed, std::size_t watched, std::size_t limit,
                           std::size_t used_by_others);

// "errno name (text)" without ever producing "No space left on device" for
// inotify's ENOSPC/EMFILE.
std::string describe_watch_errno(int err);

// The fix for a watch that failed for a reason other than the budget.
std::string watch_failed_fix(int err);

}  // namespace devwatch::watch
