// GroupProcess with real processes: the shim, pipes, the stop policy on the
// whole group, escaped daemons, and flood output (spawn errors are in
// spawn_shim_test.cpp).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <optional>
#include <string>
#include <vector>

#include "supervise/group_process.h"
#include "test_util.h"

using namespace devwatch::supervise;
using namespace devwatch::supervise::test;

namespace {

struct Recorder {
  std::vector<std::pair<Stream, std::string>> lines;
  std::vector<bool> cuts;
  std::optional<int> main_status;
  std::optional<GroupExit> gone;

  GroupCallbacks callbacks() {
    GroupCallbacks cb;
    cb.on_line = [this](Stream stream, std::string_view text, bool cut) {
      lines.emplace_back(stream, std::string(text));
      cuts.push_back(cut);
    };
    cb.on_main_exit = [this](int status) { main_status = status; };
    cb.on_gone = [this](const GroupExit& exit) { gone = exit; };
    return cb;
  }
  std::string dump() const {
    std::string text;
    for (const auto& [stream, line] : lines) text += std::string(stream_name(stream)) + ": " + line + "\n";
    if (gone) text += "gone\n";
    return text;
  }
  bool saw(const std::string& prefix) const {
    for (const auto& [stream, text] : lines) {
      if (text.rfind(prefix, 0) == 0) return true;
    }
    return false;
  }
};

SpawnRequest request_for(std::vector<std::string> argv, int stop_signal = SIGINT, int stop_timeout_ms = 5000) {
  SpawnRequest request;
  request.shim_path = helper_path();
  request.argv = std::move(argv);
  request.policy = {{stop_signal, stop_timeout_ms}, {SIGKILL, 2000}};
  return request;
}

}  // namespace

TEST_CASE("stdout and stderr arrive as lines and the exit status is reported", "[group_process]") {
  asio::io_context io;
  Recorder rec;
  auto request = request_for({"/bin/sh", "-c", "echo out1; echo err1 >&2; printf 'tail'; exit 7"});
  request.env = {{"DEVWATCH_TEST_VAR", "hello"}};
  auto process = GroupProcess::spawn(io, request, rec.callbacks());
  REQUIRE(process.ok());
  REQUIRE(run_until(io, [&] { return rec.gone.has_value(); }));
  REQUIRE(rec.main_status.has_value());
  CHECK(WIFEXITED(*rec.main_status));
  CHECK(WEXITSTATUS(*rec.main_status) == 7);
  CHECK(rec.gone->steps.empty());  // nothing was left in the group to stop
  CHECK_FALSE(rec.gone->killed);
  CHECK(rec.saw("out1"));
  CHECK(rec.saw("err1"));
  CHECK(rec.saw("tail"));  // a last line without newline is flushed at EOF
  for (const auto& [stream, text] : rec.lines) {
    if (text == "err1") CHECK(stream == Stream::Stderr);
    if (text == "out1") CHECK(stream == Stream::Stdout);
  }
}

TEST_CASE("the environment and cwd reach the command", "[group_process]") {
  asio::io_context io;
  Recorder rec;
  TempDir dir;
  auto request = request_for({"/bin/sh", "-c", "echo \"$DEVWATCH_TEST_VAR\"; pwd"});
  request.env = {{"DEVWATCH_TEST_VAR", "hello"}};
  request.cwd = dir.path().string();
  auto process = GroupProcess::spawn(io, request, rec.callbacks());
  REQUIRE(process.ok());
  REQUIRE(run_until(io, [&] { return rec.gone.has_value(); }));
  CHECK(rec.saw("hello"));
  CHECK(rec.saw(dir.path().string()));
}

TEST_CASE("a server ignoring SIGINT is killed after the timeout", "[group_process]") {
  asio::io_context io;
  Recorder rec;
  const int port = free_port();
  auto process = GroupProcess::spawn(io, request_for(server_command(port, "ignore"), SIGINT, 300), rec.callbacks());
  REQUIRE(process.ok());
  if (!run_until(io, [&] { return rec.saw("listening"); })) FAIL(rec.dump());
  CHECK_FALSE(port_bindable(port));
  const pid_t pgid = (*process)->pid();
  (*process)->stop();
  REQUIRE(run_until(io, [&] { return rec.gone.has_value(); }));
  REQUIRE(rec.gone->steps.size() == 2);
  CHECK(rec.gone->steps[0].signal == SIGINT);
  CHECK(rec.gone->steps[1].signal == SIGKILL);
  CHECK(rec.gone->killed);
  REQUIRE(rec.main_status.has_value());
  CHECK(WIFSIGNALED(*rec.main_status));
  CHECK(WTERMSIG(*rec.main_status) == SIGKILL);
  CHECK(group_gone(pgid));
  CHECK(port_bindable(port));
}

