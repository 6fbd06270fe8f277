// The preloading launcher (python/src/devwatch/preload_launcher.py) as it was
// at build time: devwatch writes it into each zygote's private directory, so
// a CMake-built devwatch needs no Python package and can never run a launcher
// from another version.
// Thread-safe: a constant.
#pragma once

namespace devwatch::preload {

extern const char* const kLauncherSource;

}  // namespace devwatch::preload
