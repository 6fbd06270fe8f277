// The proxy's part of choosing the upstream port: a server given the
// proxy's own listen port is moved off it (the rest is
// supervise/upstream_port.h).
// Threading: any.
#pragma once

#include "supervise/spec.h"

namespace devwatch::proxy {

// When the server would listen on the proxy's own port (a fixed "HOST:PORT"
// or "PORT" argument and ready probe, as for a detected runserver given
// `devwatch run --proxy` on that port), that argument becomes "{port}" and
// the ready probe follows the upstream port. True when it changed anything.
bool move_off_listen_port(supervise::ServerSpec& spec);

}  // namespace devwatch::proxy
