// How client settings (initializationOptions) combine with devwatch.json.
// The rule is JSON Merge Patch (RFC 7386): objects merge key by key,
// recursively; any other value (arrays included) replaces; null removes the
// key. So {"servers": {"web": null}} from the client removes the file's "web"
// server, and {"servers": {"web": {"restartOn": ["**/*.py"]}}} replaces only
// that server's restartOn array.
// Thread-safe: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "config/config.h"

namespace devwatch::config {

// `over` applied to `base` by RFC 7386. A non-object `over` replaces `base`
// entirely (null → empty object, meaning "no settings").
nlohmann::json merge_settings(const nlohmann::json& base, const nlohmann::json& over);

// merge_settings then validate. Issues name paths in the merged document.
Validation validate_merged(const nlohmann::json& file_json, const nlohmann::json& client_json,
                           const std::string& root);
Result<Config> merge_config(const nlohmann::json& file_json, const nlohmann::json& client_json,
                            const std::string& root);

}  // namespace devwatch::config
