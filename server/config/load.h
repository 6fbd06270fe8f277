// Where a workspace's settings come from: <root>/devwatch.json merged with
// the client's settings, else a detected Django project, else nothing.
// Reads the file system; call it from one thread at a time per root.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "config/config.h"
#include "config/django.h"

namespace devwatch::config {

inline constexpr const char* kConfigFileName = "devwatch.json";

enum class ConfigSource { File, Client, DetectedDjango, None };

struct LoadedConfig {
  Config config;
  ConfigSource source = ConfigSource::None;
  // "/ws/devwatch.json", "/ws/devwatch.json + client settings",
  // "client settings", "detected Django project", "none".
  std::string description;
  std::string file_path;                  // <root>/devwatch.json (watched for edits even when absent)
  std::vector<std::string> explanation;   // for a detected project: one line per choice
  // Nothing to run here, but a project above: "manage.py found in /home/me/blog:
  // open that folder, or add devwatch.json here" (also the last explanation line).
  std::string hint;
};

// A project in a parent folder of a root: which file was found, in which folder.
struct ProjectAbove {
  std::string file;    // "devwatch.json" or "manage.py"
  std::string folder;  // absolute
};

// Looks for devwatch.json, then manage.py, in each parent folder of `root`,
// nearest first, up to the file system root or $HOME, whichever comes first
// (both included); stops at the first hit.
std::optional<ProjectAbove> find_project_above(const std::string& root, const EnvLookup& env);

// Rules (docs/config.md, "Where settings come from"):
//  1. client settings merge over devwatch.json (RFC 7386), then validate;
//  2. if the merged settings have no "servers" key at all and the root holds
//     manage.py, the detected "django" server is added ("servers": {} turns
//     detection off);
//  3. an invalid file or merge is an error (ConfigInvalid) — no fallback to
//     detection, nothing half-applied;
//  4. with neither devwatch.json nor manage.py at the root and no "servers"
//     from the client, a project in a parent folder becomes the `hint`.
Result<LoadedConfig> load_workspace_config(const std::string& root, const nlohmann::json& client_settings,
                                           const EnvLookup& env);

}  // namespace devwatch::config
