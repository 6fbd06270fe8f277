// Errors as values: every module boundary returns Result<T>; session/ maps an
// Error to a JSON-RPC error object in exactly one place (rpc/message.cpp).
// Thread-safe: plain values.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace devwatch {

// Codes -32768..-32000 are JSON-RPC's, -32899..-32800 are LSP's. Application
// errors live at 1000+ so they can never collide with either range.
enum class ErrorCode : int {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestCancelled = -32800,

  UnknownSubscription = 1001,
  UnknownServer = 1101,
  InvalidServerState = 1102,
  ExecFailed = 1103,
  Untrusted = 1104,
  ConfigInvalid = 1201,
  NotFound = 1301,
  Unsupported = 1302,
  WatchFailed = 1401,
};

const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::InternalError;
  std::string message;
  // Optional JSON-encoded `data` member for the JSON-RPC error (empty = none).
  std::string data_json;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message), {}};
}

// A minimal expected<T, Error>. std::expected is C++23; we target C++20.
template <class T>
class Result {
 public:
  // cppcheck-suppress noExplicitConstructor
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  // cppcheck-suppress noExplicitConstructor
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};

template <>
class Result<void> {
 public:
  Result() = default;
  // cppcheck-suppress noExplicitConstructor
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

}  // namespace devwatch
