// The shim's side of a preloaded start: ask the zygote (the preloading
// launcher, python/src/devwatch/preload_launcher.py) over its unix socket to
// fork the command with our stdio, and learn the child's pid, or why it would
// not (then the shim starts the command cold). The wire format is described
// at the top of the launcher.
// Threading: plain blocking calls with timeouts, made by the single-threaded
// shim (supervise/shim.cpp) only.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace devwatch::preload {

struct ZygoteChild {
  pid_t pid = -1;
  int pidfd = -1;  // readable once the child exited (it is not our child)
  int conn = -1;   // the zygote writes "exit <wait status>\n" here after reaping it
};

struct ZygoteAnswer {
  std::optional<ZygoteChild> child;
  std::string reason;  // when there is no child: why, for people ("stale: ... changed")
};

// argv and envp are null-terminated; the cwd sent is the shim's own.
ZygoteAnswer fork_via_zygote(const std::string& socket_path, char* const* argv, char* const* envp);

// Reads what the zygote sent on `conn` once it is readable. Returns true when
// the connection is finished (EOF or error); `status` is set when "exit N" came.
bool read_exit_status(int conn, std::string& buffer, std::optional<int>& status);

}  // namespace devwatch::preload
