#include "proxy/hub.h"

#include <algorithm>

#include "proxy/connection.h"

namespace devwatch::proxy {

void Hub::release_held() {
  auto waiting = std::move(held);
  held.clear();
  for (auto& weak : waiting) {
    if (auto conn = weak.lock()) conn->resume();
  }
}

void Hub::broadcast(std::string_view event) {
  auto text = std::make_shared<std::string>("event: " + std::string(event) + "\ndata: {}\n\n");
  auto targets = streams;
  for (const auto& stream : targets) {
    stream->queue.push_back(text);
    if (!stream->writing) write_next(stream);
  }
}

void Hub::add_stream(asio::ip::tcp::socket socket) {
  auto stream = std::make_shared<Stream>(Stream{std::move(socket), {}, false, {}});
  streams.push_back(stream);
  // Pages never send anything; a read only tells when the page went away.
  stream->socket.async_read_some(asio::buffer(stream->sink), [self = shared_from_this(), stream](std::error_code, std::size_t) {
    if (!self->closed) self->drop(stream);
  });
}

void Hub::write_next(const std::shared_ptr<Stream>& stream) {
  if (stream->queue.empty()) {
    stream->writing = false;
    return;
  }
  stream->writing = true;
  auto text = stream->queue.front();
  stream->queue.erase(stream->queue.begin());
  asio::async_write(stream->socket, asio::buffer(*text), [self = shared_from_this(), stream, text](std::error_code ec, std::size_t) {
    if (self->closed) return;
    if (ec) return self->drop(stream);
    self->write_next(stream);
  });
}

void Hub::drop(const std::shared_ptr<Stream>& stream) {
  std::error_code ignored;
  stream->socket.close(ignored);
  std::erase(streams, stream);
}

std::shared_ptr<void> Hub::exchange_token(int port) {
  ++in_flight;
  ++in_flight_at[port];
  std::weak_ptr<Hub> weak = weak_from_this();
  return {nullptr, [weak, port](void*) {
            auto hub = weak.lock();
            if (!hub) return;
            if (hub->in_flight > 0) --hub->in_flight;
            auto at = hub->in_flight_at.find(port);
            if (at != hub->in_flight_at.end() && --at->second == 0) {
              hub->in_flight_at.erase(at);
              hub->run_port_drains(port, false);
            }
            if (hub->in_flight == 0 && !hub->drained.empty()) hub->run_drained();
          }};
}

void Hub::drain_port(int port, std::function<void()> proceed, std::chrono::milliseconds cap) {
  if (closed || in_flight_at.count(port) == 0) return proceed();
  auto timer = std::make_shared<asio::steady_timer>(io);
  port_drains_.push_back(PortDrain{port, std::move(proceed), timer});
  timer->expires_after(cap);
  timer->async_wait([weak = weak_from_this(), timer](std::error_code ec) {
    auto hub = weak.lock();
    if (ec || !hub) return;
    // The cap: a long response or stream from the old server is not waited for.
    auto it = std::find_if(hub->port_drains_.begin(), hub->port_drains_.end(),
                           [&](const PortDrain& d) { return d.timer == timer; });
    if (it == hub->port_drains_.end()) return;
    auto next = std::move(it->proceed);
    hub->port_drains_.erase(it);
    next();
  });
}

void Hub::run_port_drains(int port, bool all) {
  std::vector<std::function<void()>> ready;
  std::erase_if(port_drains_, [&](PortDrain& d) {
    if (!all && d.port != port) return false;
    d.timer->cancel();
    ready.push_back(std::move(d.proceed));
    return true;
  });
  for (const auto& proceed : ready) proceed();
}

void Hub::drain(std::function<void()> proceed, std::chrono::milliseconds cap) {
  availability = Availability::Waiting;
  if (in_flight == 0 || closed) return proceed();
  const bool first = drained.empty();
  drained.push_back(std::move(proceed));
  if (!first) return;
  drain_timer.expires_after(cap);
  drain_timer.async_wait([weak = weak_from_this()](std::error_code ec) {
    auto hub = weak.lock();
    if (!ec && hub) hub->run_drained();
  });
}

void Hub::run_drained() {
  auto waiting = std::move(drained);
  drained.clear();
  drain_timer.cancel();
  for (const auto& proceed : waiting) proceed();
}

void Hub::close_all() {
  closed = true;
  run_drained();
  run_port_drains(0, true);
  for (auto& weak : connections) {
    if (auto conn = weak.lock()) conn->close();
  }
  connections.clear();
  held.clear();
  for (const auto& stream : streams) {
    std::error_code ignored;
    stream->socket.close(ignored);
  }
  streams.clear();
}

}  // namespace devwatch::proxy
