// The proxy on a real loop with real sockets: an upstream stand-in that
// answers canned responses, and clients that read until a response is whole.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>

#include "proxy/chunked.h"
#include "proxy/proxy.h"
#include "supervise/upstream_port.h"
#include "support/run_loop.h"

using namespace devwatch;
using asio::ip::tcp;

namespace {

// Answers every request head with respond(head); echoes after a 101.
class Upstream {
 public:
  Upstream(asio::io_context& io, std::function<std::string(const proxy::Head&)> respond, int port = 0)
      : acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), static_cast<unsigned short>(port))),
        respond_(std::move(respond)) {
    accept();
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  int requests = 0;
  // Writes more of the response on the connection that got the last request.
  void send(std::string text) {
    auto c = last_;
    c->out = std::move(text);
    asio::async_write(c->socket, asio::buffer(c->out), [](std::error_code, std::size_t) {});
  }

 private:
  struct Conn {
    explicit Conn(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::string in, out;
    std::array<char, 4096> buf{};
    bool echo = false;
  };
  void accept() {
    acceptor_.async_accept([this](std::error_code ec, tcp::socket s) {
      if (ec) return;
      auto c = std::make_shared<Conn>(std::move(s));
      read(c);
      accept();
    });
  }
  void read(const std::shared_ptr<Conn>& c) {
    c->socket.async_read_some(asio::buffer(c->buf), [this, c](std::error_code ec, std::size_t n) {
      if (ec) return;
      c->in.append(c->buf.data(), n);
      if (c->echo) {
        c->out = std::exchange(c->in, {});
        return asio::async_write(c->socket, asio::buffer(c->out), [this, c](std::error_code, std::size_t) { read(c); });
      }
      auto size = proxy::head_size(c->in);
      if (!size) return read(c);
      auto head = proxy::parse_request_head(c->in.substr(0, *size));
      c->in.erase(0, *size);
      ++requests;
      last_ = c;
      c->out = respond_(*head);
      c->echo = c->out.rfind("HTTP/1.1 101", 0) == 0;
      asio::async_write(c->socket, asio::buffer(c->out), [this, c](std::error_code e, std::size_t) {
        if (!e) read(c);
      });
    });
  }
  tcp::acceptor acceptor_;
  std::function<std::string(const proxy::Head&)> respond_;
  std::shared_ptr<Conn> last_;
};

// Sends `request` to the proxy and collects bytes until `whole` holds.
struct Client {
  Client(asio::io_context& io, int port, std::string request) : socket(io), out(std::move(request)) {
    socket.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), static_cast<unsigned short>(port)),
                         [this](std::error_code ec) {
                           if (ec) return fail(ec);
                           asio::async_write(socket, asio::buffer(out), [this](std::error_code e, std::size_t) {
                             if (e) return fail(e);
                             read();
                           });
                         });
  }
  // Another request on the same (kept-alive) connection.
  void send(std::string request) {
    out = std::move(request);
    asio::async_write(socket, asio::buffer(out), [this](std::error_code e, std::size_t) {
      if (e) fail(e);
    });
  }
  void read() {
    socket.async_read_some(asio::buffer(buf), [this](std::error_code ec, std::size_t n) {
      if (ec) return fail(ec);
      in.append(buf.data(), n);
      read();
    });
  }
  void fail(std::error_code ec) {
    ended = true;
    error = ec;
  }
  tcp::socket socket;
  std::string out, in;
  std::array<char, 4096> buf{};
  bool ended = false;
  std::error_code error;
};

std::string ok(const std::string& type, const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

supervise::ProxySpec spec(bool live_reload = false) {
  supervise::ProxySpec s;
  s.listen_host = "127.0.0.1";
  s.listen_port = 0;  // tests take any free port (the config refuses 0)
  s.live_reload = live_reload;
  return s;
}

const char* kGet = "GET /page HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n";

bool has(const Client& c, const std::string& text) { return c.in.find(text) != std::string::npos; }

}  // namespace

TEST_CASE("a request while the server starts is held, then forwarded once it is ready") {
  asio::io_context io;
  Upstream upstream(io, [](const proxy::Head&) { return ok("text/plain", "hello from upstream"); });
  proxy::Proxy p(io, "web");
  REQUIRE(p.configure(spec(), upstream.port()));
  Client client(io, p.port(), kGet);
  REQUIRE(testing::run_until(io, [&] { return p.counters().held == 1; }));
  CHECK(client.in.empty());
  CHECK(upstream.requests == 0);
  p.server_state(supervise::ServerState::Ready, {});
  REQUIRE(testing::run_until(io, [&] { return has(client, "hello from upstream"); }));
  CHECK(client.in.rfind("HTTP/1.1 200 OK", 0) == 0);
}

