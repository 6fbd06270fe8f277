// Follows a chunked body (RFC 9112 §7.1) as it streams past, without
// buffering it: the proxy forwards chunked bytes verbatim and only needs to
// know where the body ends (for keep-alive) and where its last chunk begins
// (to insert the live-reload chunk before it). Size and trailer lines are
// consumed only once complete, so the caller keeps an incomplete line in its
// buffer and feeds it again with more bytes.
// Threading: one instance per body, loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace devwatch::proxy {

class ChunkedTracker {
 public:
  struct Step {
    std::size_t consumed = 0;  // bytes of `data` that belong to the body so far
    // Offset in `data` where the terminal "0" size line begins, when it was seen in this step.
    std::optional<std::size_t> last_chunk_at;
  };
  Step feed(std::string_view data);
  bool done() const { return state_ == State::Done; }
  // Non-empty once the framing is broken; the body cannot be delimited.
  const std::string& error() const { return error_; }

 private:
  enum class State { Size, Data, DataEnd, Trailer, Done, Failed };
  State state_ = State::Size;
  std::uint64_t remaining_ = 0;
  std::string error_;
};

// One chunk holding `data` (non-empty), as written on the wire.
std::string encode_chunk(std::string_view data);

}  // namespace devwatch::proxy
