// Where an absolute path lies below a base directory: the one place that
// answers it, for subscriptions, restart rules and messages alike.
// Thread-safe: pure function.
#pragma once

#include <optional>
#include <string_view>

namespace devwatch::paths {

// "a/b" for ("/r/a/b", "/r") or ("/r/a/b", "/r/"); nullopt when `path` is not
// strictly below `base` ("/r" itself, "/rx/a" and "/other" are not).
std::optional<std::string_view> relative_to(std::string_view path, std::string_view base);

}  // namespace devwatch::paths
