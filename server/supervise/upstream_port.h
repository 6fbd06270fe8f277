// Where a proxied server listens: a free loopback port given to it through
// a "{port}" placeholder in its command or $PORT, or the fixed port of its
// ready probe when its command names none (docs/proxy.md "Upstream port").
// The supervisor owns this because an overlapped restart gives each new
// group a port of its own.
// Threading: any; free_loopback_port binds a socket briefly.
#pragma once

#include <string>

#include "common/error.h"
#include "supervise/spec.h"

namespace devwatch::supervise {

// A port free on 127.0.0.1 now (bound to 0, read back, released).
Result<int> free_loopback_port();

// Whether the command (any argument, or the shell line) has "{port}".
bool has_port_placeholder(const ServerSpec& spec);

// Whether devwatch chooses the server's port: a "{port}" placeholder, or no
// fixed ready port (the server reads $PORT). False when the command listens
// on a fixed port its ready probe names.
bool port_is_ours(const ServerSpec& spec);

// Whether restarts of this server overlap (docs/proxy.md "Overlapped
// restarts"): it has a proxy with "overlap", devwatch chooses its port (a
// fresh one per start), and it is not preloaded (a zygote is built for one
// command line and environment, so a new port would make it start cold).
bool overlapped_restarts(const ServerSpec& spec);
// Why a spec that asks for overlapped restarts does not get them ("" when
// it does, or does not ask): said with each restart, never silently dropped.
std::string overlap_refusal(const ServerSpec& spec);

// Rewrites `spec` for its proxy and returns the upstream port: {port}
// replaced by `port`, $PORT set (unless the config sets it), and the ready
// probe pointed at that port when it names none. With no placeholder and a
// configured ready port, that port is the upstream.
int apply_upstream_port(ServerSpec& spec, int port);

}  // namespace devwatch::supervise
