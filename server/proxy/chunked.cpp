#include "proxy/chunked.h"

#include <algorithm>
#include <cstdio>

namespace devwatch::proxy {
namespace {

constexpr std::size_t kMaxLine = 4096;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ChunkedTracker::Step ChunkedTracker::feed(std::string_view data) {
  Step step;
  std::size_t& pos = step.consumed;
  while (pos < data.size() && state_ != State::Done && state_ != State::Failed) {
    std::string_view rest = data.substr(pos);
    if (state_ == State::Data) {
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
      pos += n;
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::DataEnd;
      continue;
    }
    auto nl = rest.find('\n');
    if (nl == std::string_view::npos) {
      if (rest.size() > kMaxLine) {
        state_ = State::Failed;
        error_ = "chunk line longer than 4096 bytes";
      }
      break;  // incomplete line: wait for more bytes
    }
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (state_ == State::DataEnd) {
      if (!line.empty()) {
        state_ = State::Failed;
        error_ = "chunk data not followed by CRLF";
        break;
      }
      state_ = State::Size;
    } else if (state_ == State::Size) {
      std::uint64_t size = 0;
      std::size_t digits = 0;
      for (char c : line) {
        int v = hex_value(c);
        if (v < 0) break;
        if (size > (UINT64_MAX >> 4)) {
          state_ = State::Failed;
          error_ = "chunk size overflows";
          return step;
        }
        size = size * 16 + static_cast<std::uint64_t>(v);
        ++digits;
      }
      if (digits == 0) {
        state_ = State::Failed;
        error_ = "invalid chunk size line";
        break;
      }
      if (size == 0) {
        step.last_chunk_at = pos;
        state_ = State::Trailer;
      } else {
        remaining_ = size;
        state_ = State::Data;
      }
    } else if (state_ == State::Trailer) {
      if (line.empty()) state_ = State::Done;
    }
    pos += nl + 1;
  }
  return step;
}

std::string encode_chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out(size);
  out.append(data);
  out += "\r\n";
  return out;
}

}  // namespace devwatch::proxy
