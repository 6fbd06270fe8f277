#include "proxy/upstream.h"

#include "supervise/asio_include.h"

namespace devwatch::proxy {

Result<int> free_loopback_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io);
  std::error_code ec;
  asio::ip::tcp::endpoint any(asio::ip::address_v4::loopback(), 0);
  acceptor.open(any.protocol(), ec);
  if (!ec) acceptor.bind(any, ec);
  if (ec) return make_error(ErrorCode::ExecFailed, "no free port on 127.0.0.1 for the dev server: " + ec.message());
  return static_cast<int>(acceptor.local_endpoint().port());
}

bool has_port_placeholder(const supervise::ServerSpec& spec) {
  for (const auto& arg : spec.command) {
    if (arg.find("{port}") != std::string::npos) return true;
  }
  return false;
}

bool move_off_listen_port(supervise::ServerSpec& spec) {
  if (!spec.proxy.enabled() || has_port_placeholder(spec) || !spec.ready.port ||
      *spec.ready.port != spec.proxy.listen_port) {
    return false;
  }
  const std::string port = std::to_string(spec.proxy.listen_port);
  bool moved = false;
  for (auto& arg : spec.command) {
    if (arg == port) {
      arg = "{port}";
      moved = true;
    } else if (arg.size() > port.size() && arg.compare(arg.size() - port.size() - 1, std::string::npos, ":" + port) == 0) {
      arg.replace(arg.size() - port.size(), port.size(), "{port}");
      moved = true;
    }
  }
  if (moved) spec.ready.port.reset();
  return moved;
}

int apply_upstream_port(supervise::ServerSpec& spec, int port) {
  if (!has_port_placeholder(spec) && spec.ready.port) {
    port = *spec.ready.port;
  } else {
    for (auto& arg : spec.command) {
      for (auto at = arg.find("{port}"); at != std::string::npos; at = arg.find("{port}", at)) {
        arg.replace(at, 6, std::to_string(port));
      }
    }
    if (!spec.ready.port) spec.ready.port = port;
  }
  spec.env.try_emplace("PORT", std::to_string(port));
  return port;
}

}  // namespace devwatch::proxy
