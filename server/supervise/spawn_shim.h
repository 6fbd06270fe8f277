// The fork/exec seam of a dev server: starts the shim (see shim.h) with the
// command's pipes and the stop policy, and waits until the shim reports that
// the command was exec'd (or why not). Everything the child needs is built
// before fork; between fork and exec the child makes only async-signal-safe
// calls, with exec and chdir failures sent back over a close-on-exec pipe.
// Threading: call on the loop thread that lives as long as devwatch:
// PR_SET_PDEATHSIG fires when the *thread* that forked exits.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "supervise/spec.h"

namespace devwatch::supervise {

struct SpawnRequest {
  std::string shim_path = "/proc/self/exe";
  std::vector<std::string> argv;
  std::string cwd;
  std::map<std::string, std::string> env;  // merged over this process's environment
  StopPolicy policy;
  int death_timeout_ms = 300;  // graceful step when devwatch itself dies
  size_t max_line = 8192;
  // Preloaded starts (docs/preload.md): the zygote's socket the shim asks to
  // fork the command (cold start if it cannot); the zygote's own shim runs
  // without the subreaper bit, as the servers it forks are not its to reap.
  std::string zygote_socket;
  bool subreaper = true;
};

// What a started shim hands over; the caller owns the descriptors.
struct ShimHandles {
  pid_t shim_pid = -1;
  pid_t pid = -1;       // the command; also its process group id
  int control_fd = -1;  // write end; EOF on it tells the shim devwatch is gone
  int report_fd = -1;   // the shim's records (shim_protocol.h); non-blocking
  int stdout_fd = -1;   // non-blocking
  int stderr_fd = -1;   // non-blocking
  TimePoint spawned_at{};  // on `clock` (SteadyClock when null), taken right after fork
  std::optional<StartInfo> start;  // set when the request named a zygote
};

// Synchronous up to the command's exec (a few ms): exec failures and a bad
// cwd come back as ExecFailed errors naming the command and errno.
Result<ShimHandles> spawn_shim(const SpawnRequest& request, const Clock* clock);

}  // namespace devwatch::supervise
