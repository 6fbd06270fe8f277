// Runs an io_context until a condition holds, for tests of code on a real
// loop (real processes, real inotify): the condition is checked between
// short slices of loop work, never by sleeping.
// Threading: the calling (test) thread runs the loop.
#pragma once

#include <chrono>
#include <functional>

#include <asio/io_context.hpp>

namespace devwatch::testing {

// False when the deadline passes before `done` holds (a failure, not a timing claim).
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace devwatch::testing
