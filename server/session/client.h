// The one notifier: everything the server tells the client goes through
// here, typed (notify(const StateChanged&), show_message, log_message, ...).
// tell() logs a user-facing message and sends it once, as window/showMessage
// or window/logMessage, and marks the log record so the log forwarder does
// not send it a second time.
// Threading: loop thread only (already_told() is per thread, for the forwarder).
#pragma once

#include <functional>
#include <string>

#include <spdlog/spdlog.h>

#include "session/endpoint.h"
#include "session/protocol.h"

namespace devwatch::session {

class Client {
 public:
  explicit Client(Endpoint& endpoint) : endpoint_(endpoint) {}

  template <class Notification>
  void notify(const Notification& note) {
    endpoint_.notify(Notification::kMethod, to_json(note));
  }
  void show_message(MessageType type, std::string text) { notify(ShowMessage{type, std::move(text)}); }
  void log_message(MessageType type, std::string text) { notify(LogMessage{type, std::move(text)}); }
  // Logs `log_text` at `level` and tells the client `text` once: shown when
  // `show`, else as a log message (only warnings and errors; info is only logged).
  void tell(spdlog::level::level_enum level, const std::string& log_text, std::string text, bool show);
  // Asks the client for a work-done progress token; `answered(true)` once it
  // accepted, `answered(false)` if it refused (LSP: then no $/progress may use
  // the token). A client that never answers never calls back.
  void create_progress(const std::string& token, std::function<void(bool accepted)> answered);

  // Bytes queued for the client: bulk producers back off above a limit.
  std::size_t pending_bytes() const { return endpoint_.sink().pending_bytes(); }
  // True while tell() logs: the log forwarder must not forward that record.
  static bool already_told();

 private:
  Endpoint& endpoint_;
};

}  // namespace devwatch::session
