#include "workspace/watch_settings.h"

namespace devwatch::workspace {

paths::IgnoreOptions ignore_options(const config::WatchSettings& settings) {
  paths::IgnoreOptions ignore;
  ignore.respect_gitignore = settings.respect_gitignore;
  ignore.excludes = settings.exclude;
  return ignore;
}

watch::WatcherOptions watcher_options(const config::WatchSettings& settings) {
  watch::WatcherOptions options;
  options.backend = config::backend_name(settings.backend);
  options.poll_interval_ms = settings.poll_interval_ms;
  options.poll_unwatched = settings.poll_unwatched;
  options.ignore = ignore_options(settings);
  return options;
}

}  // namespace devwatch::workspace
