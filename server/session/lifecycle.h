// LSP's lifecycle as a pure state machine: which requests and notifications
// may run in which phase, and the exit code. No I/O, so every rule is tested
// on its own (tests/session/lifecycle_test.cpp).
// Threading: plain value, used from the loop thread.
#pragma once

#include <string_view>

#include "common/error.h"

namespace devwatch::session {

enum class Phase { Uninitialized, Running, ShutDown };

class Lifecycle {
 public:
  // Ok, or the error the request must be answered with instead of running.
  Result<void> admit_request(std::string_view method) const;
  // False: drop the notification (LSP: before initialize, only exit counts).
  bool admit_notification(std::string_view method) const;

  void on_initialized_reply() { phase_ = Phase::Running; }
  void on_shutdown() { phase_ = Phase::ShutDown; }
  // LSP: 0 if shutdown was requested first, 1 otherwise.
  int exit_code() const { return phase_ == Phase::ShutDown ? 0 : 1; }
  Phase phase() const { return phase_; }

 private:
  Phase phase_ = Phase::Uninitialized;
};

}  // namespace devwatch::session
