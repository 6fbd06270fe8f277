// ReadyProber: the port probe connects for real (a refused or accepted
// connect completes on the io_context), while its retry schedule and the
// times it reports run on a ManualClock. The pattern probe needs no time.
#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "common/clock.h"
#include "supervise/ready_probe.h"
#include "test_util.h"

using namespace devwatch::supervise;
using namespace devwatch::supervise::test;
using namespace std::chrono_literals;

namespace {

struct Probe {
  asio::io_context io;
  devwatch::ManualClock clock;
  std::unique_ptr<ReadyProber> prober;
  std::optional<ProbeResult> result;

  explicit Probe(const ReadyProbe& probe, ProbeTiming timing = {}) {
    auto created = ReadyProber::create(io, clock, probe, timing);
    REQUIRE(created.ok());
    prober = std::move(created.value());
  }
  void start() {
    prober->start([this](const ProbeResult& r) { result = r; });
  }
  // The current connect round has been answered and the retry waits on the clock.
  bool wait_refused() {
    return run_until(io, [&] { return clock.pending_timers() == 1 || result.has_value(); });
  }
  // After a refused round: moves time 1 ms at a time until the next round begins.
  long long next_delay_ms() {
    const int before = prober->attempts();
    long long waited = 0;
    while (prober->attempts() == before && waited < 10000) {
      clock.advance(1ms);
      ++waited;
    }
    return waited;
  }
};

ReadyProbe port_probe(int port) {
  ReadyProbe probe;
  probe.port = port;
  probe.host = "127.0.0.1";
  return probe;
}

}  // namespace

TEST_CASE("the port probe retries every first_interval and is ready once the port accepts", "[ready_probe]") {
  const int port = free_port();
  Probe p(port_probe(port));
  p.start();
  CHECK(p.prober->attempts() == 1);
  REQUIRE(p.wait_refused());
  REQUIRE_FALSE(p.result.has_value());
  p.clock.advance(9ms);
  CHECK(p.prober->attempts() == 1);
  p.clock.advance(1ms);
  CHECK(p.prober->attempts() == 2);
  REQUIRE(p.wait_refused());

  asio::ip::tcp::acceptor listener(p.io, {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  p.clock.advance(10ms);
  REQUIRE(run_until(p.io, [&] { return p.result.has_value(); }));
  CHECK(p.result->attempts == 3);
  CHECK(p.result->ready_at == p.clock.now());
  CHECK(p.result->probe_slack_ms == 10.0);  // the round before the successful one began 10 ms earlier
}

TEST_CASE("after fast_for the retry interval grows by a fifth plus 1 ms, up to max_interval", "[ready_probe]") {
  ProbeTiming timing;
  timing.first_interval = 10ms;
  timing.fast_for = 50ms;
  timing.max_interval = 40ms;
  Probe p(port_probe(free_port()), timing);
  p.start();
  std::vector<long long> delays;
  for (int i = 0; i < 14; ++i) {
    REQUIRE(p.wait_refused());
    delays.push_back(p.next_delay_ms());
  }
  CHECK(delays == std::vector<long long>{10, 10, 10, 10, 10, 10, 13, 16, 20, 25, 31, 38, 40, 40});
  p.prober->cancel();
  CHECK(p.clock.pending_timers() == 0);
}

TEST_CASE("the pattern probe is ready on the first matching line, without waiting", "[ready_probe]") {
  ReadyProbe probe;
  probe.pattern = "ready$";
  Probe p(probe);
  p.start();
  p.prober->on_line("booting");
  CHECK_FALSE(p.result.has_value());
  p.prober->on_line("Server at http://x/ ready");
  REQUIRE(p.result.has_value());
  CHECK(p.result->attempts == 0);
  CHECK(p.result->probe_slack_ms == 0);
  CHECK(p.result->ready_at == p.clock.now());
  CHECK(p.clock.pending_timers() == 0);
}

TEST_CASE("no probe means ready at once and unusable probes are refused with the reason", "[ready_probe]") {
  Probe p(ReadyProbe{});
  p.start();
  CHECK(p.result.has_value());

  asio::io_context io;
  devwatch::ManualClock clock;
  ReadyProbe bad_pattern;
  bad_pattern.pattern = "(unclosed";
  CHECK(ReadyProber::create(io, clock, bad_pattern).error().message.rfind("invalid ready pattern", 0) == 0);
  ReadyProbe bad_port;
  bad_port.port = 0;
  CHECK(ReadyProber::create(io, clock, bad_port).error().message == "invalid ready port 0: must be 1..65535");
  ReadyProbe named_host = port_probe(8000);
  named_host.host = "example.com";
  CHECK(ReadyProber::create(io, clock, named_host).error().message.find("is not an IP address") != std::string::npos);
}
