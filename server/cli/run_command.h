// `devwatch run [OPTIONS] [-- CMD ARGS...]`: the terminal mode. Runs the
// given, configured or detected dev server(s) in the foreground, restarts
// them on relevant changes, passes their output through and prints short,
// marked lines of its own ("devwatch: web ready in 180 ms").
// Threading: runs its own io_context on the calling thread until Ctrl-C.
#pragma once

#include <string>
#include <vector>

namespace devwatch::cli {

// args: what follows `devwatch run`. Returns 0 after Ctrl-C/SIGTERM, 1 when
// nothing can run (no server found, invalid config, exec failure at start),
// 2 on a usage error.
int run_run_command(const std::vector<std::string>& args);

}  // namespace devwatch::cli