TEST_CASE("a polite server stops at the first step", "[group_process]") {
  asio::io_context io;
  Recorder rec;
  const int port = free_port();
  auto process = GroupProcess::spawn(io, request_for(server_command(port, "plain")), rec.callbacks());
  REQUIRE(process.ok());
  if (!run_until(io, [&] { return rec.saw("listening"); })) FAIL(rec.dump());
  (*process)->stop();
  REQUIRE(run_until(io, [&] { return rec.gone.has_value(); }));
  REQUIRE(rec.gone->steps.size() == 1);
  CHECK_FALSE(rec.gone->killed);
  CHECK(port_bindable(port));
}

TEST_CASE("a grandchild holding the port dies with the group", "[group_process]") {
  asio::io_context io;
  Recorder rec;
  const int port = free_port();
  auto process =
      GroupProcess::spawn(io, request_for(server_command(port, "grandchild"), SIGINT, 300), rec.callbacks());
  REQUIRE(process.ok());
  if (!run_until(io, [&] { return rec.saw("listening") && rec.saw("parent"); })) FAIL(rec.dump());
  const pid_t pgid = (*process)->pid();
  (*process)->stop();
  REQUIRE(run_until(io, [&] { return rec.gone.has_value(); }));
  CHECK(rec.gone->killed);  // the grandchild ignored SIGINT
  CHECK(group_gone(pgid));
  CHECK(port_bindable(port));
}

TEST_CASE("a setsid() daemon that left the group is still killed", "[group_process]") {
  asio::io_context io;
  Recorder rec;
  const int port = free_port();
  auto process = GroupProcess::spawn(io, request_for(server_command(port, "daemon"), SIGINT, 300), rec.callbacks());
  REQUIRE(process.ok());
  if (!run_until(io, [&] { return rec.saw("listening") && rec.saw("parent"); })) FAIL(rec.dump());
  pid_t daemon_pid = 0;
  for (const auto& [stream, text] : rec.lines) {
    if (text.rfind("listening ", 0) == 0) daemon_pid = std::stoi(text.substr(10));
  }
  REQUIRE(daemon_pid > 0);
  CHECK(getpgid(daemon_pid) != (*process)->pid());  // it really escaped the group
  (*process)->stop();
  REQUIRE(run_until(io, [&] { return rec.gone.has_value(); }));
  CHECK(process_gone(daemon_pid));
  CHECK(port_bindable(port));
}

TEST_CASE("output flood without newlines is cut into bounded chunks", "[group_process]") {
  asio::io_context io;
  Recorder rec;
  auto request = request_for({"python3", "-c", "import sys; sys.stdout.write('x' * 1000000); sys.stdout.flush()"});
  auto process = GroupProcess::spawn(io, request, rec.callbacks());
  REQUIRE(process.ok());
  REQUIRE(run_until(io, [&] { return rec.gone.has_value(); }));
  size_t total = 0;
  for (const auto& [stream, text] : rec.lines) {
    CHECK(text.size() <= 8192);
    total += text.size();
  }
  CHECK(total == 1000000);
  CHECK(rec.lines.size() == (1000000 + 8191) / 8192);
  CHECK(rec.cuts.front());
  CHECK_FALSE(rec.cuts.back());
}

TEST_CASE("when devwatch lets go of the control pipe the shim kills the group", "[group_process]") {
  asio::io_context io;
  Recorder rec;
  const int port = free_port();
  auto process =
      GroupProcess::spawn(io, request_for(server_command(port, "grandchild"), SIGINT, 5000), rec.callbacks());
  REQUIRE(process.ok());
  if (!run_until(io, [&] { return rec.saw("listening"); })) FAIL(rec.dump());
  (*process)->abandon_for_test();
  // The death policy is short (300 ms) even though stop_timeout is 5 s.
  REQUIRE(run_until(io, [&] { return rec.gone.has_value(); }));
  CHECK(rec.gone->killed);
  CHECK(port_bindable(port));
}
