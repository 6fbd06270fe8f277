#include "rpc/message.h"

namespace devwatch::rpc {
namespace {

DecodeFailure invalid(std::string message, json id = nullptr) {
  return DecodeFailure{make_error(ErrorCode::InvalidRequest, std::move(message)), std::move(id)};
}

const char* type_name(const json& value) { return value.type_name(); }

}  // namespace

bool is_valid_id(const json& id) {
  return id.is_number_integer() || id.is_number_unsigned() || id.is_string();
}

Decoded decode_message(std::string_view body) {
  std::string parse_error;
  auto parsed = parse_json(body, &parse_error);
  if (!parsed) {
    if (body.empty()) parse_error = "empty message body";
    return DecodeFailure{make_error(ErrorCode::ParseError, "invalid JSON: " + parse_error), nullptr};
  }
  json& value = *parsed;
  if (value.is_array()) {
    // LSP never batches; a batch is answered with one error, not processed.
    return invalid("batch requests (JSON arrays) are not supported");
  }
  if (!value.is_object()) {
    return invalid(std::string("a message must be a JSON object, got ") + type_name(value));
  }
  // The id is read first so that later errors can still be addressed to it.
  json id = nullptr;
  bool has_id = value.contains("id");
  if (has_id) {
    if (!is_valid_id(value["id"])) {
      return invalid(std::string("'id' must be an integer or a string, got ") + type_name(value["id"]));
    }
    id = value["id"];
  }
  auto jsonrpc = value.find("jsonrpc");
  if (jsonrpc == value.end() || !jsonrpc->is_string() || *jsonrpc != "2.0") {
    return invalid("'jsonrpc' must be \"2.0\"", id);
  }
  Message message;
  auto method = value.find("method");
  if (method == value.end()) {
    if (!has_id) return invalid("a message needs a 'method' (request/notification) or an 'id' (response)");
    bool has_result = value.contains("result");
    bool has_error = value.contains("error");
    if (has_result == has_error) {
      return invalid("a response needs exactly one of 'result' and 'error'", id);
    }
    message.kind = MessageKind::Response;
    message.id = std::move(id);
    if (has_result) message.result = std::move(value["result"]);
    if (has_error) message.error = std::move(value["error"]);
    return message;
  }
  if (!method->is_string()) {
    return invalid(std::string("'method' must be a string, got ") + type_name(*method), id);
  }
  message.method = method->get<std::string>();
  auto params = value.find("params");
  // `"params": null` means no params: Emacs' jsonrpc.el and pygls send it for
  // requests and notifications without any (shutdown, exit, devwatch/status).
  if (params != value.end() && !params->is_null()) {
    if (!params->is_object() && !params->is_array()) {
      return invalid(std::string("'params' must be an object or an array, got ") + type_name(*params), id);
    }
    message.params = std::move(*params);
  }
  message.kind = has_id ? MessageKind::Request : MessageKind::Notification;
  message.id = std::move(id);
  return message;
}

json encode_result(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json encode_error(const json& id, const Error& error) {
  json object{{"code", static_cast<int>(error.code)}, {"message", error.message}};
  if (!error.data_json.empty()) {
    if (auto data = parse_json(error.data_json)) object["data"] = std::move(*data);
  }
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(object)}};
}

json encode_notification(std::string_view method, json params) {
  json message{{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) message["params"] = std::move(params);
  return message;
}

json encode_request(const json& id, std::string_view method, json params) {
  json message{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) message["params"] = std::move(params);
  return message;
}

std::string frame(const json& message) {
  std::string body = dump_json(message);
  std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

std::string id_text(const json& id) { return id.is_null() ? "null" : dump_json(id); }

}  // namespace devwatch::rpc
