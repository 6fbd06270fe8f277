#include "config/exclude.h"

#include <filesystem>

#include "paths/glob.h"
#include "paths/uri.h"

namespace devwatch::config {

std::optional<std::string> parse_based_exclude(const nlohmann::json& value, std::string& out) {
  for (const auto& [key, unused] : value.items()) {
    if (key != "baseUri" && key != "pattern")
      return "unknown key \"" + key + "\" in a relative pattern (known keys: baseUri, pattern)";
  }
  const auto base = value.find("baseUri");
  const auto pattern = value.find("pattern");
  if (base == value.end() || pattern == value.end())
    return "a relative pattern needs both \"baseUri\" (a file:// URI) and \"pattern\" (a glob relative to it)";
  std::string uri;
  if (base->is_string()) {
    uri = base->get<std::string>();
  } else if (base->is_object() && base->contains("uri") && (*base)["uri"].is_string()) {
    uri = (*base)["uri"].get<std::string>();  // a WorkspaceFolder
  } else {
    return "baseUri: expected a file:// URI or a WorkspaceFolder";
  }
  auto path = paths::uri_to_path(uri);
  if (!path) return "baseUri: " + path.error().message;
  if (!pattern->is_string() || pattern->get<std::string>().empty())
    return "pattern: expected a non-empty glob pattern string";
  const std::string glob = pattern->get<std::string>();
  if (glob.front() == '/') return "pattern: glob \"" + glob + "\" must be relative to baseUri (drop the leading '/')";
  if (auto compiled = paths::Glob::compile(glob); !compiled) return "pattern: " + compiled.error().message;

  std::string normal = std::filesystem::path(path.value()).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  out = (normal == "/" ? std::string() : paths::escape_glob(normal)) + "/" + glob;
  return std::nullopt;
}

}  // namespace devwatch::config
