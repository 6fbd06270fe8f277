// Where the proxied server listens: a free loopback port given to it through
// a "{port}" placeholder in its command or $PORT, or the fixed port of its
// ready probe when its command names none (docs/proxy.md "Upstream port").
// Threading: any; upstream_port_for binds a socket briefly.
#pragma once

#include "common/error.h"
#include "supervise/spec.h"

namespace devwatch::proxy {

// A port free on 127.0.0.1 now (bound to 0, read back, released).
Result<int> free_loopback_port();

// Whether the command (any argument, or the shell line) has "{port}".
bool has_port_placeholder(const supervise::ServerSpec& spec);

// Rewrites `spec` for its proxy and returns the upstream port: {port}
// replaced by `port`, $PORT set (unless the config sets it), and the ready
// probe pointed at that port when it names none. With no placeholder and a
// configured ready port, that port is the upstream.
int apply_upstream_port(supervise::ServerSpec& spec, int port);

// When the server would listen on the proxy's own port (a fixed "HOST:PORT"
// or "PORT" argument and ready probe, as for a detected runserver given
// `devwatch run --proxy` on that port), that argument becomes "{port}" and
// the ready probe follows the upstream port. True when it changed anything.
bool move_off_listen_port(supervise::ServerSpec& spec);

}  // namespace devwatch::proxy
