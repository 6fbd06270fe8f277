// `devwatch watch [PATH...] [--json] [--exclude GLOB...] [--backend B]
// [--settle-ms N] [--poll-interval-ms N]`: prints each settled change as a
// line on stdout (flushed per batch: scripts and benchmarks read it live),
// problems on stderr, and a ready line once the crawl is done.
// Threading: runs its own io_context on the calling thread until SIGINT/SIGTERM.
#pragma once

#include <string>
#include <vector>

namespace devwatch::cli {

// args: what follows `devwatch watch`. Returns the exit code: 0 on
// SIGINT/SIGTERM, 1 when a root cannot be watched or stdout closes, 2 on a
// usage error.
int run_watch_command(const std::vector<std::string>& args);

}  // namespace devwatch::cli
