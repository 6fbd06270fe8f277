#include "watch/backend_factory.h"

#include "watch/budget.h"
#include "watch/inotify_backend.h"
#include "watch/poll_backend.h"

namespace devwatch::watch {

BackendChoice make_backend(asio::io_context& io, const WatcherOptions& options) {
  const auto interval = std::chrono::milliseconds(std::max(10, options.poll_interval_ms));
  BackendChoice choice;
  if (options.backend == "poll") {
    choice.backend = std::make_unique<PollBackend>(io, interval);
    choice.reason = "poll: configured by watch.backend=poll (every " +
                    std::to_string(interval.count()) + " ms)";
    return choice;
  }
  auto inotify = InotifyBackend::create(io);
  if (inotify) {
    choice.backend = std::move(inotify.value());
    choice.reason = options.backend == "inotify" ? "inotify: configured by watch.backend=inotify"
                                                 : "inotify: native kernel events";
    return choice;
  }
  std::string why = inotify.error().message;
  std::string fix;
  if (why.find("EMFILE") != std::string::npos) {
    std::size_t instances = read_budget_limits().max_user_instances;
    why += " (max_user_instances=" + std::to_string(instances) + " reached)";
    fix = instance_limit_fix(instances);
  }
  choice.backend = std::make_unique<PollBackend>(io, interval);
  choice.reason = "poll: " + why + (fix.empty() ? "" : "; fix: " + fix);
  Problem p;
  p.severity = options.backend == "inotify" ? Severity::Error : Severity::Warning;
  p.kind = "fallback";
  p.message = "inotify is unavailable, polling every " + std::to_string(interval.count()) +
              " ms instead: " + why;
  p.fix = fix;
  choice.problem = std::move(p);
  return choice;
}

}  // namespace devwatch::watch
