// The fork/exec seam alone: what a started shim hands over, and every way a
// start fails, as error values naming the command and errno.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "common/clock.h"
#include "supervise/spawn_shim.h"
#include "test_util.h"

using namespace devwatch::supervise;
using namespace devwatch::supervise::test;

namespace {

SpawnRequest request_for(std::vector<std::string> argv) {
  SpawnRequest request;
  request.shim_path = helper_path();
  request.argv = std::move(argv);
  request.policy = {{SIGINT, 5000}, {SIGKILL, 2000}};
  return request;
}

devwatch::Result<ShimHandles> spawn(const SpawnRequest& request) { return spawn_shim(request, nullptr); }

}  // namespace

TEST_CASE("a started shim hands over its pids, non-blocking pipes and the spawn time", "[spawn_shim]") {
  devwatch::ManualClock clock;
  auto handles = spawn_shim(request_for({"/bin/sh", "-c", "exec sleep 60"}), &clock);
  REQUIRE(handles.ok());
  CHECK(handles->shim_pid > 0);
  CHECK(handles->pid > 0);
  CHECK(handles->pid != handles->shim_pid);
  CHECK(getpgid(handles->pid) == handles->pid);  // the command leads its own group
  CHECK(handles->spawned_at == clock.now());
  for (int fd : {handles->report_fd, handles->stdout_fd, handles->stderr_fd}) {
    CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  }
  // Letting go of the control pipe is devwatch's death to the shim: it kills
  // the group and exits.
  close(handles->control_fd);
  int status = 0;
  REQUIRE(waitpid(handles->shim_pid, &status, 0) == handles->shim_pid);
  CHECK(poll_until([&] { return group_gone(handles->pid); }));
  for (int fd : {handles->report_fd, handles->stdout_fd, handles->stderr_fd}) close(fd);
}

TEST_CASE("exec failure names the command and errno", "[spawn_shim]") {
  auto handles = spawn(request_for({"devwatch-no-such-binary", "x"}));
  REQUIRE_FALSE(handles.ok());
  CHECK(handles.error().code == devwatch::ErrorCode::ExecFailed);
  CHECK(handles.error().message == "exec failed: devwatch-no-such-binary: No such file or directory (ENOENT)");
}

TEST_CASE("a bad cwd names the directory and errno", "[spawn_shim]") {
  auto request = request_for({"python3", "-c", "pass"});
  request.cwd = "/nonexistent/devwatch-test";
  auto handles = spawn(request);
  REQUIRE_FALSE(handles.ok());
  CHECK(handles.error().code == devwatch::ErrorCode::ExecFailed);
  CHECK(handles.error().message.rfind("cannot chdir to /nonexistent/devwatch-test: ENOENT", 0) == 0);
  CHECK(handles.error().message.find("python3") != std::string::npos);
}

TEST_CASE("a missing shim is an error too, not a hang", "[spawn_shim]") {
  auto request = request_for({"true"});
  request.shim_path = "/nonexistent/devwatch";
  auto handles = spawn(request);
  REQUIRE_FALSE(handles.ok());
  CHECK(handles.error().message.find("cannot start the devwatch shim /nonexistent/devwatch") != std::string::npos);
  CHECK(handles.error().message.find("ENOENT") != std::string::npos);
}

TEST_CASE("an empty command is refused before anything is forked", "[spawn_shim]") {
  auto handles = spawn(request_for({}));
  REQUIRE_FALSE(handles.ok());
  CHECK(handles.error().message == "empty command");
}
