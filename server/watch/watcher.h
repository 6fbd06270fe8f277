// Watches workspace roots recursively and reports verified changes: the
// public face of the watch module. Kernel events are hints: the backend
// (picked by backend_factory.h) drains them and hands them on; the Watcher
// lstats or rescans what they name and diffs against its snapshot (tree.h),
// crawls incrementally (bounded steps, re-posted), and reports every limit or
// degradation as a Problem, once, as a value through on_problem (it logs
// nothing). Changes are delivered promptly, once per drain or crawl step;
// per-subscription settling is the Coalescer's job. How the work is split
// between files: watcher_state.h.
// Threading: everything runs on the caller's io_context; call every method
// from the thread running it. Callbacks run on that thread too.
#pragma once

#include "watch/asio.h"
#include <functional>
#include <memory>
#include <string>

#include "common/error.h"
#include "watch/types.h"

namespace devwatch::watch {

class Watcher {
 public:
  struct Callbacks {
    std::function<void(Batch)> on_batch;
    std::function<void(const Problem&)> on_problem;
    std::function<void(const CrawlProgress&)> on_progress;
  };

  Watcher(asio::io_context& io, WatcherOptions options, Callbacks callbacks);
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Starts watching an absolute directory path; the crawl continues on the
  // io_context and ends with an on_progress(done=true). Errors: InvalidParams
  // (not absolute, bad exclude glob), NotFound (missing / not a directory).
  Result<void> add_root(const std::string& absolute_path);
  // The same with this root's own ignore rules (each workspace folder has its
  // own devwatch.json excludes) instead of the watcher-wide ones.
  Result<void> add_root(const std::string& absolute_path, const paths::IgnoreOptions& ignore);
  void remove_root(const std::string& absolute_path);
  // Applies a root's new ignore rules while running (a devwatch.json edit).
  // Newly ignored subtrees lose their watches and leave the snapshot at once,
  // without change events; newly un-ignored folders are crawled and watched
  // on the io_context (busy() meanwhile) without reporting their existing
  // entries as created. Errors: NotFound (unknown root), InvalidParams (bad
  // exclude glob; the old rules stay).
  Result<void> set_root_ignore(const std::string& root, const paths::IgnoreOptions& ignore);

  // True while a crawl or rescan runs, drained hints await verification or a
  // directory move awaits its pair.
  bool busy() const;
  // status() may walk /proc (cached 10 s) to count other processes'
  // watches; these two are free.
  WatcherStatus status() const;
  std::size_t watched_dirs() const;
  std::string backend_name() const;

  // Test hooks: stop/restart draining the kernel queue, so a test can cause
  // a real IN_Q_OVERFLOW.
  void pause_draining_for_test();
  void resume_draining_for_test();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

// "10,234"
std::string format_count(std::size_t n);

}  // namespace devwatch::watch
