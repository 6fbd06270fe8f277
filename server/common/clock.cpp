#include "common/clock.h"

#include <asio/steady_timer.hpp>

namespace devwatch {
namespace {

class AsioTimer final : public Timer {
 public:
  explicit AsioTimer(asio::io_context& io) : timer_(io) {}
  ~AsioTimer() override { drop(); }

  void start_at(TimePoint when, std::function<void()> fn) override {
    // asio calls a cancelled handler with operation_aborted, possibly after
    // a new wait began: the generation tells a stale handler from the live one.
    std::uint64_t gen = ++*generation_;
    pending_ = true;
    timer_.expires_at(when);
    timer_.async_wait([this, gen, alive = std::weak_ptr<std::uint64_t>(generation_),
                       fn = std::move(fn)](const asio::error_code& ec) {
      auto g = alive.lock();
      if (ec || !g || *g != gen) return;
      pending_ = false;
      fn();
    });
  }

  void cancel() override { drop(); }

  bool pending() const override { return pending_; }

 private:
  // Non-virtual: the destructor calls it too.
  void drop() {
    ++*generation_;
    pending_ = false;
    timer_.cancel();
  }

  asio::steady_timer timer_;
  std::shared_ptr<std::uint64_t> generation_ = std::make_shared<std::uint64_t>(0);
  bool pending_ = false;
};

}  // namespace

std::unique_ptr<Timer> AsioClock::make_timer() { return std::make_unique<AsioTimer>(io_); }

class ManualClock::ManualTimer final : public Timer {
 public:
  explicit ManualTimer(ManualClock& clock) : clock_(clock) {}
  ~ManualTimer() override { drop(); }

  void start_at(TimePoint when, std::function<void()> fn) override {
    drop();
    key_ = Key{when, clock_.next_seq_++};
    fn_ = std::move(fn);
    clock_.due_[key_] = this;
    pending_ = true;
  }

  void cancel() override { drop(); }

  bool pending() const override { return pending_; }

  // Non-virtual: the destructor calls it too.
  void drop() {
    if (!pending_) return;
    clock_.due_.erase(key_);
    pending_ = false;
    fn_ = nullptr;
  }

  // Called by the clock after it removed this timer from its table.
  void fire() {
    pending_ = false;
    auto fn = std::move(fn_);
    fn_ = nullptr;
    if (fn) fn();
  }

 private:
  ManualClock& clock_;
  Key key_{};
  std::function<void()> fn_;
  bool pending_ = false;
};

ManualClock::~ManualClock() = default;

std::unique_ptr<Timer> ManualClock::make_timer() { return std::make_unique<ManualTimer>(*this); }

void ManualClock::fire_until(TimePoint until) {
  while (!due_.empty() && due_.begin()->first.first <= until) {
    auto it = due_.begin();
    ManualTimer* timer = it->second;
    if (it->first.first > now_) now_ = it->first.first;
    due_.erase(it);
    timer->fire();
  }
  if (until > now_) now_ = until;
}

void ManualClock::advance(std::chrono::nanoseconds by) { fire_until(now_ + by); }

bool ManualClock::advance_to_next() {
  if (due_.empty()) return false;
  fire_until(due_.begin()->first.first);
  return true;
}

}  // namespace devwatch
