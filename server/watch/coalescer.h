// Merges changes per path within a settle window and decides when a batch is
// due: once no change arrived for `settle`, but never later than
// `max_latency` after the oldest pending change. Pure: the caller supplies
// the time, so tests drive it with a fake clock and the caller owns timers.
// Threading: not thread-safe; one owner (one per subscription).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include "watch/types.h"

namespace devwatch::watch {

class Coalescer {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  Coalescer(std::chrono::milliseconds settle, std::chrono::milliseconds max_latency);

  // Per path: create+change -> create, create+delete -> nothing,
  // delete+create -> change (an atomic save), change+change -> change.
  void add(const Change& change, TimePoint now);
  // Adds every change; a resync reason sticks to the next batch taken.
  void add(const Batch& batch, TimePoint now);

  bool empty() const { return pending_.empty() && !resync_reason_; }
  // When take_ready() will return something; nullopt when nothing is pending.
  std::optional<TimePoint> next_deadline() const;
  // The merged batch (sorted by path) if its deadline has passed, else an
  // empty batch. Paths whose changes cancelled out produce nothing.
  Batch take_ready(TimePoint now);
  // Everything pending, regardless of time (shutdown, tests).
  Batch take_all();

 private:
  struct Entry {
    bool existed_before = false;  // state before the first pending change
    bool exists_now = false;
    bool is_dir = false;
  };
  std::unordered_map<std::string, Entry> pending_;
  std::optional<std::string> resync_reason_;
  std::chrono::milliseconds settle_;
  std::chrono::milliseconds max_latency_;
  TimePoint first_{};
  TimePoint last_{};
};

}  // namespace devwatch::watch
