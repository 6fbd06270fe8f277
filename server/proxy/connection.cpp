#include "proxy/connection.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "proxy/tunnel.h"

namespace devwatch::proxy {
namespace {

constexpr auto kRetryInterval = std::chrono::milliseconds(20);

bool idempotent(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" || method == "DELETE" ||
         method == "TRACE";
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace

Connection::Connection(asio::ip::tcp::socket client, std::shared_ptr<Hub> hub)
    : client_(std::move(client)), upstream_(hub->io), hub_(std::move(hub)), timer_(hub_->io) {}

void Connection::start() {
  std::error_code ignored;
  client_.set_option(asio::ip::tcp::no_delay(true), ignored);
  read_request_head();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  holding_ = false;
  in_flight_.reset();
  std::error_code ignored;
  timer_.cancel();
  client_.close(ignored);
  upstream_.close(ignored);
}

void Connection::read_request_head() {
  if (closed_ || hub_->closed) return close();
  if (auto size = head_size(from_client_)) {
    auto head = parse_request_head(std::string_view(from_client_).substr(0, *size));
    from_client_.erase(0, *size);
    if (!head) return answer(bad_request_response(head.error().message), false);
    request_ = std::move(*head);
    return on_request();
  }
  if (from_client_.size() > kMaxHeadBytes) return answer(bad_request_response("request head over 64 KiB"), false);
  client_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
    if (ec) return self->close();  // the browser closed its idle connection: normal
    self->from_client_.append(self->read_buffer_.data(), n);
    self->read_request_head();
  });
}

void Connection::on_request() {
  auto framing = request_framing(request_);
  if (!framing) return answer(bad_request_response(framing.error().message), false);
  request_framing_ = *framing;
  body_sent_ = continue_sent_ = false;
  expects_continue_ = request_.has_token("Expect", "100-continue");
  deadline_ = Clock::now() + hub_->hold_timeout;
  if (path_of(request_.target).rfind("/__devwatch/", 0) == 0) return internal();
  dispatch();
}

void Connection::internal() {
  bool keep = keep_alive(request_) && request_framing_.kind == BodyKind::None;
  std::string path = path_of(request_.target);
  if (path == kScriptPath) return answer(script_response(keep), keep);
  if (path == kEventsPath) {
    to_client_ = events_response_head();
    asio::async_write(client_, asio::buffer(to_client_), [self = shared_from_this()](std::error_code ec, std::size_t) {
      if (ec || self->hub_->closed) return self->close();
      self->hub_->add_stream(std::move(self->client_));
      self->close();
    });
    return;
  }
  answer(not_found_response(keep), keep);
}

void Connection::dispatch() {
  if (closed_ || hub_->closed) return close();
  switch (hub_->availability) {
    case Availability::Up: return connect_upstream();
    case Availability::Waiting: ++hub_->counters.held; return hold(deadline_);
    case Availability::Down: return answer_outage();
  }
}

// Waits for the hub to change availability (resume) or for `until`: at the
// deadline a held request is answered 504; before it (a retry) it is tried again.
void Connection::hold(Clock::time_point until) {
  holding_ = true;
  hub_->held.push_back(weak_from_this());
  timer_.expires_at(std::min(until, deadline_));
  timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    if (ec || !self->holding_) return;
    self->holding_ = false;
    if (Clock::now() < self->deadline_) return self->dispatch();
    ++self->hub_->counters.timeouts;
    Outage o = self->hub_->outage;
    o.state = "not ready";
    o.reason = o.server + " was not ready within " + std::to_string(self->hub_->hold_timeout.count()) +
               " ms (proxy.holdTimeoutMs); see its output";
    self->answer(page_response(504, "not ready", o, false), false);
  });
}

void Connection::resume() {
  if (!holding_ || closed_) return;
  holding_ = false;
  timer_.cancel();
  dispatch();
}

void Connection::answer(std::string response, bool keep) {
  to_client_ = std::move(response);
  asio::async_write(client_, asio::buffer(to_client_), [self = shared_from_this(), keep](std::error_code ec, std::size_t) {
    if (ec || !keep) return self->close();
    self->read_request_head();
  });
}

void Connection::answer_outage() {
  ++hub_->counters.outage_pages;
  bool keep = keep_alive(request_) && request_framing_.kind == BodyKind::None;
  const std::string& state = hub_->outage.state;
  answer(page_response(503, state.empty() ? "unavailable" : state, hub_->outage, keep), keep);
}

