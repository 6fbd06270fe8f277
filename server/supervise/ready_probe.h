// Decides when a starting server is ready: a TCP connect to its port that
// succeeds (127.0.0.1 and ::1, or the given host, retried on a timer), and/or
// an output line matching a regex (compiled once). Every configured probe
// must pass; with none the server is ready at once. The connects are real
// (on the io_context); when to retry, and what time it is, come from the
// injected Clock.
// Threading: not thread-safe; created, fed and destroyed on the loop thread
// (which runs both the io_context and the clock).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string_view>
#include <vector>

#include "supervise/asio_include.h"

#include "common/clock.h"
#include "common/error.h"
#include "supervise/spec.h"

namespace devwatch::supervise {

struct ProbeResult {
  TimePoint ready_at;
  // Upper bound of the delay the probe itself added: time since the previous
  // failed connect attempt began (0 for an output pattern, seen at once).
  double probe_slack_ms = 0;
  int attempts = 0;
};

struct ProbeTiming {
  std::chrono::milliseconds first_interval{10};
  std::chrono::milliseconds fast_for{2000};  // keep first_interval this long
  std::chrono::milliseconds max_interval{200};
};

class ReadyProber {
 public:
  using Callback = std::function<void(const ProbeResult&)>;

  // Fails (ConfigInvalid) on an invalid pattern or port. `clock` must
  // outlive the prober.
  static Result<std::unique_ptr<ReadyProber>> create(asio::io_context& io, Clock& clock, const ReadyProbe& probe,
                                                     ProbeTiming timing = {});
  ~ReadyProber();
  ReadyProber(const ReadyProber&) = delete;
  ReadyProber& operator=(const ReadyProber&) = delete;

  // Starts probing; `on_ready` is called once, on the loop thread.
  void start(Callback on_ready);
  void on_line(std::string_view line);
  void cancel();
  int attempts() const { return attempts_; }  // connect rounds begun so far

 private:
  ReadyProber(asio::io_context& io, Clock& clock, ProbeTiming timing);
  void attempt();
  void attempt_done(bool connected);
  void check_done();

  asio::io_context& io_;
  Clock& clock_;
  ProbeTiming timing_;
  std::vector<asio::ip::tcp::endpoint> endpoints_;
  std::optional<std::regex> pattern_;
  Callback on_ready_;
  bool running_ = false;
  bool port_ok_ = true;
  bool pattern_ok_ = true;
  int attempts_ = 0;
  int in_flight_ = 0;
  bool attempt_connected_ = false;
  TimePoint started_{};
  TimePoint previous_attempt_{};
  TimePoint this_attempt_{};
  std::chrono::milliseconds interval_{};
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> sockets_;
  std::unique_ptr<Timer> timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace devwatch::supervise