TEST_CASE("a crashed server gets the crash page with reason and frame, and requests flow again when ready") {
  asio::io_context io;
  Upstream upstream(io, [](const proxy::Head&) { return ok("text/plain", "back"); });
  proxy::Proxy p(io, "web");
  REQUIRE(p.configure(spec(), upstream.port()));
  p.server_state(supervise::ServerState::Crashed,
                 proxy::Outage{"web", "crashed", "web crashed (exit 1)", "NameError: name 'x' is not defined",
                               "/ws/blog/views.py:7"});
  Client crashed(io, p.port(), kGet);
  REQUIRE(testing::run_until(io, [&] { return has(crashed, "</html>"); }));
  CHECK(crashed.in.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(has(crashed, "NameError: name 'x' is not defined"));
  CHECK(has(crashed, "/ws/blog/views.py:7"));
  CHECK(has(crashed, proxy::kScriptPath.data()));  // reloads itself
  p.server_state(supervise::ServerState::Ready, {});
  Client again(io, p.port(), kGet);
  REQUIRE(testing::run_until(io, [&] { return has(again, "back"); }));
}

TEST_CASE("live reload appends the script to an HTML page and fixes its Content-Length") {
  asio::io_context io;
  Upstream upstream(io, [](const proxy::Head& h) {
    CHECK(h.find("Accept-Encoding") == nullptr);  // dropped for pages
    return ok("text/html", "<html><body>hi</body></html>");
  });
  proxy::Proxy p(io, "web");
  REQUIRE(p.configure(spec(true), upstream.port()));
  p.server_state(supervise::ServerState::Ready, {});
  Client client(io, p.port(), "GET / HTTP/1.1\r\nAccept: text/html\r\nAccept-Encoding: gzip\r\n\r\n");
  std::string body = "<html><body>hi</body></html>" + std::string(proxy::snippet());
  REQUIRE(testing::run_until(io, [&] { return has(client, body); }));
  CHECK(has(client, "Content-Length: " + std::to_string(body.size()) + "\r\n"));
}

TEST_CASE("live reload puts the script in a chunk of its own before the last chunk") {
  asio::io_context io;
  Upstream upstream(io, [](const proxy::Head&) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\nhello\r\n0\r\n\r\n");
  });
  proxy::Proxy p(io, "web");
  REQUIRE(p.configure(spec(true), upstream.port()));
  p.server_state(supervise::ServerState::Ready, {});
  Client client(io, p.port(), kGet);
  std::string want = "5\r\nhello\r\n" + proxy::encode_chunk(proxy::snippet()) + "0\r\n\r\n";
  REQUIRE(testing::run_until(io, [&] { return has(client, want); }));
}

TEST_CASE("a refused connection while the server counts as ready is retried until it listens") {
  asio::io_context io;
  auto port = supervise::free_loopback_port();
  REQUIRE(port);
  proxy::Proxy p(io, "web");
  REQUIRE(p.configure(spec(), *port));
  p.server_state(supervise::ServerState::Ready, {});
  Client client(io, p.port(), kGet);
  REQUIRE(testing::run_until(io, [&] { return p.counters().retried >= 2; }));
  CHECK(client.in.empty());
  Upstream upstream(io, [](const proxy::Head&) { return ok("text/plain", "late"); }, *port);
  REQUIRE(testing::run_until(io, [&] { return has(client, "late"); }));
}

