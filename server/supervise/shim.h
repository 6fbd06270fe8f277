// The group-leader shim: a tiny process between devwatch and each dev server
// that owns the server's process group, reaps every descendant (child
// subreaper) and kills the whole group when devwatch dies, even by SIGKILL.
// See docs/supervision.md for why this shape.
// Threading: run_shim is the whole program of a shim process (single thread);
// main() calls it first thing when argv[1] == "__shim".
#pragma once

namespace devwatch::supervise {

// Returns the shim's exit status (0 once the group is gone; 2 on bad argv).
int run_shim(int argc, char** argv);

}  // namespace devwatch::supervise
