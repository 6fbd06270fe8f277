// The Watcher's internal state, shared by the files that each do one of its
// jobs: watcher.cpp (lifetime, delivering batches and problems), crawl.cpp
// (the incremental scan), hints.cpp (hint intake, verification, move
// pairing), watch_table.cpp (which node holds which watch), roots.cpp
// (adding, removing, deleted and returning roots), ignore_update.cpp (new
// ignore rules while running), budget.cpp (the watch budget and its report),
// unwatched_poll.cpp and status.cpp. Not part of the watch module's API:
// include it only from those files.
// Threading: everything runs on the io_context thread the Watcher was made
// on; nothing here is locked.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "watch/backend.h"
#include "watch/tree.h"
#include "watch/watcher.h"

namespace devwatch::watch {

// Node::flags bits.
constexpr std::uint8_t kFromScan = 1;       // stat came from a directory scan
constexpr std::uint8_t kHasGitignore = 2;   // its .gitignore is loaded into the rules
constexpr std::uint8_t kUnreadable = 4;     // opendir/watch failed with a permission error
constexpr std::uint8_t kPendingMove = 8;    // MOVED_FROM seen, MOVED_TO not yet
constexpr std::uint8_t kSeen = 16;          // listed by the scan in progress
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

struct ScanItem {
  NodeId node;
  Report report;
  NodeId root;  // node's root when queued: node may be removed (and its id reused) before its turn
};

NodeKind kind_of(mode_t mode);
std::int64_t mtime_ns(const struct stat& st);
// "a/b" + "c" -> "a/b/c"; "" + "c" -> "c".
std::string join_rel(std::string_view dir_rel, std::string_view name);

class Watcher::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, WatcherOptions options, Callbacks callbacks);

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

  struct PendingMove {
    NodeId node;
    NodeId from_dir;
    std::string from_name;
    TimePoint deadline;
  };

  // A drain's hints, tagged at arrival with the drain generation (see verify).
  struct HintBatch {
    std::uint32_t gen;
    std::vector<Hint> hints;
  };

  // watcher.cpp: lifetime and output.
  void start();
  void shutdown();
  Root* root_for(NodeId root_node);
  void emit(NodeId id, ChangeType type, Report report);
  void flush();
  bool resync_running() const;
  void deliver(std::vector<Change>& changes, const std::optional<std::string>& reason);
  void problem(const Problem& p);
  void problem_once(const Problem& p);

  // roots.cpp
  Result<void> add_root(const std::string& raw, const paths::IgnoreOptions& ignore);
  void remove_root(const std::string& raw);
  void check_mount(const std::string& path);
  void root_gone(Root& r);
  void arm_return_timer(const Root& r);
  void check_root_back(Root& r);

  // ignore_update.cpp
  Result<void> set_root_ignore(const std::string& raw, const paths::IgnoreOptions& ignore);
  bool reignore_pending(const Root& r) const;
  void reload_gitignore(Root& r, NodeId dir);
  void reignore_dir(Root& r, NodeId dir);

  // crawl.cpp
  void begin_crawl(Root& r, Report report);
  void enqueue(NodeId node, Report report, bool front);
  void schedule_step();
  void step();
  void report_progress();
  struct ScanCursor;
  // Watch, open and list `dir` into cursor_; false when there is nothing to process.
  bool begin_scan(Root& r, NodeId dir, Report report);
  // Processes up to `budget` entries of cursor_ (at least one); returns how many.
  std::size_t resume_scan(std::size_t budget);
  void finish_scan(Root& r, ScanCursor& c);
  void drop_cursor();
  bool watch_before_scan(Root& r, NodeId dir, const std::string& path, bool is_root);
  void load_gitignore(Root& r, NodeId dir, int dirfd, const std::string& dir_rel);
  static bool same_identity(const Node& n, const struct stat& st);
  static bool differs(const Root& r, const Node& n, const struct stat& st);
  void set_stat(NodeId id, const struct stat& st);
  void vanished(Root& r, NodeId dir);

  // watch_table.cpp
  void set_watch(NodeId node, WatchId wd);
  void drop_watch(NodeId n);
  std::vector<NodeId> nodes_for(WatchId wd) const;
  void remove_node(NodeId id, Report report, bool keep_root);

  // hints.cpp
  void take_hints(std::vector<Hint>& hints);
  void process_hints();
  void on_hints(const std::vector<Hint>& hints, std::uint32_t gen);
  void start_resync(std::string reason);
  void handle(const Hint& h, std::uint32_t gen);
  void handle_in(NodeId dir, const Hint& h, std::uint32_t gen);
  void verify(Root& r, NodeId dir, const std::string& name, Hint::Kind kind, std::uint32_t gen);
  void move_dir(Root& r, const PendingMove& m, NodeId to_dir, const std::string& to_name);
  void arm_move_timer();
  void expire_moves();
  void clear_pending_moves();

  // budget.cpp
  bool can_try_watch() const;
  void mark_unwatched(NodeId dir);
  void clear_unwatched(NodeId dir);
  void mark_watch_failed(NodeId dir);
  void report_new_unwatched();
  void report_budget(Root& r);
  std::string largest_dirs(const Root& r);
  void refresh_foreign_watches() const;

  // unwatched_poll.cpp
  void arm_unwatched_poll();

  // status.cpp
  WatcherStatus status() const;

  const WatcherOptions& options() const { return options_; }

  asio::io_context& io_;
  WatcherOptions options_;
  Callbacks callbacks_;
  std::unique_ptr<AsioClock> own_clock_;  // when options_.clock is null
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

  std::deque<HintBatch> hint_queue_;  // drained by the backend, not yet verified
  bool hints_posted_ = false;

  struct DirEntry {
    std::string name;
    unsigned char type;
    ino_t ino;
  };
  std::vector<DirEntry> entries_;  // reignore_dir's listing
  // The directory being scanned: listed at once, its entries processed at
  // most options_.entries_per_step per step, so one folder of 200,000 files
  // does not hold the loop (crawl.cpp).
  struct ScanCursor {
    NodeId dir = kNoNode;
    NodeId root = kNoNode;  // as queued (see ScanItem)
    ino_t ino = 0;          // dir's, to notice it was replaced between steps
    Report report = Report::None;
    int fd = -1;            // open until every entry is processed
    std::string dir_rel;
    std::vector<DirEntry> entries;
    std::size_t next = 0;
    // Spanned steps: events ran in between and may have added children the
    // listing does not have, so unlisted children are verified, not removed.
    bool resumed = false;
  };
  std::optional<ScanCursor> cursor_;
  // A crawl or rescan is queued or under way.
  bool crawling() const { return !queue_.empty() || cursor_.has_value(); }
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
};

}  // namespace devwatch::watch
