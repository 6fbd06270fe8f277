#include "watch/poll_backend.h"

namespace devwatch::watch {

struct PollBackend::State {
  State(asio::io_context& io, std::chrono::milliseconds i) : timer(io), interval(i) {}
  asio::steady_timer timer;
  std::chrono::milliseconds interval;
  Sink sink;
  bool stopped = false;
  bool paused = false;
  WatchId next_id = 1;
  std::vector<Hint> hints;
};

PollBackend::PollBackend(asio::io_context& io, std::chrono::milliseconds interval)
    : state_(std::make_shared<State>(io, interval)) {}

PollBackend::~PollBackend() { stop(); }

void PollBackend::start(Sink sink) {
  state_->sink = std::move(sink);
  arm();
}

void PollBackend::stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

// Poll needs no per-directory resource: ids only let the Watcher treat every
// backend alike.
WatchResult PollBackend::watch_dir(const std::string&, bool) { return WatchResult{state_->next_id++, 0}; }

void PollBackend::unwatch_dir(WatchId) {}

void PollBackend::pause_draining_for_test() {
  state_->paused = true;
  state_->timer.cancel();
}

void PollBackend::resume_draining_for_test() {
  state_->paused = false;
  arm();
}

void PollBackend::arm() {
  auto st = state_;
  if (st->stopped || st->paused) return;
  st->timer.expires_after(st->interval);
  st->timer.async_wait([this, st](const asio::error_code& ec) {
    if (ec || st->stopped || st->paused) return;
    st->hints.clear();
    st->hints.push_back(Hint{Hint::Kind::Rescan, true, 0, kNoWatch, {}});
    if (st->sink) st->sink(st->hints);
    arm();
  });
}

}  // namespace devwatch::watch
