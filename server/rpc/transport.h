// Moves framed messages between the event loop and a pair of file
// descriptors (stdin/stdout in editor mode). Bytes in, FrameEvents out; JSON
// in, frames out. Knows nothing of methods.
// Threading: everything runs on the io_context's thread.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <asio.hpp>

#include "common/json.h"
#include "rpc/framing.h"

namespace devwatch::rpc {

// What the session writes to; the in-memory implementation in tests records.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void send(const json& message) = 0;
  // Bytes accepted but not yet written: lets producers of bulk data (dev
  // server output) back off instead of growing the queue without bound.
  virtual std::size_t pending_bytes() const = 0;
};

struct TransportEvents {
  std::function<void(FrameEvent)> on_frame;
  std::function<void(const std::string& reason)> on_closed;  // EOF or read error
};

class StdioTransport final : public Sink {
 public:
  StdioTransport(asio::io_context& io, int in_fd, int out_fd, FrameLimits limits, TransportEvents events);
  ~StdioTransport() override;

  void start();
  void send(const json& message) override;
  std::size_t pending_bytes() const override { return pending_; }

  // Calls back once everything queued has been written (or writing failed):
  // on the way out, so the last replies are not lost when the process exits.
  void when_drained(std::function<void()> callback);

  // Stops reading (the read handler will not be called again).
  void stop_reading();

 private:
  void read_more();
  void write_more();
  void notify_drained();

  asio::posix::stream_descriptor in_;
  asio::posix::stream_descriptor out_;
  FrameReader reader_;
  TransportEvents events_;
  // Left uninitialised: read() fills it, and zeroing would fault in 64 KiB
  // that a quiet session never uses.
  std::array<char, std::size_t{64} * 1024> buffer_;
  std::deque<std::string> queue_;
  std::string writing_;  // the buffer of the write in flight
  std::size_t pending_ = 0;
  bool write_in_flight_ = false;
  bool write_failed_ = false;
  bool reading_ = true;
  std::vector<std::function<void()>> drained_;
};

}  // namespace devwatch::rpc
