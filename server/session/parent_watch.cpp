#include "session/parent_watch.h"

#include <csignal>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace devwatch::session {

ParentWatch::ParentWatch(asio::io_context& io, int pid, std::function<void()> on_gone)
    : io_(io), pid_(pid), on_gone_(std::move(on_gone)), timer_(io) {
#ifdef SYS_pidfd_open
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) {
    method_ = "pidfd";
    pidfd_ = std::make_unique<asio::posix::stream_descriptor>(io, static_cast<int>(fd));
    pidfd_->async_wait(asio::posix::stream_descriptor::wait_read, [this](const asio::error_code& ec) {
      if (ec == asio::error::operation_aborted) return;
      spdlog::warn("the client process {} has exited; devwatch is exiting too", pid_);
      on_gone_();
    });
    return;
  }
  if (errno == ESRCH) {
    method_ = "pidfd";
    spdlog::warn("the client process {} does not exist; devwatch is exiting", pid_);
    asio::post(io_, [this] { on_gone_(); });
    return;
  }
  // cppcheck-suppress useInitializationList ; the text is the outcome of the probe above
  method_ = std::string("polling once a second (pidfd_open failed: ") + std::strerror(errno) + ")";
#else
  // cppcheck-suppress useInitializationList ; the #ifdef above decides the text
  method_ = "polling once a second (no pidfd_open on this system)";
#endif
  spdlog::info("watching client process {} by {}", pid_, method_);
  poll_later();
}

ParentWatch::~ParentWatch() {
  asio::error_code ec;
  timer_.cancel();
  if (pidfd_) pidfd_->cancel(ec);
}

void ParentWatch::poll_later() {
  timer_.expires_after(std::chrono::seconds(1));
  timer_.async_wait([this](const asio::error_code& ec) {
    if (ec) return;
    if (::kill(pid_, 0) != 0 && errno == ESRCH) {
      spdlog::warn("the client process {} has exited; devwatch is exiting too", pid_);
      on_gone_();
      return;
    }
    poll_later();
  });
}

}  // namespace devwatch::session
