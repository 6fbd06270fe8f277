// Test stand-in for the devwatch executable.
//   helper __shim ...          -> run_shim (what devwatch's main() does)
//   helper host <name> -- CMD  -> plays devwatch: supervises CMD through the
//                                 shim at /proc/self/exe, prints
//                                 "READY <shim-pid> <pid>" once ready, runs forever.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "supervise/shim.h"
#include "supervise/supervisor.h"

using namespace devwatch::supervise;

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "__shim") == 0) return run_shim(argc, argv);
  if (argc > 4 && std::strcmp(argv[1], "host") == 0 && std::strcmp(argv[3], "--") == 0) {
    asio::io_context io;
    Supervisor supervisor(io);  // production default: /proc/self/exe
    ServerSpec spec;
    spec.name = argv[2];
    for (int i = 4; i < argc; ++i) spec.command.emplace_back(argv[i]);
    spec.ready.pattern = "listening";
    spec.stop_timeout_ms = 5000;
    supervisor.on_state_change([&](const StateChange& change) {
      if (change.state == ServerState::Ready) {
        auto* server = supervisor.find(change.name);
        std::printf("READY %d %d\n", server->shim_pid().value_or(0), server->pid().value_or(0));
        std::fflush(stdout);
      } else if (change.state == ServerState::Crashed || change.state == ServerState::Backoff) {
        std::printf("CRASHED %s\n", change.reason.c_str());
        std::fflush(stdout);
      }
    });
    auto added = supervisor.add(spec);
    if (!added) {
      std::printf("ERROR %s\n", added.error().message.c_str());
      return 1;
    }
    supervisor.start_auto();
    auto guard = asio::make_work_guard(io);
    io.run();
    return 0;
  }
  std::fprintf(stderr, "usage: %s __shim ... | host NAME -- CMD...\n", argv[0]);
  return 2;
}
