// Calls back when a process (the editor that started us, from initialize's
// processId) is gone, so an editor that crashes leaves no devwatch behind.
// Uses a pidfd (Linux >= 5.3: readable when the process exits, no polling);
// falls back to checking kill(pid, 0) once a second, and says so.
// Threading: loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <asio.hpp>

namespace devwatch::session {

class ParentWatch {
 public:
  ParentWatch(asio::io_context& io, int pid, std::function<void()> on_gone);
  ~ParentWatch();
  // "pidfd" or "polling (pidfd_open failed: ...)".
  const std::string& method() const { return method_; }

 private:
  void poll_later();
  asio::io_context& io_;
  int pid_;
  std::function<void()> on_gone_;
  std::unique_ptr<asio::posix::stream_descriptor> pidfd_;
  asio::steady_timer timer_;
  std::string method_;
};

}  // namespace devwatch::session
