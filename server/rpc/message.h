// JSON-RPC 2.0 messages: decoding a frame body into a request, notification
// or response, and encoding replies. encode_error() is the one place where an
// Error value becomes a JSON-RPC error object.
// Threading: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "common/json.h"

namespace devwatch::rpc {

enum class MessageKind { Request, Notification, Response };

struct Message {
  MessageKind kind = MessageKind::Notification;
  json id;             // requests and responses: an integer or a string
  std::string method;  // requests and notifications
  json params;         // null when absent
  json result;         // responses
  json error;          // responses that failed (null otherwise)
};

// A message that could not be decoded: the error and, when it could be read,
// the request id the error reply must carry (null otherwise).
struct DecodeFailure {
  Error error;
  json id;
};

// Decodes a frame body. On failure, says whether a reply is owed: JSON-RPC
// answers parse errors and invalid requests, even without an id (id null).
class Decoded {
 public:
  // cppcheck-suppress noExplicitConstructor
  Decoded(Message m) : message_(std::move(m)), ok_(true) {}       // NOLINT: implicit by design
  // cppcheck-suppress noExplicitConstructor
  Decoded(DecodeFailure f) : failure_(std::move(f)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  const Message& message() const { return message_; }
  Message& message() { return message_; }
  const DecodeFailure& failure() const { return failure_; }

 private:
  Message message_;
  DecodeFailure failure_;
  bool ok_;
};

Decoded decode_message(std::string_view body);

// A valid JSON-RPC id for LSP: an integer or a string.
bool is_valid_id(const json& id);

json encode_result(const json& id, json result);
json encode_error(const json& id, const Error& error);
json encode_notification(std::string_view method, json params);
json encode_request(const json& id, std::string_view method, json params);

// "Content-Length: N\r\n\r\n" + body.
std::string frame(const json& message);

// A short, loggable form of an id ("7", "\"abc\"").
std::string id_text(const json& id);

}  // namespace devwatch::rpc
