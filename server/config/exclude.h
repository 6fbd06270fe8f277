// An exclude of watch.exclude given as LSP's RelativePattern,
// {"baseUri": URI | WorkspaceFolder, "pattern": glob}: the glob is relative
// to baseUri instead of to each root. It becomes one absolute exclude
// string, the base escaped (paths::escape_glob) so that its bytes stay
// literal, which the watcher turns into each root's relative rule
// (watch/absolute_excludes.h). A plain string starting with '/' stays an
// error (validate.cpp): "/dist/**" meant root-relative would otherwise be
// taken as absolute and silently exclude nothing.
// Threading: pure function.
#pragma once

#include <optional>
#include <string>

#include "common/json.h"

namespace devwatch::config {

// The problem with `value` for people (the caller adds the JSON path, and a
// "baseUri" or "pattern" suffix where the problem names one), or nullopt and
// `out` = "<escaped base>/<pattern>".
std::optional<std::string> parse_based_exclude(const nlohmann::json& value, std::string& out);

}  // namespace devwatch::config
