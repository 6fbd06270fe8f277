// The DevServer test harness: one server over real processes (the helper
// binary as shim), recording every state change and output line, optionally
// on a ManualClock; plus the specs the tests supervise.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "supervise/dev_server.h"
#include "test_util.h"

namespace devwatch::supervise::test {

struct Harness {
  asio::io_context io;
  std::vector<StateChange> changes;
  std::vector<OutputLine> lines;
  std::unique_ptr<DevServer> server;

  // `clock` null: the server's own AsioClock (real time).
  explicit Harness(ServerSpec spec, DevServerOptions options = {}, devwatch::Clock* clock = nullptr) {
    options.shim_path = helper_path();
    options.clock = clock;
    options.auto_restart_base = std::chrono::milliseconds(1);
    options.debounce.settle = std::chrono::milliseconds(20);
    if (spec.name.empty()) spec.name = "web";
    server = std::make_unique<DevServer>(
        io, std::move(spec), options, [this](const StateChange& change) { changes.push_back(change); },
        [this](const std::string&, const OutputLine& line) { lines.push_back(line); });
  }
  bool wait_state(ServerState state) {
    return run_until(io, [&] { return server->state() == state; });
  }
  // Starts the server (as a request) and waits until it is ready.
  bool start_ready() { return server->start(Cause::Request).ok() && wait_state(ServerState::Ready); }
  size_t count(ServerState state) const {
    return static_cast<size_t>(
        std::count_if(changes.begin(), changes.end(), [&](const StateChange& c) { return c.state == state; }));
  }
  bool saw_line(const std::string& prefix) const {
    return std::any_of(lines.begin(), lines.end(), [&](const OutputLine& l) { return l.text.rfind(prefix, 0) == 0; });
  }
};

inline ServerSpec port_server(int port, const std::string& mode, int stop_timeout_ms = 5000) {
  ServerSpec spec;
  spec.command = server_command(port, mode);
  spec.ready.port = port;
  spec.stop_timeout_ms = stop_timeout_ms;
  return spec;
}

inline ServerSpec sh_server(const std::string& script) {
  ServerSpec spec;
  spec.command = {"/bin/sh", "-c", script};
  return spec;
}


}  // namespace devwatch::supervise::test
