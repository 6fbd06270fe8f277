// The promise that matters most: when devwatch is killed with SIGKILL, no
// process of any dev server's group survives and the port is free. A helper
// executable plays devwatch (production path: the shim is /proc/self/exe).
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <sstream>
#include <string>

#include "test_util.h"

using namespace devwatch::supervise::test;

namespace {

// Reads one line from fd with a deadline.
std::string read_line(int fd, std::chrono::milliseconds deadline) {
  std::string line;
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (line.empty() || line.back() != '\n') {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char c = 0;
    if (read(fd, &c, 1) != 1) break;
    line += c;
  }
  return line;
}

void reap_orphans() {
  int status = 0;
  while (waitpid(-1, &status, WNOHANG) > 0) {
  }
}

}  // namespace

TEST_CASE("SIGKILL of devwatch leaves no process of the group and frees the port", "[orphan]") {
  // Orphans are re-parented to this test process, so it can reap them and
  // see them gone even where PID 1 does not reap.
  REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  const int port = free_port();
  int out[2];
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  const std::string helper = helper_path();
  const std::string port_text = std::to_string(port);
  pid_t host = fork();
  REQUIRE(host >= 0);
  if (host == 0) {
    dup2(out[1], 1);
    execl(helper.c_str(), helper.c_str(), "host", "web", "--", "python3", "-c", kServerPy, port_text.c_str(),
          "grandchild", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  const std::string line = read_line(out[0], std::chrono::seconds(20));
  close(out[0]);
  std::istringstream in(line);
  std::string word;
  pid_t shim = 0;
  pid_t pgid = 0;
  in >> word >> shim >> pgid;
  REQUIRE(word == "READY");
  REQUIRE(shim > 0);
  REQUIRE(pgid > 0);
  // The grandchild holds the port and ignores SIGINT and SIGTERM.
  REQUIRE(poll_until([&] { return !port_bindable(port); }));
  CHECK_FALSE(group_gone(pgid));

  REQUIRE(kill(host, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(host, &status, 0) == host);
  CHECK(WIFSIGNALED(status));

  CHECK(poll_until([&] {
    reap_orphans();
    return group_gone(pgid) && process_gone(shim) && port_bindable(port);
  }));
}
