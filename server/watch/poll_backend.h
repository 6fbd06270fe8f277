// Portable backend: no kernel notification. Every interval it asks the
// Watcher to rescan and diff all roots against the snapshot. Used when
// configured (network filesystems) or when inotify cannot work here, and
// then always reported with the reason.
// Threading: io_context thread only.
#pragma once

#include "watch/asio.h"
#include <chrono>
#include <memory>

#include "watch/backend.h"

namespace devwatch::watch {

class PollBackend final : public Backend {
 public:
  PollBackend(asio::io_context& io, std::chrono::milliseconds interval);
  ~PollBackend() override;

  std::string_view name() const override { return "poll"; }
  void start(Sink sink) override;
  void stop() override;
  WatchResult watch_dir(const std::string& absolute_path, bool is_root) override;
  void unwatch_dir(WatchId id) override;
  void pause_draining_for_test() override;
  void resume_draining_for_test() override;

 private:
  void arm();
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace devwatch::watch
