// The configuration's watch settings as the watcher's options: one mapping
// for the editor session and `devwatch run`.
// Thread-safe: pure functions.
#pragma once

#include "config/config.h"
#include "paths/ignore.h"
#include "watch/types.h"

namespace devwatch::workspace {

paths::IgnoreOptions ignore_options(const config::WatchSettings& settings);
watch::WatcherOptions watcher_options(const config::WatchSettings& settings);

}  // namespace devwatch::workspace
