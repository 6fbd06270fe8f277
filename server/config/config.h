// devwatch.json → validated settings. Parsing collects EVERY problem (JSON
// path + reason) and yields either a complete Config or an error listing
// them all: nothing is ever half-applied. Client settings
// (initializationOptions) merge over the file first (see merge.h).
// Thread-safe: pure functions over values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "supervise/spec.h"

namespace devwatch::config {

enum class WatchBackend { Auto, Inotify, Poll };
const char* backend_name(WatchBackend backend);

struct WatchSettings {
  // LSP globs, relative to the root; or absolute, made of a {baseUri, pattern}
  // (config/exclude.h), applied per root by watch/absolute_excludes.h.
  std::vector<std::string> exclude;
  bool respect_gitignore = true;
  int settle_ms = 20;
  WatchBackend backend = WatchBackend::Auto;
  int poll_interval_ms = 1000;
  // When the inotify watch budget runs out, poll the folders left without a watch.
  bool poll_unwatched = false;
};

struct Config {
  WatchSettings watch;
  std::vector<supervise::ServerSpec> servers;  // sorted by name
};

// One problem. `path` is the JSON path ("servers.web.stopSignal",
// "watch.exclude[2]", "" for the document); line/column (1-based) are set
// for JSON syntax errors only.
struct ConfigIssue {
  std::string path;
  std::string message;
  int line = 0;
  int column = 0;
  std::string to_string() const;  // "servers.web.cwd: expected a string, got number"
};

// Either a complete config or the full list of problems (never both).
struct Validation {
  std::optional<Config> config;
  std::vector<ConfigIssue> issues;
  bool ok() const { return config.has_value(); }
};

// Text → JSON (comments allowed, duplicate keys reported) → Config.
Validation validate_config_text(std::string_view text, const std::string& root);
// Already-parsed JSON (e.g. after merging) → Config. root: absolute.
Validation validate_config_json(const nlohmann::json& document, const std::string& root);

// Parses devwatch.json text with syntax errors as issues with line/column;
// returns the JSON only when it parsed.
std::optional<nlohmann::json> parse_config_json(std::string_view text, std::vector<ConfigIssue>& issues);

// The Result forms. The Error is ConfigInvalid; its message lists every issue
// one per line, its data_json is {"issues":[{"path","message","line"?,"column"?}]}.
Result<Config> parse_config(std::string_view text, const std::string& root);
Error config_error(const std::vector<ConfigIssue>& issues, const std::string& source);

}  // namespace devwatch::config
