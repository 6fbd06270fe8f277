#include "supervise/upstream_port.h"

#include "supervise/asio_include.h"

namespace devwatch::supervise {

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

bool has_port_placeholder(const ServerSpec& spec) {
  for (const auto& arg : spec.command) {
    if (arg.find("{port}") != std::string::npos) return true;
  }
  return false;
}

bool port_is_ours(const ServerSpec& spec) { return has_port_placeholder(spec) || !spec.ready.port; }

bool overlapped_restarts(const ServerSpec& spec) {
  return spec.proxy.enabled() && spec.proxy.overlap && port_is_ours(spec) && !spec.preload.enabled;
}

std::string overlap_refusal(const ServerSpec& spec) {
  if (!spec.proxy.overlap || overlapped_restarts(spec)) return "";
  if (!spec.proxy.enabled()) return "not overlapped: overlap needs a proxy";
  if (spec.preload.enabled) return "not overlapped: preload is on (a zygote is built for one port)";
  return "not overlapped: the command listens on the fixed port " + std::to_string(spec.ready.port.value_or(0)) +
         " (give it {port} or $PORT)";
}

int apply_upstream_port(ServerSpec& spec, int port) {
  if (!port_is_ours(spec)) {
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

}  // namespace devwatch::supervise
