// Small string helpers for diagnose/: trimming, UTF-8-safe truncation and
// the code-point → UTF-16 column conversion LSP positions need.
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace devwatch::diagnose {

// Stored text (code lines, exception messages) is cut to this many bytes so
// a server printing a 10 MB line cannot make a diagnostic that large.
inline constexpr std::size_t kMaxTextBytes = 4096;

std::string_view trim(std::string_view s);
std::string_view trim_right(std::string_view s);

// At most kMaxTextBytes, never splitting a UTF-8 sequence; "…" marks a cut.
std::string truncate_utf8(std::string_view s);

// UTF-16 code units taken by the first `code_points` code points of `utf8`
// (the rest of the string counted as one unit per missing code point).
int utf16_column(std::string_view utf8, std::size_t code_points);

// Number of code points in `utf8` (invalid bytes count one each).
std::size_t code_point_count(std::string_view utf8);

}  // namespace devwatch::diagnose
