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

void Hub::close_all() {
  closed = true;
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
