#include "supervise/output_ring.h"

#include <algorithm>

namespace devwatch::supervise {

const char* stream_name(Stream stream) { return stream == Stream::Stdout ? "stdout" : "stderr"; }

OutputRing::OutputRing(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

const OutputLine& OutputRing::push(Stream stream, std::string text, bool cut) {
  lines_.push_back(OutputLine{next_seq_++, stream, std::move(text), cut});
  while (lines_.size() > capacity_) {
    lines_.pop_front();
    ++evicted_;
  }
  return lines_.back();
}

Backlog OutputRing::lines_from(uint64_t from_seq) const {
  Backlog backlog;
  backlog.next_seq = next_seq_;
  const uint64_t oldest = lines_.empty() ? next_seq_ : lines_.front().seq;
  const uint64_t from = std::max<uint64_t>(from_seq, 1);
  if (from < oldest) backlog.dropped = oldest - from;
  if (from >= next_seq_) return backlog;
  const size_t skip = from > oldest ? static_cast<size_t>(from - oldest) : 0;
  backlog.lines.assign(lines_.begin() + static_cast<std::ptrdiff_t>(skip), lines_.end());
  return backlog;
}

std::vector<OutputLine> OutputRing::last(size_t count) const {
  const size_t n = std::min(count, lines_.size());
  return {lines_.end() - static_cast<std::ptrdiff_t>(n), lines_.end()};
}

void OutputRing::set_capacity(size_t capacity) {
  capacity_ = std::max<size_t>(capacity, 1);
  while (lines_.size() > capacity_) {
    lines_.pop_front();
    ++evicted_;
  }
}

}  // namespace devwatch::supervise
