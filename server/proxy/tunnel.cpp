#include "proxy/tunnel.h"

#include <array>
#include <memory>

namespace devwatch::proxy {
namespace {

class Tunnel : public std::enable_shared_from_this<Tunnel> {
 public:
  Tunnel(asio::ip::tcp::socket client, asio::ip::tcp::socket server)
      : sockets_{std::move(client), std::move(server)} {}

  void start(std::string to_server, std::string to_client) {
    halves_[0].pending = std::move(to_server);  // half 0: client -> server
    halves_[1].pending = std::move(to_client);  // half 1: server -> client
    for (int i = 0; i < 2; ++i) write(i);
  }

 private:
  struct Half {
    std::array<char, std::size_t{64} * 1024> buffer{};
    std::string pending;
    bool done = false;
  };
  asio::ip::tcp::socket& from(int half) { return sockets_[half]; }
  asio::ip::tcp::socket& to(int half) { return sockets_[1 - half]; }

  void write(int half) {
    Half& h = halves_[half];
    if (h.pending.empty()) return read(half);
    asio::async_write(to(half), asio::buffer(h.pending), [self = shared_from_this(), half](std::error_code ec, std::size_t) {
      if (ec) return self->close_all();
      self->halves_[half].pending.clear();
      self->read(half);
    });
  }

  void read(int half) {
    from(half).async_read_some(asio::buffer(halves_[half].buffer), [self = shared_from_this(), half](std::error_code ec, std::size_t n) {
      if (ec) return self->finish(half);
      self->halves_[half].pending.assign(self->halves_[half].buffer.data(), n);
      self->write(half);
    });
  }

  void finish(int half) {
    halves_[half].done = true;
    std::error_code ignored;
    to(half).shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    if (halves_[0].done && halves_[1].done) close_all();
  }

  void close_all() {
    std::error_code ignored;
    for (auto& s : sockets_) s.close(ignored);
  }

  std::array<asio::ip::tcp::socket, 2> sockets_;
  std::array<Half, 2> halves_;
};

}  // namespace

void start_tunnel(asio::ip::tcp::socket client, asio::ip::tcp::socket server, std::string to_server,
                  std::string to_client) {
  auto tunnel = std::make_shared<Tunnel>(std::move(client), std::move(server));
  tunnel->start(std::move(to_server), std::move(to_client));
}

}  // namespace devwatch::proxy
