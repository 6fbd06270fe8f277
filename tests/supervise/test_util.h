// Shared helpers for the supervise tests: running the loop until a condition
// holds (with a generous deadline), free ports, process checks, and the small
// python servers the tests supervise.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "support/run_loop.h"
#include "supervise/asio_include.h"

namespace devwatch::supervise::test {

inline std::string helper_path() { return DEVWATCH_SUPERVISE_HELPER; }

using devwatch::testing::run_until;

// Polls a condition on the outside world (no loop work involved).
inline bool poll_until(const std::function<bool()>& done,
                       std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    usleep(2000);
  }
  return true;
}

// True when 127.0.0.1:port can be bound for listening right now (with
// SO_REUSEADDR, like the test servers, so TIME_WAIT does not count).
inline bool port_bindable(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd, 1) == 0;
  close(fd);
  return ok;
}

// A port the kernel just handed out (and released): free unless raced.
inline int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Gone = no such process, or a zombie nobody has reaped yet.
inline bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto paren = text.rfind(')');
  return paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] == 'Z';
}

inline bool group_gone(pid_t pgid) { return kill(-pgid, 0) != 0 && errno == ESRCH; }

// The python server the tests supervise. argv: PORT MODE, MODE one of
//   plain      listens; SIGINT ends it
//   ignore     listens and ignores SIGINT and SIGTERM
//   grandchild a child listens (ignoring SIGINT/SIGTERM); the parent waits
//   daemon     a setsid()ed double-forked grandchild listens; the parent waits
inline const char* kServerPy = R"PY(
import os, signal, socket, sys, time
port = int(sys.argv[1]); mode = sys.argv[2]
def say(text):
    # One write() per line: parent and child share the pipe.
    os.write(1, (text + '\n').encode())
def serve(ignore):
    if ignore:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(16)
    say('listening %d' % os.getpid())
    while True:
        c, _ = s.accept()
        c.close()
if mode == 'plain':
    serve(False)
elif mode == 'ignore':
    serve(True)
elif mode == 'grandchild':
    if os.fork() == 0:
        serve(True)
    say('parent %d' % os.getpid())
    while True:
        time.sleep(3600)
elif mode == 'daemon':
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            serve(True)
        os._exit(0)
    say('parent %d' % os.getpid())
    while True:
        time.sleep(3600)
)PY";

inline std::vector<std::string> server_command(int port, const std::string& mode) {
  return {"python3", "-c", kServerPy, std::to_string(port), mode};
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("devwatch-supervise-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace devwatch::supervise::test
