// Entry point of the devwatch executable: parses the command line, sets up
// logging and runs one command. main.cpp only calls run_app().
// Threading: the main thread.
#pragma once

namespace devwatch::cli {

int run_app(int argc, char** argv);

}  // namespace devwatch::cli
