#include "rpc/transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "rpc/message.h"

namespace devwatch::rpc {

StdioTransport::StdioTransport(asio::io_context& io, int in_fd, int out_fd, FrameLimits limits,
                               TransportEvents events)
    : in_(io), out_(io), reader_(limits), events_(std::move(events)) {
  // asio takes ownership of descriptors; give it duplicates so that closing
  // the transport never closes fd 0/1 from under the rest of the process.
  asio::error_code ec;
  in_.assign(::fcntl(in_fd, F_DUPFD_CLOEXEC, 3), ec);
  if (ec) spdlog::error("cannot use input fd {}: {}", in_fd, ec.message());
  out_.assign(::fcntl(out_fd, F_DUPFD_CLOEXEC, 3), ec);
  if (ec) spdlog::error("cannot use output fd {}: {}", out_fd, ec.message());
}

StdioTransport::~StdioTransport() = default;

void StdioTransport::start() { read_more(); }

void StdioTransport::stop_reading() {
  reading_ = false;
  asio::error_code ec;
  in_.cancel(ec);
}

void StdioTransport::read_more() {
  if (!reading_) return;
  in_.async_read_some(asio::buffer(buffer_), [this](const asio::error_code& ec, std::size_t n) {
    if (!reading_) return;
    if (ec) {
      reading_ = false;
      std::string reason = ec == asio::error::eof ? "end of input" : "read error: " + ec.message();
      if (reader_.mid_message()) reason += " " + reader_.describe_partial();
      if (events_.on_closed) events_.on_closed(reason);
      return;
    }
    std::vector<FrameEvent> frames;
    reader_.feed(std::string_view(buffer_.data(), n), frames);
    for (auto& frame_event : frames) {
      // on_frame may call stop_reading(); cppcheck cannot see through the callback.
      // cppcheck-suppress knownConditionTrueFalse
      if (!reading_) break;
      events_.on_frame(std::move(frame_event));
    }
    read_more();
  });
}

void StdioTransport::send(const json& message) {
  if (write_failed_) return;
  std::string bytes = frame(message);
  pending_ += bytes.size();
  queue_.push_back(std::move(bytes));
  write_more();
}

void StdioTransport::write_more() {
  if (write_in_flight_ || queue_.empty() || write_failed_) return;
  // Coalesce queued frames into one write: fewer syscalls under load.
  writing_.clear();
  while (!queue_.empty() && writing_.size() < std::size_t{1024} * 1024) {
    writing_ += queue_.front();
    queue_.pop_front();
  }
  write_in_flight_ = true;
  asio::async_write(out_, asio::buffer(writing_), [this](const asio::error_code& ec, std::size_t n) {
    write_in_flight_ = false;
    pending_ -= std::min(pending_, n);
    if (ec) {
      // The client is gone; nothing more can be said to it. Input EOF follows.
      write_failed_ = true;
      spdlog::error("cannot write to the client: {}", ec.message());
      queue_.clear();
      pending_ = 0;
      notify_drained();
      return;
    }
    write_more();
    if (!write_in_flight_) notify_drained();
  });
}

void StdioTransport::when_drained(std::function<void()> callback) {
  drained_.push_back(std::move(callback));
  if (!write_in_flight_ && queue_.empty()) notify_drained();
}

void StdioTransport::notify_drained() {
  auto callbacks = std::move(drained_);
  drained_.clear();
  for (const auto& callback : callbacks) callback();
}

}  // namespace devwatch::rpc