void Connection::connect_upstream() {
  const int port = hub_->upstream_port;
  if (upstream_.is_open() && upstream_port_ != port) {
    // Kept alive to the server an overlapped restart replaced: the next
    // request goes to the new one.
    std::error_code ignored;
    upstream_.close(ignored);
  }
  in_flight_ = hub_->exchange_token(port);
  if (upstream_.is_open()) {
    upstream_reused_ = true;
    return send_request_head();
  }
  upstream_reused_ = false;
  upstream_port_ = port;
  asio::ip::tcp::endpoint to(asio::ip::address_v4::loopback(), static_cast<unsigned short>(port));
  upstream_.async_connect(to, [self = shared_from_this()](std::error_code ec) {
    if (self->closed_) return;
    if (ec) return self->upstream_failed("connect: " + ec.message());
    std::error_code ignored;
    self->upstream_.set_option(asio::ip::tcp::no_delay(true), ignored);
    self->send_request_head();
  });
}

bool Connection::retryable() const { return !body_sent_ && idempotent(request_.method); }

void Connection::upstream_failed(const std::string& what) {
  in_flight_.reset();
  std::error_code ignored;
  upstream_.close(ignored);
  from_upstream_.clear();
  if (retryable() && upstream_reused_) {
    // A kept-alive connection the server had closed (idle, or its process
    // was replaced): try a fresh one at once.
    upstream_reused_ = false;
    ++hub_->counters.retried;
    return dispatch();
  }
  if (retryable() && Clock::now() < deadline_) {
    // The server is restarting or not listening yet: wait for the next state
    // change, or retry shortly if devwatch still believes it is up.
    ++hub_->counters.retried;
    spdlog::debug("proxy {}: {} {}: {}; retrying", hub_->server, request_.method, request_.target, what);
    return hold(Clock::now() + kRetryInterval);
  }
  spdlog::info("proxy {}: {} {} failed: {}", hub_->server, request_.method, request_.target, what);
  Outage o = hub_->outage;
  o.state = "unreachable";
  o.reason = "the request could not be completed: " + what;
  answer(page_response(502, "bad gateway", o, false), false);
}

void Connection::send_request_head() {
  Head head = request_;
  if (hub_->live_reload && wants_html(head)) head.remove("Accept-Encoding");  // so the page can take the script
  if (expects_continue_) head.remove("Expect");  // answered here, below
  to_upstream_ = head.serialize();
  asio::async_write(upstream_, asio::buffer(to_upstream_), [self = shared_from_this()](std::error_code ec, std::size_t) {
    if (self->closed_) return;
    if (ec) return self->upstream_failed("write: " + ec.message());
    self->left_ = self->request_framing_.length;
    self->chunks_ = ChunkedTracker{};
    if (self->expects_continue_ && self->request_framing_.kind != BodyKind::None && !self->continue_sent_) {
      self->continue_sent_ = true;
      self->to_client_ = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(self->client_, asio::buffer(self->to_client_), [self](std::error_code e, std::size_t) {
        if (e) return self->close();
        self->pump_request();
      });
      return;
    }
    self->pump_request();
  });
}

void Connection::pump_request() {
  if (closed_) return;
  bool done = request_framing_.kind == BodyKind::None ||
              (request_framing_.kind == BodyKind::Length && left_ == 0) ||
              (request_framing_.kind == BodyKind::Chunked && chunks_.done());
  if (done) return read_response_head();
  std::size_t take = 0;
  if (request_framing_.kind == BodyKind::Length) {
    take = static_cast<std::size_t>(std::min<std::uint64_t>(left_, from_client_.size()));
    left_ -= take;
  } else {
    take = chunks_.feed(from_client_).consumed;
    if (!chunks_.error().empty()) return answer(bad_request_response(chunks_.error()), false);
  }
  if (take == 0) {
    client_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
      if (ec) return self->close();  // the client gave up mid-body
      self->from_client_.append(self->read_buffer_.data(), n);
      self->pump_request();
    });
    return;
  }
  to_upstream_ = from_client_.substr(0, take);
  from_client_.erase(0, take);
  body_sent_ = true;
  asio::async_write(upstream_, asio::buffer(to_upstream_), [self = shared_from_this()](std::error_code ec, std::size_t) {
    if (ec) return self->upstream_failed("write body: " + ec.message());
    self->pump_request();
  });
}

}  // namespace devwatch::proxy
