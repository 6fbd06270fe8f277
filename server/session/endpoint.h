// The JSON-RPC endpoint: turns frame events into handler calls and replies
// into frames. It owns the lifecycle gate, the pending-request table (for
// $/cancelRequest and one-reply-per-request), requests the server sends to
// the client, and the trace log ("<-- method(id)", "--> reply(id) 3ms").
// Handlers live in the MethodTable; this class knows no method but the
// protocol's own ($/cancelRequest and the lifecycle's rules).
// Threading: loop thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "common/json.h"
#include "rpc/framing.h"
#include "rpc/message.h"
#include "rpc/transport.h"
#include "session/lifecycle.h"
#include "session/method_table.h"

namespace devwatch::session {

class Endpoint {
 public:
  Endpoint(rpc::Sink& sink, MethodTable& methods);

  void on_frame(rpc::FrameEvent event);

  void notify(std::string_view method, json params);
  // Sends a request to the client; `on_reply` gets the result or the error.
  using ClientReply = std::function<void(Result<json>)>;
  void request(std::string_view method, json params, ClientReply on_reply);

  Lifecycle& lifecycle() { return lifecycle_; }
  const Lifecycle& lifecycle() const { return lifecycle_; }
  std::size_t pending_requests() const { return pending_.size(); }
  rpc::Sink& sink() { return sink_; }

 private:
  void on_message(rpc::Message message);
  void on_request(rpc::Message message);
  void on_notification(const rpc::Message& message);
  void on_response(const rpc::Message& message);
  void cancel(const json& params);
  void send_reply(PendingRequest& request, const Result<json>& result);
  void send_error(const json& id, const Error& error);

  rpc::Sink& sink_;
  MethodTable& methods_;
  Lifecycle lifecycle_;
  // Keyed by the id's JSON text: 7 and "7" are different ids.
  std::map<std::string, std::weak_ptr<PendingRequest>> pending_;
  std::int64_t next_client_request_ = 1;
  std::map<std::int64_t, std::pair<std::string, ClientReply>> client_requests_;
  std::set<std::string, std::less<>> warned_;  // unknown notifications warned about once
};

}  // namespace devwatch::session
