// The bounded per-server output backlog: the last N lines of stdout and
// stderr, each with a sequence number that keeps counting across restarts, so
// a client that attaches late can fetch what it missed from any sequence.
// Threading: not thread-safe; owned and used on the supervisor's loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace devwatch::supervise {

enum class Stream { Stdout, Stderr };
const char* stream_name(Stream stream);  // "stdout" / "stderr"

struct OutputLine {
  uint64_t seq = 0;
  Stream stream = Stream::Stdout;
  std::string text;
  bool cut = false;  // a chunk of a longer line (continued in the next line)
};

struct Backlog {
  std::vector<OutputLine> lines;
  // Lines asked for but already evicted (from_seq older than the oldest kept):
  // reported so a client can say "N earlier lines dropped", never silently.
  uint64_t dropped = 0;
  uint64_t next_seq = 1;
};

class OutputRing {
 public:
  explicit OutputRing(size_t capacity = 10000);

  // Appends and returns the new line's sequence number (the first is 1).
  const OutputLine& push(Stream stream, std::string text, bool cut = false);

  // Lines with seq >= from_seq, oldest first (0 or 1 = everything kept).
  Backlog lines_from(uint64_t from_seq) const;
  // The last `count` lines (for crash reports).
  std::vector<OutputLine> last(size_t count) const;

  size_t size() const { return lines_.size(); }
  size_t capacity() const { return capacity_; }
  void set_capacity(size_t capacity);
  uint64_t next_seq() const { return next_seq_; }
  uint64_t evicted() const { return evicted_; }

 private:
  size_t capacity_;
  std::deque<OutputLine> lines_;
  uint64_t next_seq_ = 1;
  uint64_t evicted_ = 0;
};

}  // namespace devwatch::supervise
