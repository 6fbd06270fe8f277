#include "config/load.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/merge.h"

namespace devwatch::config {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A config file this large is a mistake (or not a config file).
constexpr std::uintmax_t kMaxConfigBytes = std::uintmax_t{1024} * 1024;

bool has_settings(const json& j) { return j.is_object() && !j.empty(); }

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

}  // namespace

std::optional<ProjectAbove> find_project_above(const std::string& root, const EnvLookup& env) {
  fs::path home;
  if (auto h = env ? env("HOME") : std::nullopt; h && !h->empty()) {
    home = fs::path(*h).lexically_normal();
    if (!home.has_filename() && home != home.root_path()) home = home.parent_path();  // "/home/me/"
  }
  fs::path at = fs::path(root).lexically_normal();
  if (!at.has_filename() && at != at.root_path()) at = at.parent_path();
  // The root itself is not searched, nor anything above $HOME or /.
  while (at != at.root_path() && at != home) {
    at = at.parent_path();
    for (const char* file : {kConfigFileName, "manage.py"}) {
      if (is_file(at / file)) return ProjectAbove{file, at.string()};
    }
  }
  return std::nullopt;
}

Result<LoadedConfig> load_workspace_config(const std::string& root, const json& client_settings,
                                           const EnvLookup& env) {
  LoadedConfig out;
  std::string root_norm = fs::path(root).lexically_normal().string();
  while (root_norm.size() > 1 && root_norm.back() == '/') root_norm.pop_back();
  out.file_path = (fs::path(root_norm) / kConfigFileName).string();

  json file_json = json::object();
  std::error_code ec;
  bool file_exists = fs::exists(out.file_path, ec);
  if (file_exists) {
    auto size = fs::file_size(out.file_path, ec);
    if (ec) {
      return make_error(ErrorCode::ConfigInvalid, out.file_path + ": cannot read: " + ec.message());
    }
    if (size > kMaxConfigBytes) {
      return make_error(ErrorCode::ConfigInvalid, out.file_path + " is " + std::to_string(size) +
                                                      " bytes; a devwatch.json over 1 MiB is refused");
    }
    std::ifstream in(out.file_path, std::ios::binary);
    if (!in) return make_error(ErrorCode::ConfigInvalid, out.file_path + ": cannot open for reading");
    std::ostringstream text;
    text << in.rdbuf();
    std::vector<ConfigIssue> issues;
    auto parsed = parse_config_json(text.str(), issues);
    if (!parsed) return config_error(issues, out.file_path);
    file_json = std::move(*parsed);
  }

  json merged = merge_settings(file_json, client_settings);
  Validation v = validate_config_json(merged, root_norm);
  std::string source_name = file_exists ? out.file_path : std::string("client settings");
  if (file_exists && has_settings(client_settings)) source_name += " merged with client settings";
  if (!v.ok()) return config_error(v.issues, source_name);
  out.config = std::move(*v.config);

  if (file_exists) {
    out.source = ConfigSource::File;
    out.description = has_settings(client_settings) ? out.file_path + " + client settings" : out.file_path;
  } else if (has_settings(client_settings)) {
    out.source = ConfigSource::Client;
    out.description = "client settings";
  } else {
    out.source = ConfigSource::None;
    out.description = "none";
  }

  if (!merged.is_object() || !merged.contains("servers")) {
    if (auto detected = detect_django(root_norm, env)) {
      std::string settings_from = out.source == ConfigSource::None ? std::string() : out.description;
      out.config.servers.push_back(std::move(detected->spec));
      out.explanation = std::move(detected->explanation);
      out.source = ConfigSource::DetectedDjango;
      out.description = "detected Django project";
      if (!settings_from.empty()) out.description += " (watch settings from " + settings_from + ")";
    } else if (!file_exists) {
      // Nothing to run: an editor that roots a file's workspace one folder
      // below the project (eglot without a git root) is told where it is.
      if (auto above = find_project_above(root_norm, env)) {
        out.hint = above->file + " found in " + above->folder + ": open that folder, or add " +
                   kConfigFileName + " here";
        out.explanation.push_back(out.hint);
      }
    }
  }
  return out;
}

}  // namespace devwatch::config