TEST_CASE("an upgraded connection is a tunnel both ways") {
  asio::io_context io;
  Upstream upstream(io, [](const proxy::Head& h) {
    CHECK(h.has_token("Connection", "upgrade"));
    return std::string("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  });
  proxy::Proxy p(io, "web");
  REQUIRE(p.configure(spec(), upstream.port()));
  p.server_state(supervise::ServerState::Ready, {});
  Client client(io, p.port(), "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nping-bytes");
  REQUIRE(testing::run_until(io, [&] { return has(client, "ping-bytes"); }));
  CHECK(client.in.rfind("HTTP/1.1 101", 0) == 0);
}

TEST_CASE("pages get reload events on the event stream when the server is ready again") {
  asio::io_context io;
  Upstream upstream(io, [](const proxy::Head&) { return ok("text/plain", "x"); });
  proxy::Proxy p(io, "web");
  REQUIRE(p.configure(spec(true), upstream.port()));
  p.server_state(supervise::ServerState::Ready, {});
  Client page(io, p.port(), "GET /__devwatch/events HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n");
  REQUIRE(testing::run_until(io, [&] { return p.pages() == 1; }));
  p.server_state(supervise::ServerState::Stopping, {});
  p.server_state(supervise::ServerState::Starting, {});
  p.server_state(supervise::ServerState::Ready, {});
  REQUIRE(testing::run_until(io, [&] { return has(page, "event: reload\n"); }));
  p.changed_without_restart(proxy::ChangeKind::Css);
  REQUIRE(testing::run_until(io, [&] { return has(page, "event: css\n"); }));
}

TEST_CASE("a request held longer than the hold timeout gets a 504 page saying why") {
  asio::io_context io;
  Upstream upstream(io, [](const proxy::Head&) { return ok("text/plain", "never"); });
  proxy::Proxy p(io, "web");
  auto s = spec();
  s.hold_timeout_ms = 100;
  REQUIRE(p.configure(s, upstream.port()));
  Client client(io, p.port(), kGet);  // the server never becomes ready
  REQUIRE(testing::run_until(io, [&] { return has(client, "</html>"); }));
  CHECK(client.in.rfind("HTTP/1.1 504", 0) == 0);
  CHECK(has(client, "proxy.holdTimeoutMs"));
  CHECK(p.counters().timeouts == 1);
  CHECK(upstream.requests == 0);
}

namespace {

supervise::StateChange state(supervise::ServerState s, std::optional<int> port, std::optional<int> serving = {}) {
  supervise::StateChange c;
  c.name = "web";
  c.state = s;
  c.port = port;
  c.serving_port = serving;
  return c;
}

const char* kKeepAliveGet = "GET /page HTTP/1.1\r\nHost: x\r\n\r\n";

}  // namespace

TEST_CASE("an overlapped restart: the old server answers while the new one starts, then the new one does") {
  asio::io_context io;
  Upstream old_server(io, [](const proxy::Head&) { return ok("text/plain", "old"); });
  Upstream new_server(io, [](const proxy::Head&) { return ok("text/plain", "new"); });
  proxy::Proxy p(io, "web");
  REQUIRE(p.configure(spec(), 0));  // 0: each start's port comes with its state
  p.server_state(state(supervise::ServerState::Ready, old_server.port()), {});
  Client kept(io, p.port(), kKeepAliveGet);
  REQUIRE(testing::run_until(io, [&] { return has(kept, "old"); }));

  // The new server is starting: requests go to the old one, none is held.
  p.server_state(state(supervise::ServerState::Starting, new_server.port(), old_server.port()), {});
  Client during(io, p.port(), kGet);
  REQUIRE(testing::run_until(io, [&] { return has(during, "old"); }));
  CHECK(p.counters().held == 0);

  // Switched: new connections and the kept-alive one both reach the new server.
  p.server_state(state(supervise::ServerState::Ready, new_server.port()), {});
  Client after(io, p.port(), kGet);
  REQUIRE(testing::run_until(io, [&] { return has(after, "new"); }));
  kept.in.clear();
  kept.send(kKeepAliveGet);
  REQUIRE(testing::run_until(io, [&] { return has(kept, "new"); }));
  CHECK(old_server.requests == 2);
  CHECK(new_server.requests == 2);
  CHECK(p.counters().held == 0);
}

TEST_CASE("the old server of an overlapped restart is retired only once its answer in flight is complete") {
  asio::io_context io;
  Upstream old_server(io, [](const proxy::Head&) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");  // the rest comes later
  });
  Upstream new_server(io, [](const proxy::Head&) { return ok("text/plain", "new"); });
  proxy::Proxy p(io, "web");
  REQUIRE(p.configure(spec(), 0));
  p.server_state(state(supervise::ServerState::Ready, old_server.port()), {});
  Client slow(io, p.port(), kGet);
  REQUIRE(testing::run_until(io, [&] { return has(slow, "hello"); }));

  p.server_state(state(supervise::ServerState::Ready, new_server.port()), {});
  bool retired = false;
  p.retire_gate()(old_server.port(), [&] { retired = true; });
  // New requests are served by the new server meanwhile, not held.
  Client fresh(io, p.port(), kGet);
  REQUIRE(testing::run_until(io, [&] { return has(fresh, "new"); }));
  CHECK_FALSE(retired);
  old_server.send("world");
  REQUIRE(testing::run_until(io, [&] { return retired; }));
  CHECK(has(slow, "helloworld"));
}
