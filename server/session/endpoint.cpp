#include "session/endpoint.h"

#include <spdlog/spdlog.h>

namespace devwatch::session {
namespace {

using Clock = std::chrono::steady_clock;

long long elapsed_ms(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

// The namespaces LSP defines its client-to-server notifications in
// (docs/protocol.md lists those devwatch ignores). $/ ones may be ignored by
// definition; for the others this is LSP's set, present and future.
bool in_lsp_namespace(std::string_view method) {
  for (std::string_view prefix : {"$/", "textDocument/", "notebookDocument/", "workspace/", "window/"}) {
    if (method.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

Endpoint::Endpoint(rpc::Sink& sink, MethodTable& methods) : sink_(sink), methods_(methods) {}

void Endpoint::on_frame(rpc::FrameEvent event) {
  if (event.is_error) {
    spdlog::error("framing error ({}): {}", rpc::frame_error_name(event.error), event.detail);
    if (event.error == rpc::FrameErrorKind::TooLarge) {
      json id = nullptr;
      if (event.sniffed_id) {
        if (auto parsed = parse_json(*event.sniffed_id)) id = std::move(*parsed);
      }
      send_error(id, make_error(ErrorCode::InvalidRequest, event.detail));
    } else {
      send_error(nullptr, make_error(ErrorCode::ParseError,
                                     std::string(rpc::frame_error_name(event.error)) + ": " + event.detail));
    }
    return;
  }
  auto decoded = rpc::decode_message(event.body);
  if (!decoded.ok()) {
    const auto& failure = decoded.failure();
    spdlog::error("bad message: {}", failure.error.message);
    send_error(failure.id, failure.error);
    return;
  }
  on_message(std::move(decoded.message()));
}

void Endpoint::on_message(rpc::Message message) {
  switch (message.kind) {
    case rpc::MessageKind::Request: return on_request(std::move(message));
    case rpc::MessageKind::Notification: return on_notification(message);
    case rpc::MessageKind::Response: return on_response(message);
  }
}

void Endpoint::on_request(rpc::Message message) {
  spdlog::trace("<-- {}({})", message.method, rpc::id_text(message.id));
  auto key = rpc::id_text(message.id);
  if (auto it = pending_.find(key); it != pending_.end() && !it->second.expired()) {
    // Answering would make two replies with one id; the client has a bug.
    send_error(message.id, make_error(ErrorCode::InvalidRequest,
                                      "request id " + key + " is already in use by a pending request"));
    return;
  }
  if (auto admitted = lifecycle_.admit_request(message.method); !admitted) {
    send_error(message.id, admitted.error());
    return;
  }
  const auto* handler = methods_.find_request(message.method);
  if (!handler) {
    send_error(message.id, make_error(ErrorCode::MethodNotFound, "unknown method '" + message.method + "'"));
    return;
  }
  auto pending = std::make_shared<PendingRequest>();
  pending->id = message.id;
  pending->method = message.method;
  pending->started = Clock::now();
  pending->send = [this](PendingRequest& request, const Result<json>& result) { send_reply(request, result); };
  pending_[key] = pending;
  // A handler that throws is a bug; it must not take the server down with it.
  try {
    (*handler)(message.params, Reply(pending));
  } catch (const std::exception& e) {
    spdlog::error("handler for '{}' threw: {}", message.method, e.what());
    Reply{pending}(make_error(ErrorCode::InternalError, std::string("internal error: ") + e.what()));
  }
}

void Endpoint::on_notification(const rpc::Message& message) {
  spdlog::trace("<-- {}", message.method);
  if (!lifecycle_.admit_notification(message.method)) {
    spdlog::debug("dropped notification '{}' (phase does not admit it)", message.method);
    return;
  }
  if (message.method == "$/cancelRequest") return cancel(message.params);
  const auto* handler = methods_.find_notification(message.method);
  if (!handler) {
    // Notifications have no reply. LSP's own (textDocument/didChange on every
    // keystroke, ...) are for features devwatch does not have: dropped quietly.
    // Others are a client's typo or extension: warned about once per method.
    if (in_lsp_namespace(message.method)) {
      spdlog::debug("LSP notification '{}' ignored (devwatch has no use for it)", message.method);
    } else if (warned_.insert(message.method).second) {
      spdlog::warn("unknown notification '{}' ignored (said once per method)", message.method);
    }
    return;
  }
  try {
    (*handler)(message.params);
  } catch (const std::exception& e) {
    spdlog::error("handler for notification '{}' threw: {}", message.method, e.what());
  }
}

void Endpoint::cancel(const json& params) {
  if (!params.is_object() || !params.contains("id") || !rpc::is_valid_id(params["id"])) {
    spdlog::warn("$/cancelRequest without a valid id ignored");
    return;
  }
  auto it = pending_.find(rpc::id_text(params["id"]));
  if (it == pending_.end()) return;  // already answered: nothing to cancel
  auto pending = it->second.lock();
  if (!pending || pending->answered) return;
  spdlog::debug("cancelling {}({})", pending->method, rpc::id_text(pending->id));
  Reply{pending}(make_error(ErrorCode::RequestCancelled, "request cancelled by the client"));
}

void Endpoint::on_response(const rpc::Message& message) {
  if (!message.id.is_number_integer()) {
    spdlog::warn("response with unknown id {} ignored", rpc::id_text(message.id));
    return;
  }
  auto it = client_requests_.find(message.id.get<std::int64_t>());
  if (it == client_requests_.end()) {
    spdlog::warn("response with unknown id {} ignored", rpc::id_text(message.id));
    return;
  }
  auto [method, callback] = std::move(it->second);
  client_requests_.erase(it);
  spdlog::trace("<-- reply {}({})", method, rpc::id_text(message.id));
  if (!callback) return;
  if (!message.error.is_null()) {
    std::string text = message.error.is_object() && message.error.contains("message") &&
                               message.error["message"].is_string()
                           ? message.error["message"].get<std::string>()
                           : dump_json(message.error);
    callback(make_error(ErrorCode::InternalError, method + " failed in the client: " + text));
  } else {
    callback(message.result);
  }
}

void Endpoint::send_reply(PendingRequest& request, const Result<json>& result) {
  pending_.erase(rpc::id_text(request.id));
  if (result) {
    spdlog::trace("--> reply {}({}) {}ms", request.method, rpc::id_text(request.id), elapsed_ms(request.started));
    sink_.send(rpc::encode_result(request.id, result.value()));
  } else {
    spdlog::trace("--> reply {}({}) {}ms error {}: {}", request.method, rpc::id_text(request.id),
                  elapsed_ms(request.started), static_cast<int>(result.error().code), result.error().message);
    sink_.send(rpc::encode_error(request.id, result.error()));
  }
}

void Endpoint::send_error(const json& id, const Error& error) {
  spdlog::trace("--> error({}) {}: {}", rpc::id_text(id), static_cast<int>(error.code), error.message);
  sink_.send(rpc::encode_error(id, error));
}

void Endpoint::notify(std::string_view method, json params) {
  spdlog::trace("--> {}", method);
  sink_.send(rpc::encode_notification(method, std::move(params)));
}

void Endpoint::request(std::string_view method, json params, ClientReply on_reply) {
  auto id = next_client_request_++;
  spdlog::trace("--> {}({})", method, id);
  client_requests_[id] = {std::string(method), std::move(on_reply)};
  sink_.send(rpc::encode_request(id, method, std::move(params)));
}

}  // namespace devwatch::session
