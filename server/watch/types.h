// The watch module's value types: changes, batches, problems, progress,
// options and status. Everything a caller of Watcher/Coalescer sees.
// Thread-safe: plain values.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "paths/ignore.h"

namespace devwatch {
class Clock;  // common/clock.h
}

namespace devwatch::watch {

// LSP's FileChangeType values, so the session layer can send them as they are.
enum class ChangeType { Created = 1, Changed = 2, Deleted = 3 };

const char* change_type_name(ChangeType type);  // "created" / "changed" / "deleted"

// path: absolute, raw bytes (not necessarily UTF-8).
struct Change {
  std::string path;
  ChangeType type = ChangeType::Changed;
  bool is_dir = false;
  friend bool operator==(const Change&, const Change&) = default;
};

// changes are sorted by path. resync_reason is set when the batch comes from
// a rescan-and-diff (queue overflow, backend restart): clients that keep
// derived state may want to revalidate more than the listed paths.
struct Batch {
  std::vector<Change> changes;
  std::optional<std::string> resync_reason;
};

enum class Severity { Info, Warning, Error };

const char* severity_name(Severity severity);  // "info" / "warning" / "error"

// kind: "budget", "unreadable", "mount", "root-deleted", "root-restored",
// "fallback", "resync", "watch-failed". fix: what the user can do (may be empty).
struct Problem {
  Severity severity = Severity::Warning;
  std::string kind;
  std::string path;
  std::string message;
  std::string fix;
};

struct CrawlProgress {
  std::string root;
  std::size_t dirs_done = 0;
  std::size_t dirs_estimate = 0;  // grows as directories are discovered
  bool done = false;
  std::string summary;            // set when done: "Watching 10,234 folders in 180 ms"
};

struct WatcherOptions {
  std::string backend = "auto";  // auto | inotify | poll
  int poll_interval_ms = 1000;   // poll backend, and polling of unwatched trees
  paths::IgnoreOptions ignore;
  // Test hook / config: pretend fs.inotify.max_user_watches is this value.
  std::optional<std::size_t> watch_limit_override;
  // When the watch budget is exhausted, poll the directories that got no watch.
  bool poll_unwatched = false;
  // Directories scanned per crawl step before yielding to the event loop.
  std::size_t dirs_per_step = 64;
  // Directory entries processed per crawl step: a single huge folder is
  // processed over several steps.
  std::size_t entries_per_step = 4096;
  // Times the move-pairing window, the unwatched-folder poll, the wait for a
  // deleted root's return and the budget re-report interval. Null: an
  // AsioClock on the Watcher's io_context. Not owned; must outlive the Watcher.
  Clock* clock = nullptr;
};

struct WatcherStatus {
  std::string backend;
  std::string backend_reason;
  std::vector<std::string> roots;
  std::size_t watched_dirs = 0;
  std::size_t budget_used = 0;        // watches held by this process
  std::size_t budget_limit = 0;       // fs.inotify.max_user_watches (or override)
  std::size_t budget_used_by_others = 0;  // other inotify users visible in /proc (best effort)
  std::vector<std::string> unwatched; // directories without a watch (top of each subtree)
  std::size_t resync_count = 0;
  std::optional<std::chrono::system_clock::time_point> last_event_time;
  std::vector<Problem> problems;
  bool crawling = false;
};

}  // namespace devwatch::watch
