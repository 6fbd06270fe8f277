#include "session/lifecycle.h"

#include <string>

namespace devwatch::session {

Result<void> Lifecycle::admit_request(std::string_view method) const {
  switch (phase_) {
    case Phase::Uninitialized:
      if (method == "initialize") return {};
      return make_error(ErrorCode::ServerNotInitialized,
                        "the server is not initialized yet: send 'initialize' first (got '" +
                            std::string(method) + "')");
    case Phase::Running:
      if (method == "initialize") {
        return make_error(ErrorCode::InvalidRequest, "'initialize' may only be sent once");
      }
      return {};
    case Phase::ShutDown:
      return make_error(ErrorCode::InvalidRequest, "the server is shutting down: only the 'exit' "
                                                   "notification is accepted after 'shutdown' (got '" +
                                                       std::string(method) + "')");
  }
  return {};
}

bool Lifecycle::admit_notification(std::string_view method) const {
  if (method == "exit") return true;
  return phase_ == Phase::Running;
}

}  // namespace devwatch::session
