// The one-shot reply handle a request handler receives. Every request gets
// exactly one reply: calling twice is ignored (and logged); destroying the
// handle without replying answers InternalError; a cancelled request's late
// reply is dropped because $/cancelRequest already answered it.
// Threading: loop thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/json.h"

namespace devwatch::session {

struct PendingRequest {
  json id;
  std::string method;
  std::chrono::steady_clock::time_point started;
  bool answered = false;
  // Sends the reply (encodes, traces, writes). Set by the session.
  std::function<void(PendingRequest&, const Result<json>&)> send;
};

class Reply {
 public:
  explicit Reply(std::shared_ptr<PendingRequest> pending) : pending_(std::move(pending)) {}
  Reply(Reply&&) noexcept = default;
  Reply& operator=(Reply&&) noexcept;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply();

  void operator()(const Result<json>& result);
  // True once answered, including by $/cancelRequest: long work can stop early.
  bool answered() const { return !pending_ || pending_->answered; }
  const std::string& method() const;

 private:
  void drop();
  std::shared_ptr<PendingRequest> pending_;
};

}  // namespace devwatch::session
