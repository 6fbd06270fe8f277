// One browser (client) connection through the proxy: reads each request
// head, waits while the dev server is not ready (held, up to the hold
// timeout), forwards the request to the server and streams bodies both ways
// through one 64 KiB buffer per direction (never a whole body), appends the
// live-reload snippet to HTML pages, and hands upgraded connections
// (WebSocket) to a tunnel. A request that never reached the server, or got
// no answer from a server that went away, is retried once it is ready again
// when it is idempotent and none of its body was sent.
// Threading: loop thread only; owned by its own handlers (shared_from_this).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "proxy/chunked.h"
#include "proxy/http_head.h"
#include "proxy/hub.h"
#include "proxy/live_reload.h"

namespace devwatch::proxy {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::ip::tcp::socket client, std::shared_ptr<Hub> hub);
  void start();
  // The hub's availability changed while this connection was held.
  void resume();
  void close();

 private:
  using Clock = std::chrono::steady_clock;
  void read_request_head();
  void on_request();
  void internal();
  void dispatch();
  void hold(Clock::time_point until);
  void answer(std::string response, bool keep);
  void answer_outage();
  void connect_upstream();
  void send_request_head();
  void pump_request();
  void read_response_head();
  void on_response();
  void pump_response();
  void write_response_piece(std::string piece, bool complete);
  void finish_exchange();
  void upstream_failed(const std::string& what);
  bool retryable() const;

  asio::ip::tcp::socket client_;
  asio::ip::tcp::socket upstream_;
  std::shared_ptr<Hub> hub_;
  asio::steady_timer timer_;
  // Uninitialised on purpose: read() fills it; zeroing faulted in 64 KiB
  // per connection.
  std::array<char, std::size_t{64} * 1024> read_buffer_;
  std::string from_client_, from_upstream_;  // received, not yet forwarded
  std::string to_upstream_, to_client_;      // being written
  Head request_, response_;
  Framing request_framing_, response_framing_;
  ChunkedTracker chunks_;
  std::uint64_t left_ = 0;
  Injection injection_;
  Clock::time_point deadline_;
  bool holding_ = false;
  bool upstream_reused_ = false;
  int upstream_port_ = 0;  // where upstream_ is connected: an overlapped restart moves the server
  bool body_sent_ = false;      // some request body bytes reached the server
  bool continue_sent_ = false;  // answered Expect: 100-continue ourselves
  bool expects_continue_ = false;
  bool closed_ = false;
  std::shared_ptr<void> in_flight_;  // held while the server has this exchange
};

}  // namespace devwatch::proxy
