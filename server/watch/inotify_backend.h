// Linux backend: one inotify instance, one watch per directory. The fd is
// drained to EAGAIN on each readiness (as quickly as possible, so the kernel
// queue does not overflow), re-armed, and only then are the decoded hints
// handed to the sink in one batch.
// Threading: io_context thread only.
#pragma once

#include "watch/asio.h"
#include <memory>

#include "common/error.h"
#include "watch/backend.h"

namespace devwatch::watch {

class InotifyBackend final : public Backend {
 public:
  // Fails with the errno text when inotify_init1 fails (EMFILE: the
  // max_user_instances limit; ENOSYS: no inotify).
  static Result<std::unique_ptr<InotifyBackend>> create(asio::io_context& io);
  ~InotifyBackend() override;

  std::string_view name() const override { return "inotify"; }
  bool has_watch_budget() const override { return true; }
  void start(Sink sink) override;
  void stop() override;
  WatchResult watch_dir(const std::string& absolute_path, bool is_root) override;
  void unwatch_dir(WatchId id) override;
  void pause_draining_for_test() override;
  void resume_draining_for_test() override;

 private:
  InotifyBackend(asio::io_context& io, int fd);
  void arm();
  void drain();

  struct State;  // shared with pending handlers so they outlive nothing
  std::shared_ptr<State> state_;
};

}  // namespace devwatch::watch
