#include "proxy/upstream.h"

#include "supervise/upstream_port.h"

namespace devwatch::proxy {

bool move_off_listen_port(supervise::ServerSpec& spec) {
  if (!spec.proxy.enabled() || supervise::has_port_placeholder(spec) || !spec.ready.port ||
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

}  // namespace devwatch::proxy
