// Polling of the folders the watch budget left without a watch, when
// options.poll_unwatched asks for it: every poll interval (on the clock) each
// unwatched subtree top is rescanned and diffed, between crawls only.
// Threading: io_context thread (see watcher_state.h).
#include <algorithm>
#include <chrono>

#include "watch/watcher_state.h"

namespace devwatch::watch {

void Watcher::Impl::arm_unwatched_poll() {
  if (!options_.poll_unwatched || unwatched_.empty() || unwatched_poll_armed_) return;
  unwatched_poll_armed_ = true;
  clock_.start_after(*unwatched_timer_, std::chrono::milliseconds(std::max(10, options_.poll_interval_ms)),
                     [weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self || self->stopped_) return;
    self->unwatched_poll_armed_ = false;
    if (!self->crawling())
      for (NodeId n : self->unwatched_)
        if (self->tree_[n].live) self->enqueue(n, Report::Normal, false);
    self->arm_unwatched_poll();
  });
}

}  // namespace devwatch::watch
