// Overlapped restarts over real processes and real sockets: the new group
// starts on a fresh port while the old one keeps answering on its own, the
// old one is stopped only once the new is ready, and a crash, a stop or a
// change during the overlap end it the way docs/proxy.md says. The stand-in
// server listens only once a gate file exists, so "the new one is not ready
// yet" is a state the test holds as long as it likes.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "dev_server_harness.h"

using namespace devwatch::supervise;
using namespace devwatch::supervise::test;

namespace {

// argv: PORT GATE. Exits 3 at once when GATE.crash exists; listens once GATE
// exists; answers each connection with "pid <pid>".
const char* kGatedPy = R"PY(
import os, socket, sys, time
port = int(sys.argv[1]); gate = sys.argv[2]
if os.path.exists(gate + '.crash'):
    os.write(1, b'crashing\n')
    sys.exit(3)
while not os.path.exists(gate):
    time.sleep(0.005)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(16)
os.write(1, b'listening\n')
while True:
    c, _ = s.accept()
    c.sendall(b'pid %d' % os.getpid())
    c.close()
)PY";

struct Gate {
  TempDir dir;
  std::filesystem::path path = dir.path() / "gate";
  void open() const { std::ofstream(path) << "open"; }
  void close() const { std::filesystem::remove(path); }
  void crash_next() const { std::ofstream(path.string() + ".crash") << "crash"; }
};

ServerSpec overlapped_server(const Gate& gate) {
  ServerSpec spec;
  spec.command = {"python3", "-c", kGatedPy, "{port}", gate.path.string()};
  spec.stop_signal = SIGTERM;
  spec.auto_restart = false;
  spec.proxy.listen_host = "127.0.0.1";
  spec.proxy.listen_port = 1;  // never bound here: the DevServer only reads the settings
  spec.proxy.overlap = true;
  return spec;
}

// What the server on `port` answers ("pid 123"), or "" when nothing listens.
std::string ask(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    char buf[64];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string pid_text(pid_t pid) { return "pid " + std::to_string(pid); }

// Opens the gate, starts the server and waits until it is ready; its pid.
pid_t start_open(Harness& h, const Gate& gate) {
  gate.open();
  REQUIRE(h.start_ready());
  return *h.server->pid();
}

}  // namespace

TEST_CASE("an overlapped restart starts the new group on a fresh port; the old serves until the new is ready",
          "[dev_server][overlap]") {
  Gate gate;
  gate.open();
  Harness h(overlapped_server(gate));
  REQUIRE(h.start_ready());
  REQUIRE(h.changes.back().port);
  const int old_port = *h.changes.back().port;
  const pid_t old_pid = *h.server->pid();
  CHECK(ask(old_port) == pid_text(old_pid));

  gate.close();
  REQUIRE(h.server->restart(Cause::Request).ok());
  // No stop in front of the start: the new group is starting, the old serves.
  const StateChange starting = h.changes.back();
  REQUIRE(starting.state == ServerState::Starting);
  CHECK(starting.serving_port == old_port);
  REQUIRE(starting.port);
  CHECK(*starting.port != old_port);
  CHECK(starting.reason.find("overlapped") != std::string::npos);
  CHECK(h.count(ServerState::Stopping) == 0);
  CHECK(ask(old_port) == pid_text(old_pid));

  gate.open();
  REQUIRE(h.wait_state(ServerState::Ready));
  const StateChange ready = h.changes.back();
  CHECK(ready.port == starting.port);
  CHECK_FALSE(ready.serving_port);
  // The old group is stopped after the switch, not before.
  REQUIRE(run_until(h.io, [&] { return group_gone(old_pid); }));
  CHECK(ask(*ready.port) == pid_text(*h.server->pid()));
  CHECK(h.count(ServerState::Stopping) == 0);
  CHECK(h.count(ServerState::Stopped) == 0);

  REQUIRE(h.server->stop(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
}

TEST_CASE("a new group that crashes ends the overlapped restart: the old one is stopped too",
          "[dev_server][overlap]") {
  Gate gate;
  Harness h(overlapped_server(gate));
  const pid_t old_pid = start_open(h, gate);

  gate.crash_next();
  REQUIRE(h.server->restart(Cause::Request).ok());
  REQUIRE(h.changes.back().serving_port);
  REQUIRE(h.wait_state(ServerState::Crashed));
  CHECK_FALSE(h.changes.back().serving_port);
  // The proxy shows the crash, not the old code: the old group goes.
  REQUIRE(run_until(h.io, [&] { return group_gone(old_pid) && !h.server->has_process(); }));
}

TEST_CASE("a stop during an overlapped restart stops both groups; stopped comes once both are gone",
          "[dev_server][overlap]") {
  Gate gate;
  Harness h(overlapped_server(gate));
  const pid_t old_pid = start_open(h, gate);
  gate.close();
  REQUIRE(h.server->restart(Cause::Request).ok());
  const pid_t new_pid = *h.server->pid();
  REQUIRE(new_pid != old_pid);

  REQUIRE(h.server->stop(Cause::Request).ok());
  CHECK_FALSE(h.changes.back().serving_port);
  REQUIRE(h.wait_state(ServerState::Stopped));
  CHECK(group_gone(old_pid));
  CHECK(group_gone(new_pid));
  CHECK_FALSE(h.server->has_process());
}

TEST_CASE("changes during an overlapped restart restart the new group; the old one serves throughout",
          "[dev_server][overlap]") {
  Gate gate;
  gate.open();
  TempDir root;
  ServerSpec spec = overlapped_server(gate);
  spec.root = root.path().string();
  Harness h(spec);
  REQUIRE(h.start_ready());
  const int old_port = *h.changes.back().port;
  const pid_t old_pid = *h.server->pid();
  gate.close();

  // No leading-edge stop: the old group serves while the burst settles.
  h.server->request_restart(Cause::Change, "files changed", {root.path().string() + "/a.py"});
  CHECK(h.server->state() == ServerState::Ready);
  REQUIRE(h.wait_state(ServerState::Starting));
  CHECK(h.changes.back().serving_port == old_port);
  const pid_t stale_pid = *h.server->pid();

  // A change while the new group starts makes it stale: it is stopped at
  // once (the old one still serves) and started again once the burst settles.
  h.server->request_restart(Cause::Change, "files changed", {root.path().string() + "/b.py"});
  REQUIRE(h.server->state() == ServerState::Stopping);
  CHECK(h.changes.back().restarting);
  CHECK(h.changes.back().serving_port == old_port);
  CHECK(ask(old_port) == pid_text(old_pid));
  REQUIRE(run_until(h.io, [&] { return h.count(ServerState::Starting) == 3; }));
  CHECK(group_gone(stale_pid));
  CHECK(h.changes.back().serving_port == old_port);
  CHECK(ask(old_port) == pid_text(old_pid));

  gate.open();
  REQUIRE(h.wait_state(ServerState::Ready));
  REQUIRE(run_until(h.io, [&] { return group_gone(old_pid); }));
  REQUIRE(h.server->stop(Cause::Request).ok());
  REQUIRE(h.wait_state(ServerState::Stopped));
}
