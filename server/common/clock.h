// Time for the logic that waits: burst debouncers, settle windows, crash
// windows, ready probes. Production code asks a Clock for the time and for
// timers; the loop's AsioClock backs them with asio's steady timers, and unit
// tests use ManualClock and move time themselves, so no unit test waits on
// the wall clock or polls for a deadline.
// Threading: a Clock and the Timers it makes belong to one thread (the loop
// thread for AsioClock, the test's thread for ManualClock). A Timer's
// callback runs on that thread, never inside start_at() or cancel().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include <asio/io_context.hpp>

namespace devwatch {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

class Timer {
 public:
  virtual ~Timer() = default;  // destroying a timer cancels it
  // Replaces any pending wait: `fn` runs once, at or after `when`, unless the
  // timer is cancelled, restarted or destroyed first.
  virtual void start_at(TimePoint when, std::function<void()> fn) = 0;
  virtual void cancel() = 0;
  virtual bool pending() const = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual std::unique_ptr<Timer> make_timer() = 0;

  // start_at(now() + delay)
  void start_after(Timer& timer, std::chrono::nanoseconds delay, std::function<void()> fn) const {
    timer.start_at(now() + delay, std::move(fn));
  }
};

// The real clock: SteadyClock::now() and asio::steady_timer on `io`.
class AsioClock final : public Clock {
 public:
  explicit AsioClock(asio::io_context& io) : io_(io) {}
  TimePoint now() const override { return SteadyClock::now(); }
  std::unique_ptr<Timer> make_timer() override;

 private:
  asio::io_context& io_;
};

// A clock for tests: time stands still until advance() moves it. Due timers
// fire in deadline order (ties in start order), each with now() equal to its
// deadline, including timers their callbacks start within the window.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{} + std::chrono::hours(1)) : now_(start) {}
  ~ManualClock() override;
  TimePoint now() const override { return now_; }
  std::unique_ptr<Timer> make_timer() override;

  // Moves time forward by `by`, firing every timer that falls due.
  void advance(std::chrono::nanoseconds by);
  // Moves time to the next pending deadline and fires what is due there;
  // false when no timer is pending.
  bool advance_to_next();
  std::size_t pending_timers() const { return due_.size(); }

 private:
  class ManualTimer;
  friend class ManualTimer;
  using Key = std::pair<TimePoint, std::uint64_t>;
  void fire_until(TimePoint until);

  TimePoint now_;
  std::uint64_t next_seq_ = 0;
  std::map<Key, ManualTimer*> due_;
};

}  // namespace devwatch
