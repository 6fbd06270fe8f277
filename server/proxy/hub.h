// What every connection of one proxy shares: the dev server's upstream port
// and availability, the connections held until it is ready, the pages'
// event streams, and the settings. Connections keep the Hub alive through a
// shared_ptr, so a Proxy can go away while their handlers are still queued;
// `closed` tells them to stop.
// Threading: loop thread only.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/pages.h"
#include "supervise/asio_include.h"

namespace devwatch::proxy {

class Connection;

enum class Availability { Up, Waiting, Down };

struct HubCounters {
  std::uint64_t accepted = 0, forwarded = 0, held = 0, retried = 0, outage_pages = 0, timeouts = 0, injected = 0;
};

struct Hub : std::enable_shared_from_this<Hub> {
  explicit Hub(asio::io_context& io_context, std::string name)
      : io(io_context), server(std::move(name)), drain_timer(io_context) {}
  // A restart waiting on this hub's drain must still get its stop.
  ~Hub() {
    run_drained();
    run_port_drains(0, true);
  }
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  asio::io_context& io;
  std::string server;
  int upstream_port = 0;
  bool live_reload = false;
  std::chrono::milliseconds hold_timeout{30000};
  Availability availability = Availability::Waiting;
  Outage outage;
  bool closed = false;
  HubCounters counters;

  std::vector<std::weak_ptr<Connection>> held;  // waiting for availability to change
  // Exchanges forwarded to the server and not yet answered in full: a
  // restart's stop waits for them (drain), so no response is cut mid-body.
  std::size_t in_flight = 0;
  std::map<int, std::size_t> in_flight_at;  // the same, by upstream port
  std::vector<std::function<void()>> drained;
  asio::steady_timer drain_timer;
  std::vector<std::weak_ptr<Connection>> connections;
  struct Stream {
    asio::ip::tcp::socket socket;
    std::vector<std::shared_ptr<std::string>> queue;  // events not yet written
    bool writing = false;
    std::array<char, 512> sink{};
  };
  std::vector<std::shared_ptr<Stream>> streams;  // Server-Sent Events to pages

  // Wakes every held connection (each re-dispatches on the new availability).
  void release_held();
  // Sends one named event to every page.
  void broadcast(std::string_view event);
  // Takes over a page's event stream (its response head already written).
  void add_stream(asio::ip::tcp::socket socket);
  // Closes every connection and stream.
  void close_all();
  // Counts one exchange with the server on `port` as in flight until the
  // token is dropped.
  std::shared_ptr<void> exchange_token(int port);
  // Holds new requests from now on and calls `proceed` once no exchange is
  // in flight, or after `cap` (a long upload or stream is not waited for).
  void drain(std::function<void()> proceed, std::chrono::milliseconds cap);
  void run_drained();
  // An overlapped restart's old server: calls `proceed` once no exchange
  // with `port` is in flight, or after `cap`. New requests are not held:
  // they go to the new server already.
  void drain_port(int port, std::function<void()> proceed, std::chrono::milliseconds cap);

 private:
  struct PortDrain {
    int port;
    std::function<void()> proceed;
    std::shared_ptr<asio::steady_timer> timer;
  };
  std::vector<PortDrain> port_drains_;
  void run_port_drains(int port, bool all);

  void write_next(const std::shared_ptr<Stream>& stream);
  void drop(const std::shared_ptr<Stream>& stream);
};

}  // namespace devwatch::proxy
