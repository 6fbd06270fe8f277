#include "session/reply.h"

#include <spdlog/spdlog.h>

namespace devwatch::session {

Reply& Reply::operator=(Reply&& other) noexcept {
  if (this != &other) {
    drop();
    pending_ = std::move(other.pending_);
  }
  return *this;
}

Reply::~Reply() { drop(); }

void Reply::drop() {
  if (pending_ && !pending_->answered) {
    spdlog::error("handler for '{}' dropped its request without replying", pending_->method);
    (*this)(make_error(ErrorCode::InternalError,
                       "internal error: '" + pending_->method + "' was not answered"));
  }
  pending_.reset();
}

void Reply::operator()(const Result<json>& result) {
  if (!pending_) return;
  if (pending_->answered) {
    // Cancelled requests end here; a second reply from a handler is a bug.
    spdlog::debug("late reply to '{}' dropped (already answered)", pending_->method);
    return;
  }
  pending_->answered = true;
  if (pending_->send) pending_->send(*pending_, result);
}

const std::string& Reply::method() const {
  static const std::string kNone;
  return pending_ ? pending_->method : kNone;
}

}  // namespace devwatch::session
