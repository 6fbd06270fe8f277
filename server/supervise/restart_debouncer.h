// Turns a burst of change-driven restart requests (a git checkout touching
// 1,000 files) into exactly one restart: waits until requests settle, then
// while <root>/.git/index.lock exists (a checkout in progress) waits for it
// to go, up to a cap, and fires once with every changed file. Settling and
// lock polling run on the injected Clock (a ManualClock in tests).
// Threading: not thread-safe; used on the clock's thread (the loop thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <unordered_set>
#include <string>
#include <vector>

#include "common/clock.h"

namespace devwatch::supervise {

struct DebounceTiming {
  std::chrono::milliseconds settle{50};         // quiet time that ends a burst
  // Quiet time that ends a burst of ONE request (one watcher batch: an
  // editor's save); a second request makes it a burst that needs `settle`.
  // With the leading-edge stop, this is what a save waits before the spawn.
  std::chrono::milliseconds first_settle{10};
  std::chrono::milliseconds max_delay{1000};    // a never-ending burst still restarts
  std::chrono::milliseconds lock_poll{50};
  std::chrono::milliseconds lock_cap{10000};
};

struct DebouncedRestart {
  std::string reason;
  std::vector<std::string> changed_files;  // sorted, at most kMaxListedFiles
  size_t changed_count = 0;                // all files, including unlisted ones
  TimePoint first_event_at;
  std::chrono::milliseconds lock_waited{0};
  bool lock_cap_hit = false;  // restarted although index.lock was still there
};

// True while <root>/.git/index.lock exists: a git command is changing the tree.
bool git_index_locked(const std::string& root);

class RestartDebouncer {
 public:
  static constexpr size_t kMaxListedFiles = 100;  // = StateChange::kMaxListedFiles
  using Fire = std::function<void(DebouncedRestart)>;

  // `clock` must outlive the debouncer.
  RestartDebouncer(Clock& clock, std::string root, DebounceTiming timing, Fire fire);
  ~RestartDebouncer();
  RestartDebouncer(const RestartDebouncer&) = delete;
  RestartDebouncer& operator=(const RestartDebouncer&) = delete;

  // `settle` overrides the configured quiet time for this request (backoff
  // asks for a longer quiet period); without it a burst of one request ends
  // after `first_settle`, a longer one after `settle`.
  void request(const std::string& reason, const std::vector<std::string>& changed_files,
               std::chrono::milliseconds settle = std::chrono::milliseconds(-1));
  void cancel();
  bool pending() const { return pending_; }
  bool waiting_for_lock() const { return waiting_lock_; }
  void set_root(std::string root) { root_ = std::move(root); }

 private:
  void arm(std::chrono::milliseconds settle);
  void settled();
  void poll_lock();
  void fire_now(bool cap_hit);

  Clock& clock_;
  std::unique_ptr<Timer> timer_;
  std::string root_;
  DebounceTiming timing_;
  Fire fire_;
  bool pending_ = false;
  std::string reason_;
  std::set<std::string> files_;
  // Hashes of every distinct file in the burst: the count stays exact when
  // the same file changes several times, at 8 bytes a file.
  std::unordered_set<std::size_t> seen_;
  TimePoint first_at_{};
  TimePoint last_at_{};
  TimePoint lock_since_{};
  std::chrono::milliseconds settle_{};
  std::size_t requests_ = 0;  // in this burst
  bool burst_ = false;  // a batch brought another file: the burst settle applies
  bool waiting_lock_ = false;
};

}  // namespace devwatch::supervise
