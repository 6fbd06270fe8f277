#include "diagnose/text.h"

namespace devwatch::diagnose {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' || c == '\n'; }

bool is_continuation(unsigned char c) { return (c & 0xC0U) == 0x80U; }

// Length of the UTF-8 sequence starting at s[i] (1 for invalid bytes).
std::size_t sequence_length(std::string_view s, std::size_t i) {
  auto lead = static_cast<unsigned char>(s[i]);
  std::size_t len = 1;
  if (lead >= 0xF0U && lead < 0xF8U) {
    len = 4;
  } else if (lead >= 0xE0U) {
    len = lead < 0xF0U ? 3 : 1;
  } else if (lead >= 0xC0U) {
    len = 2;
  }
  if (i + len > s.size()) return 1;
  for (std::size_t k = 1; k < len; ++k) {
    if (!is_continuation(static_cast<unsigned char>(s[i + k]))) return 1;
  }
  return len;
}

}  // namespace

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  return trim_right(s);
}

std::string truncate_utf8(std::string_view s) {
  if (s.size() <= kMaxTextBytes) return std::string(s);
  std::size_t cut = kMaxTextBytes;
  while (cut > 0 && is_continuation(static_cast<unsigned char>(s[cut]))) --cut;
  std::string out(s.substr(0, cut));
  out += "\u2026";
  return out;
}

int utf16_column(std::string_view utf8, std::size_t code_points) {
  std::size_t units = 0;
  std::size_t i = 0;
  std::size_t seen = 0;
  while (i < utf8.size() && seen < code_points) {
    std::size_t len = sequence_length(utf8, i);
    units += len == 4 ? 2 : 1;  // astral code points take a surrogate pair
    i += len;
    ++seen;
  }
  units += code_points - seen;
  return static_cast<int>(units);
}

std::size_t code_point_count(std::string_view utf8) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < utf8.size(); i += sequence_length(utf8, i)) ++n;
  return n;
}

}  // namespace devwatch::diagnose
