// "Did you mean" for misspelt keys and signal names.
// Thread-safe: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace devwatch::config {

// The closest candidate if it is close enough to be a likely typo
// (case-insensitive edit distance at most max(1, length / 3)).
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace devwatch::config
