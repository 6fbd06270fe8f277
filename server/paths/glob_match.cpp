// Matching a compiled Glob (glob.cpp builds it), and escaping a literal
// for use inside a pattern.
#include <algorithm>
#include <vector>

#include "paths/glob.h"

namespace devwatch::paths {

std::string bracket_bytes(std::string_view text, bool (*pick)(char)) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (pick(c)) {
      out += '[';
      out += c;
      out += ']';
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_glob(std::string_view literal) {
  // ',' needs none: it is literal outside braces, and nothing is spliced
  // into braces. "[]]" is a class holding ']' (a ']' first is literal).
  return bracket_bytes(literal, [](char c) {
    return c == '*' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}';
  });
}

bool Glob::matches(std::string_view path) const {
  switch (kind_) {
    case Kind::Literal:
      return path == literal_;
    case Kind::SegmentSuffix:
      return path.size() >= literal_.size() && path.ends_with(literal_) &&
             path.find('/') == std::string_view::npos;
    case Kind::PathSuffix:
      return path.ends_with(literal_);
    case Kind::AnyDepthName:
      return path.ends_with(literal_) &&
             (path.size() == literal_.size() || path[path.size() - literal_.size() - 1] == '/');
    case Kind::Automaton:
      break;
  }
  if (path.empty()) return nullable_;

  const auto byte_at = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(path[i])); };
  if (words_ == 1) {
    std::uint64_t cur = first_[0] & accepts_[byte_at(0)];
    for (std::size_t i = 1; i < path.size() && cur != 0; ++i) {
      std::uint64_t next = 0;
      for (std::uint64_t bits = cur; bits != 0; bits &= bits - 1) {
        next |= follow_[static_cast<std::size_t>(__builtin_ctzll(bits))];
      }
      cur = next & accepts_[byte_at(i)];
    }
    return (cur & last_[0]) != 0;
  }

  const std::size_t w_count = words_;
  std::vector<std::uint64_t> cur(w_count);
  std::vector<std::uint64_t> next(w_count);
  bool alive = false;
  for (std::size_t w = 0; w < w_count; ++w) {
    cur[w] = first_[w] & accepts_[byte_at(0) * w_count + w];
    alive = alive || cur[w] != 0;
  }
  for (std::size_t i = 1; i < path.size() && alive; ++i) {
    std::fill(next.begin(), next.end(), 0);
    for (std::size_t w = 0; w < w_count; ++w) {
      for (std::uint64_t bits = cur[w]; bits != 0; bits &= bits - 1) {
        const std::size_t pos = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
        const std::uint64_t* f = &follow_[pos * w_count];
        for (std::size_t k = 0; k < w_count; ++k) next[k] |= f[k];
      }
    }
    alive = false;
    const std::uint64_t* acc = &accepts_[byte_at(i) * w_count];
    for (std::size_t w = 0; w < w_count; ++w) {
      cur[w] = next[w] & acc[w];
      alive = alive || cur[w] != 0;
    }
  }
  for (std::size_t w = 0; w < w_count; ++w) {
    if ((cur[w] & last_[w]) != 0) return true;
  }
  return false;
}

}  // namespace devwatch::paths
