#include "supervise/ready_probe.h"

#include <algorithm>

namespace devwatch::supervise {

using namespace std::chrono_literals;

ReadyProber::ReadyProber(asio::io_context& io, Clock& clock, ProbeTiming timing)
    : io_(io), clock_(clock), timing_(timing), timer_(clock.make_timer()) {}

ReadyProber::~ReadyProber() { cancel(); }

Result<std::unique_ptr<ReadyProber>> ReadyProber::create(asio::io_context& io, Clock& clock,
                                                         const ReadyProbe& probe, ProbeTiming timing) {
  std::unique_ptr<ReadyProber> prober(new ReadyProber(io, clock, timing));
  if (probe.pattern) {
    try {
      prober->pattern_.emplace(*probe.pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return make_error(ErrorCode::ConfigInvalid, "invalid ready pattern '" + *probe.pattern + "': " + e.what());
    }
    prober->pattern_ok_ = false;
  }
  if (probe.port) {
    if (*probe.port < 1 || *probe.port > 65535) {
      return make_error(ErrorCode::ConfigInvalid,
                        "invalid ready port " + std::to_string(*probe.port) + ": must be 1..65535");
    }
    auto port = static_cast<unsigned short>(*probe.port);
    std::vector<asio::ip::address> addresses;
    if (probe.host && !probe.host->empty() && *probe.host != "localhost") {
      asio::error_code ec;
      auto address = asio::ip::make_address(*probe.host, ec);
      // Host names would need a resolver round trip on every attempt; dev
      // servers bind literals or localhost, so anything else is refused clearly.
      if (ec) {
        return make_error(ErrorCode::ConfigInvalid, "ready host '" + *probe.host +
                                                        "' is not an IP address; use an address or 'localhost'");
      }
      addresses.push_back(address);
    } else {
      addresses.push_back(asio::ip::make_address("127.0.0.1"));
      addresses.push_back(asio::ip::make_address("::1"));
    }
    for (const auto& address : addresses) prober->endpoints_.emplace_back(address, port);
    prober->port_ok_ = false;
  }
  return prober;
}

void ReadyProber::start(Callback on_ready) {
  on_ready_ = std::move(on_ready);
  running_ = true;
  started_ = clock_.now();
  previous_attempt_ = started_;
  interval_ = timing_.first_interval;
  if (!port_ok_) {
    attempt();
    return;
  }
  check_done();
}

void ReadyProber::on_line(std::string_view line) {
  if (!running_ || pattern_ok_ || !pattern_) return;
  if (std::regex_search(line.begin(), line.end(), *pattern_)) {
    pattern_ok_ = true;
    check_done();
  }
}

void ReadyProber::cancel() {
  running_ = false;
  timer_->cancel();
  for (auto& socket : sockets_) {
    asio::error_code ignored;
    socket->close(ignored);
  }
  sockets_.clear();
  alive_ = std::make_shared<int>(0);  // orphan handlers still queued
}

void ReadyProber::attempt() {
  previous_attempt_ = attempts_ == 0 ? started_ : this_attempt_;
  this_attempt_ = clock_.now();
  ++attempts_;
  in_flight_ = static_cast<int>(endpoints_.size());
  attempt_connected_ = false;
  sockets_.clear();
  std::weak_ptr<int> alive = alive_;
  for (const auto& endpoint : endpoints_) {
    auto socket = std::make_unique<asio::ip::tcp::socket>(io_);
    socket->async_connect(endpoint, [this, alive](const asio::error_code& ec) {
      if (alive.expired()) return;
      attempt_done(!ec);
    });
    sockets_.push_back(std::move(socket));
  }
}

void ReadyProber::attempt_done(bool connected) {
  if (!running_) return;
  attempt_connected_ = attempt_connected_ || connected;
  if (--in_flight_ > 0) return;
  // Sockets close only once every endpoint has answered: closing one while
  // another completes would race the handlers.
  for (auto& socket : sockets_) {
    asio::error_code ignored;
    socket->close(ignored);
  }
  if (attempt_connected_) {
    port_ok_ = true;
    check_done();
    return;
  }
  auto now = clock_.now();
  if (now - started_ > timing_.fast_for) {
    // Back off gently: a server that takes long to bind is not kept waiting
    // for long by the probe, but is not hammered either.
    interval_ = std::min(timing_.max_interval, interval_ + interval_ / 5 + 1ms);
  }
  clock_.start_after(*timer_, interval_, [this] {
    if (running_) attempt();
  });
}

void ReadyProber::check_done() {
  if (!running_ || !port_ok_ || !pattern_ok_) return;
  running_ = false;
  ProbeResult result;
  result.ready_at = clock_.now();
  result.attempts = attempts_;
  if (!endpoints_.empty() && attempts_ > 1) {
    result.probe_slack_ms =
        std::chrono::duration<double, std::milli>(this_attempt_ - previous_attempt_).count();
  }
  auto callback = std::move(on_ready_);
  if (callback) callback(result);
}

}  // namespace devwatch::supervise
