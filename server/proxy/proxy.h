// The proxy in front of one dev server (docs/proxy.md): listens where
// "proxy.listen" says, forwards to the server's upstream port, holds
// requests while the server restarts, answers with the crash page while it
// is down, and tells pages to reload (live reload). The workspace's Root
// owns one per proxied server and feeds it the server's state changes.
// Threading: loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "proxy/hub.h"
#include "proxy/live_reload.h"
#include "supervise/spec.h"
#include "supervise/state_change.h"

namespace devwatch::proxy {

class Proxy {
 public:
  Proxy(asio::io_context& io, std::string server);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Binds the listener (again only when the address changed) and takes the
  // settings. A non-loopback address is allowed with a logged warning.
  Result<void> configure(const supervise::ProxySpec& spec, int upstream_port);
  // The server's state: Ready forwards (and releases held requests),
  // Starting/Stopping hold, Crashed/Backoff/Stopped answer `outage` pages.
  // `switched`: the server now listens on another port (pages reload).
  void server_state(supervise::ServerState state, const Outage& outage, bool switched = false);
  // The same from a state change, which also says where the server listens
  // (`port`) and, during an overlapped restart, where the old one still
  // serves (`serving_port`: forwarded there, nothing held).
  void server_state(const supervise::StateChange& change, const Outage& outage);
  // Files changed that did not restart the server (live reload only).
  void changed_without_restart(ChangeKind kind);

  // For DevServer::set_stop_gate: a restart's stop waits until the requests
  // the server is answering are answered (at most 500 ms); new ones are held.
  std::function<void(std::function<void()>)> stop_gate() const;
  // For DevServer::set_retire_gate: an overlapped restart's old server is
  // stopped once the requests it is answering are answered (at most 5 s);
  // new requests go to the new server meanwhile.
  std::function<void(int, std::function<void()>)> retire_gate() const;
  int upstream_port() const { return hub_->upstream_port; }

  std::string url() const;  // "http://127.0.0.1:8000/"
  int port() const { return port_; }
  const HubCounters& counters() const { return hub_->counters; }
  std::size_t pages() const { return hub_->streams.size(); }

 private:
  void accept();

  std::shared_ptr<Hub> hub_;
  std::shared_ptr<asio::ip::tcp::acceptor> acceptor_;
  std::string host_;
  int port_ = 0;
  Availability told_ = Availability::Waiting;  // what pages were last told to reload for
};

// The URL a browser should open for a server: its proxy when it has one,
// else its ready port; nullopt when neither is known.
std::optional<std::string> browser_url(const supervise::ServerSpec& spec);

}  // namespace devwatch::proxy
