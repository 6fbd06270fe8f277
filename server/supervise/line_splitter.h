// Splits a byte stream into lines: LF, CRLF and a lone CR (progress bars) all
// end a line; a line longer than max_line bytes is cut into chunks so memory
// stays bounded when a server prints without newlines.
// Threading: not thread-safe; one splitter per stream, used on one thread.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace devwatch::supervise {

class LineSplitter {
 public:
  // `cut` is true when the text is a chunk of a longer line (no newline seen yet).
  using Sink = std::function<void(std::string_view text, bool cut)>;

  explicit LineSplitter(Sink sink, size_t max_line = 8192);

  void feed(std::string_view bytes);
  // End of stream: emits a pending partial line, if any.
  void flush();
  size_t pending_bytes() const { return pending_.size(); }

 private:
  Sink sink_;
  size_t max_line_;
  std::string pending_;
  bool after_cr_ = false;  // a CR ended the last line; a following LF belongs to it
};

}  // namespace devwatch::supervise
