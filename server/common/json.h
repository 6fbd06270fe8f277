// JSON helpers that never throw on odd bytes: serialising a string with
// invalid UTF-8 replaces the bad bytes (U+FFFD) instead of throwing. File
// paths never rely on this: they travel as percent-encoded URIs.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace devwatch {

using json = nlohmann::json;

// Compact serialisation, safe for any content.
std::string dump_json(const json& value);

// Parses without exceptions; nullopt (and a reason) on malformed input.
std::optional<json> parse_json(std::string_view text, std::string* error = nullptr);

}  // namespace devwatch
