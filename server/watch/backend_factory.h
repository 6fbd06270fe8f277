// The one place that picks a backend, and records why: the reason goes to
// devwatch/status and `devwatch check`; a fallback also produces a Problem.
// Threading: call on the io_context's thread.
#pragma once

#include "watch/asio.h"
#include <memory>
#include <optional>
#include <string>

#include "watch/backend.h"
#include "watch/types.h"

namespace devwatch::watch {

struct BackendChoice {
  std::unique_ptr<Backend> backend;
  std::string reason;              // "inotify: native kernel events", "poll: configured by ..."
  std::optional<Problem> problem;  // set when we fell back to something worse than asked
};

// options.backend: "auto" (inotify, else poll with a warning), "inotify"
// (poll with an error Problem if inotify cannot start), "poll".
BackendChoice make_backend(asio::io_context& io, const WatcherOptions& options);

}  // namespace devwatch::watch
