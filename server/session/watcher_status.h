// The `watcher` section of devwatch/status as JSON: backend, reason, roots,
// watchedDirectories, budget {used, limit, usedByOthers, available, note},
// unwatched, resyncs, lastEventTime (ISO 8601 UTC, or null), crawling,
// problems. watch/ returns the plain WatcherStatus value; this is the one
// place it becomes JSON.
// Threading: pure function.
#pragma once

#include <nlohmann/json.hpp>

#include "watch/types.h"

namespace devwatch::session {

nlohmann::json to_json(const watch::WatcherStatus& status);

}  // namespace devwatch::session
