// `devwatch --stdio`: serves one client over stdin/stdout until exit.
// Threading: runs the event loop on the calling thread.
#pragma once

#include "cli/options.h"

namespace devwatch::cli {

int run_stdio(const Options& options);

// Makes sure fds 0, 1 and 2 are open (on /dev/null if they were closed), so
// that no later open() or asio's eventfd lands on them and gets mistaken for
// stdin or stdout.
void guard_standard_fds();

}  // namespace devwatch::cli
