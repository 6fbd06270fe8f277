// After a 101 Switching Protocols (WebSocket), the proxy only copies bytes:
// each direction reads into its own buffer and writes it out before reading
// again (bounded memory, backpressure for free); an end of input in one
// direction half-closes the other; both ends done closes both.
// Threading: loop thread only; the tunnel owns itself through its handlers.
#pragma once

#include <string>

#include "supervise/asio_include.h"

namespace devwatch::proxy {

// `to_server` and `to_client` are bytes already received that belong to the
// other side (read ahead of the upgrade).
void start_tunnel(asio::ip::tcp::socket client, asio::ip::tcp::socket server, std::string to_server,
                  std::string to_client);

}  // namespace devwatch::proxy
