// An in-memory rpc::Sink for tests: records what the server sends.
#pragma once

#include <vector>

#include "rpc/transport.h"

namespace devwatch::testing {

class RecordingSink : public rpc::Sink {
 public:
  void send(const json& message) override { sent.push_back(message); }
  std::size_t pending_bytes() const override { return 0; }
  std::vector<json> take() { return std::exchange(sent, {}); }
  std::vector<json> sent;
};

inline rpc::FrameEvent body(const json& message) {
  rpc::FrameEvent e;
  e.body = message.dump();
  return e;
}

}  // namespace devwatch::testing
