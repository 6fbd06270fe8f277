// devwatch: a native workspace watcher and dev-server supervisor for editors.
#include "cli/app.h"

int main(int argc, char** argv) { return devwatch::cli::run_app(argc, argv); }
