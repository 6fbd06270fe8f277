#include "supervise/line_splitter.h"

#include <algorithm>

namespace devwatch::supervise {

LineSplitter::LineSplitter(Sink sink, size_t max_line)
    : sink_(std::move(sink)), max_line_(std::max<size_t>(max_line, 1)) {}

void LineSplitter::feed(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (after_cr_) {
      after_cr_ = false;
      if (bytes[i] == '\n') {
        ++i;
        continue;
      }
    }
    // Longest run that neither ends a line nor overflows the pending buffer.
    size_t room = max_line_ - pending_.size();
    size_t end = bytes.find_first_of("\r\n", i);
    size_t run_end = std::min(end == std::string_view::npos ? bytes.size() : end, i + room);
    pending_.append(bytes.data() + i, run_end - i);
    i = run_end;
    // A full buffer is cut only once the next byte is known not to end the
    // line, so a line of exactly max_line bytes stays whole.
    if (pending_.size() >= max_line_ && i < bytes.size() && bytes[i] != '\n' && bytes[i] != '\r') {
      sink_(pending_, true);
      pending_.clear();
      continue;
    }
    if (i < bytes.size() && (bytes[i] == '\n' || bytes[i] == '\r')) {
      after_cr_ = bytes[i] == '\r';
      ++i;
      sink_(pending_, false);
      pending_.clear();
    }
  }
}

void LineSplitter::flush() {
  if (!pending_.empty()) sink_(pending_, false);
  pending_.clear();
  after_cr_ = false;
}

}  // namespace devwatch::supervise
