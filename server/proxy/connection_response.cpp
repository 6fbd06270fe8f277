// The response half of a Connection: the server's head, the live-reload
// decision, the body streamed to the browser, keep-alive or close.
#include <spdlog/spdlog.h>

#include "proxy/connection.h"
#include "proxy/tunnel.h"

namespace devwatch::proxy {

void Connection::read_response_head() {
  if (closed_) return;
  if (auto size = head_size(from_upstream_)) {
    auto head = parse_response_head(std::string_view(from_upstream_).substr(0, *size));
    from_upstream_.erase(0, *size);
    if (!head) {
      body_sent_ = true;  // the server answered something: never retried
      return upstream_failed("invalid response head: " + head.error().message);
    }
    response_ = std::move(*head);
    return on_response();
  }
  if (from_upstream_.size() > kMaxHeadBytes) {
    body_sent_ = true;
    return upstream_failed("response head over 64 KiB");
  }
  upstream_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
    if (self->closed_) return;
    if (ec) {
      // Nothing came back: the server closed a kept-alive connection or died
      // with the request (a restart). Retried when safe (upstream_failed).
      return self->upstream_failed(self->from_upstream_.empty() ? "no response (" + ec.message() + ")"
                                                                : "response head cut off");
    }
    self->from_upstream_.append(self->read_buffer_.data(), n);
    self->read_response_head();
  });
}

void Connection::on_response() {
  body_sent_ = true;  // from here on the request is answered, not retried
  if (response_.status == 101) {
    // Upgraded (WebSocket): from now on bytes flow both ways untouched.
    std::string head = response_.serialize() + from_upstream_;
    in_flight_.reset();  // a WebSocket lives on: a restart does not wait for it
    start_tunnel(std::move(client_), std::move(upstream_), std::move(from_client_), std::move(head));
    return close();
  }
  if (response_.status < 200) {  // 100 Continue, 103 Early Hints: pass on, wait for the real one
    to_client_ = response_.serialize();
    asio::async_write(client_, asio::buffer(to_client_), [self = shared_from_this()](std::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->read_response_head();
    });
    return;
  }
  auto framing = response_framing(response_, request_.method);
  if (!framing) return upstream_failed("unusable response: " + framing.error().message);
  response_framing_ = *framing;
  injection_ = Injection{};
  if (hub_->live_reload) {
    injection_ = decide_injection(response_, request_.method);
    if (!injection_.inject && injection_.reason != "not HTML" && response_.find("Content-Type")) {
      spdlog::info("live reload: no script in {} {} of {}: {}", request_.method, request_.target, hub_->server,
                   injection_.reason);
    }
  }
  if (injection_.inject) {
    ++hub_->counters.injected;
    if (response_framing_.kind == BodyKind::Length) {
      response_.set("Content-Length", std::to_string(response_framing_.length + snippet().size()));
    }
  }
  bool client_keep = keep_alive(request_) && keep_alive(response_) && response_framing_.kind != BodyKind::UntilClose &&
                     request_framing_.kind != BodyKind::UntilClose;
  if (!client_keep && keep_alive(response_)) response_.set("Connection", "close");
  ++hub_->counters.forwarded;
  left_ = response_framing_.length;
  chunks_ = ChunkedTracker{};
  to_client_ = response_.serialize();
  asio::async_write(client_, asio::buffer(to_client_), [self = shared_from_this()](std::error_code ec, std::size_t) {
    if (ec) return self->close();
    self->pump_response();
  });
}

void Connection::pump_response() {
  if (closed_) return;
  const bool inject = injection_.inject;
  switch (response_framing_.kind) {
    case BodyKind::None: return finish_exchange();
    case BodyKind::Length: {
      if (left_ == 0 && !inject) return finish_exchange();
      auto take = static_cast<std::size_t>(std::min<std::uint64_t>(left_, from_upstream_.size()));
      if (take > 0 || left_ == 0) {
        std::string piece = from_upstream_.substr(0, take);
        from_upstream_.erase(0, take);
        left_ -= take;
        if (left_ == 0 && inject) piece += snippet();
        return write_response_piece(std::move(piece), left_ == 0);
      }
      break;
    }
    case BodyKind::Chunked: {
      auto step = chunks_.feed(from_upstream_);
      if (!chunks_.error().empty()) {
        spdlog::info("proxy {}: {} {}: chunked body broken: {}", hub_->server, request_.method, request_.target,
                     chunks_.error());
        return close();
      }
      if (step.consumed > 0) {
        std::string piece = from_upstream_.substr(0, step.consumed);
        from_upstream_.erase(0, step.consumed);
        if (inject && step.last_chunk_at) piece.insert(*step.last_chunk_at, encode_chunk(snippet()));
        return write_response_piece(std::move(piece), chunks_.done());
      }
      break;
    }
    case BodyKind::UntilClose:
      if (!from_upstream_.empty()) return write_response_piece(std::exchange(from_upstream_, {}), false);
      break;
  }
  upstream_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
    if (self->closed_) return;
    if (ec) {
      if (self->response_framing_.kind == BodyKind::UntilClose) {
        // The end of this body is the server closing: add the script, then close.
        std::string tail = self->injection_.inject ? std::string(snippet()) : "";
        self->injection_.inject = false;
        self->upstream_.close(ec);
        return self->write_response_piece(std::move(tail), true);
      }
      spdlog::info("proxy {}: {} {}: the server closed mid-body ({})", self->hub_->server, self->request_.method,
                   self->request_.target, ec.message());
      return self->close();
    }
    self->from_upstream_.append(self->read_buffer_.data(), n);
    self->pump_response();
  });
}

void Connection::write_response_piece(std::string piece, bool complete) {
  to_client_ = std::move(piece);
  asio::async_write(client_, asio::buffer(to_client_), [self = shared_from_this(), complete](std::error_code ec, std::size_t) {
    if (ec) return self->close();
    if (complete) return self->finish_exchange();
    self->pump_response();
  });
}

void Connection::finish_exchange() {
  in_flight_.reset();
  bool upstream_keep = keep_alive(response_) && response_framing_.kind != BodyKind::UntilClose;
  std::error_code ignored;
  if (!upstream_keep) upstream_.close(ignored);
  bool client_keep = keep_alive(request_) && keep_alive(response_) && response_framing_.kind != BodyKind::UntilClose;
  if (!client_keep) {
    client_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    return close();
  }
  read_request_head();
}

}  // namespace devwatch::proxy
