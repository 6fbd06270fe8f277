// The seam between the Watcher (tree, snapshot, crawl, diff) and the
// platform's change notification. A backend only watches directories and
// reports hints; the Watcher re-stats or rescans what a hint names, so a
// backend never needs to be exact (kernel events are hints). See
// docs/watch-backends.md for how FSEvents, kqueue and ReadDirectoryChangesW
// map onto it.
// Threading: a backend lives on the caller's io_context and calls its sink
// from that io_context's thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace devwatch::watch {

using WatchId = int;
constexpr WatchId kNoWatch = -1;

struct Hint {
  enum class Kind : std::uint8_t {
    Created,      // name appeared in dir
    Deleted,      // name disappeared from dir
    Modified,     // content written
    ClosedWrite,  // a writer closed name: content is final
    Attrib,       // metadata (mtime, mode) changed
    MovedFrom,    // name left dir; cookie pairs it with a MovedTo
    MovedTo,      // name arrived in dir
    SelfGone,     // the watched directory itself was deleted or moved away
    WatchGone,    // the backend dropped the watch (no more hints for dir)
    Overflow,     // hints were lost: the Watcher must rescan and diff
    Rescan,       // poll tick / coarse hint: rescan dir (kNoWatch = every root)
  };
  Kind kind = Kind::Modified;
  bool is_dir = false;
  std::uint32_t cookie = 0;
  WatchId dir = kNoWatch;
  // One path component for per-directory backends (inotify); a '/'-separated
  // path relative to dir for recursive ones (FSEvents, ReadDirectoryChangesW).
  std::string name;
};

struct WatchResult {
  WatchId id = kNoWatch;
  int error = 0;  // errno when id == kNoWatch
};

class Backend {
 public:
  using Sink = std::function<void(std::vector<Hint>& hints)>;

  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  // True when one watch covers a directory's whole subtree (FSEvents,
  // ReadDirectoryChangesW): the Watcher then calls watch_dir for roots only.
  virtual bool recursive() const { return false; }
  // True when watches consume the per-user inotify budget.
  virtual bool has_watch_budget() const { return false; }

  // Begins delivering hints to sink, one call per drained batch, after the
  // source is re-armed. The sink takes the hints (it may move them out) and
  // only queues them: verification runs later in its own step.
  virtual void start(Sink sink) = 0;
  virtual void stop() = 0;
  // Watches one directory (not its subdirectories unless recursive()).
  // Must be called before the directory is read, so nothing is missed.
  // Symlinks are never followed, except a root given as a symlink (is_root).
  virtual WatchResult watch_dir(const std::string& absolute_path, bool is_root) = 0;
  virtual void unwatch_dir(WatchId id) = 0;

  // Test hooks: stop/restart draining the kernel queue (a real overflow).
  virtual void pause_draining_for_test() {}
  virtual void resume_draining_for_test() {}
};

}  // namespace devwatch::watch
