// devwatch: a native workspace watcher and dev-server supervisor for editors.
#include <cstring>

#include "cli/app.h"
#include "supervise/shim.h"

int main(int argc, char** argv) {
  // devwatch re-executes itself as each dev server's group-leader shim; that
  // process must do nothing else first (see docs/supervision.md).
  if (argc > 1 && std::strcmp(argv[1], "__shim") == 0) return devwatch::supervise::run_shim(argc, argv);
  return devwatch::cli::run_app(argc, argv);
}
