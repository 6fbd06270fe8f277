// "preload" in a server of devwatch.json: true | false | ["module", ...]
// (docs/preload.md). A pure translation into supervise::PreloadSpec.
// Threading: pure function.
#pragma once

#include <optional>
#include <string>

#include "common/json.h"
#include "supervise/spec.h"

namespace devwatch::config {

// The problem with `value` for people (the caller adds the path), or nullopt.
std::optional<std::string> parse_preload(const nlohmann::json& value, supervise::PreloadSpec& out);

}  // namespace devwatch::config
