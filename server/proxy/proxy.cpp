#include "proxy/proxy.h"

#include <spdlog/spdlog.h>

#include "proxy/connection.h"

namespace devwatch::proxy {
namespace {

std::string host_for_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// One accept at a time; the loop ends when the acceptor is closed (the
// proxy went away or moved to another address).
void accept_loop(const std::shared_ptr<Hub>& hub, const std::shared_ptr<asio::ip::tcp::acceptor>& acceptor) {
  acceptor->async_accept([hub, acceptor](std::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || hub->closed || !acceptor->is_open()) return;
    if (!ec) {
      ++hub->counters.accepted;
      std::erase_if(hub->connections, [](const auto& weak) { return weak.expired(); });
      auto conn = std::make_shared<Connection>(std::move(socket), hub);
      hub->connections.push_back(conn);
      conn->start();
    } else {
      spdlog::warn("proxy of {}: accept failed: {}", hub->server, ec.message());
    }
    accept_loop(hub, acceptor);
  });
}

}  // namespace

Proxy::Proxy(asio::io_context& io, std::string server) : hub_(std::make_shared<Hub>(io, std::move(server))) {}

Proxy::~Proxy() {
  if (acceptor_) {
    std::error_code ignored;
    acceptor_->close(ignored);
  }
  hub_->close_all();
}

Result<void> Proxy::configure(const supervise::ProxySpec& spec, int upstream_port) {
  // 0: the supervisor gives each start its port (overlap), told by server_state.
  if (upstream_port != 0) hub_->upstream_port = upstream_port;
  hub_->live_reload = spec.live_reload;
  hub_->hold_timeout = std::chrono::milliseconds(spec.hold_timeout_ms);
  if (acceptor_ && spec.listen_host == host_ && spec.listen_port == port_) return {};
  std::error_code ec;
  auto address = asio::ip::make_address(spec.listen_host, ec);
  std::string where = host_for_url(spec.listen_host) + ":" + std::to_string(spec.listen_port);
  if (ec) return make_error(ErrorCode::ConfigInvalid, "proxy.listen " + where + ": not an IP address");
  auto acceptor = std::make_shared<asio::ip::tcp::acceptor>(hub_->io);
  asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(spec.listen_port));
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::ExecFailed, "the proxy of " + hub_->server + " cannot listen on " + where + ": " +
                                                 ec.message() +
                                                 " (another program uses it? set \"proxy\": {\"listen\": ...} "
                                                 "to a free address)");
  }
  if (acceptor_) acceptor_->close(ec);
  acceptor_ = std::move(acceptor);
  host_ = spec.listen_host;
  port_ = acceptor_->local_endpoint().port();
  if (!address.is_loopback()) {
    spdlog::warn("the proxy of {} listens on {}: other machines can reach the dev server through it", hub_->server,
                 where);
  }
  if (upstream_port != 0) {
    spdlog::info("proxy for {} on {} -> 127.0.0.1:{}", hub_->server, url(), upstream_port);
  } else {
    spdlog::info("proxy for {} on {} -> a fresh port per start (overlapped restarts)", hub_->server, url());
  }
  accept();
  return {};
}

void Proxy::accept() { accept_loop(hub_, acceptor_); }

void Proxy::server_state(const supervise::StateChange& change, const Outage& outage) {
  using supervise::ServerState;
  if (change.serving_port && (change.state == ServerState::Starting || change.state == ServerState::Stopping)) {
    // An overlapped restart: the old server answers until the new is ready.
    hub_->upstream_port = *change.serving_port;
    hub_->availability = Availability::Up;
    hub_->release_held();
    return;
  }
  bool switched = false;
  if (change.port && change.state == ServerState::Ready) {
    switched = hub_->upstream_port != *change.port;
    hub_->upstream_port = *change.port;
  }
  server_state(change.state, outage, switched);
}

void Proxy::server_state(supervise::ServerState state, const Outage& outage, bool switched) {
  using supervise::ServerState;
  Availability now = Availability::Waiting;
  switch (state) {
    case ServerState::Ready: now = Availability::Up; break;
    case ServerState::Starting:
    case ServerState::Stopping: now = Availability::Waiting; break;
    case ServerState::Crashed:
    case ServerState::Backoff:
    case ServerState::Stopped: now = Availability::Down; break;
  }
  Availability before = hub_->availability;
  hub_->availability = now;
  if (now == Availability::Down) hub_->outage = outage;
  if (now != Availability::Waiting) hub_->release_held();
  // Pages reload when the server is back (new code), and once when it goes
  // down (to show the crash page) but not at every crash of a crash loop.
  bool reload = (now == Availability::Up && (before != Availability::Up || switched)) ||
                (now == Availability::Down && told_ != Availability::Down);
  if (now != Availability::Waiting) told_ = now;
  if (hub_->live_reload && reload) hub_->broadcast("reload");
}

void Proxy::changed_without_restart(ChangeKind kind) {
  if (!hub_->live_reload || kind == ChangeKind::None) return;
  hub_->broadcast(kind == ChangeKind::Css ? "css" : "reload");
}

std::function<void(std::function<void()>)> Proxy::stop_gate() const {
  return [weak = std::weak_ptr<Hub>(hub_)](std::function<void()> proceed) {
    auto hub = weak.lock();
    if (!hub) return proceed();
    hub->drain(std::move(proceed), std::chrono::milliseconds(500));
  };
}

std::function<void(int, std::function<void()>)> Proxy::retire_gate() const {
  return [weak = std::weak_ptr<Hub>(hub_)](int port, std::function<void()> proceed) {
    auto hub = weak.lock();
    if (!hub) return proceed();
    hub->drain_port(port, std::move(proceed), std::chrono::milliseconds(5000));
  };
}

std::string Proxy::url() const { return "http://" + host_for_url(host_) + ":" + std::to_string(port_) + "/"; }

std::optional<std::string> browser_url(const supervise::ServerSpec& spec) {
  if (spec.proxy.enabled()) {
    return "http://" + host_for_url(spec.proxy.listen_host) + ":" + std::to_string(spec.proxy.listen_port) + "/";
  }
  if (spec.ready.port) {
    return "http://" + spec.ready.host.value_or("127.0.0.1") + ":" + std::to_string(*spec.ready.port) + "/";
  }
  return std::nullopt;
}

}  // namespace devwatch::proxy
