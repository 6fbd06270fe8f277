#include "config/preload.h"

#include <algorithm>

namespace devwatch::config {
namespace {

// A dotted module path: the launcher imports exactly these names.
bool module_name(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

}  // namespace

std::optional<std::string> parse_preload(const nlohmann::json& value, supervise::PreloadSpec& out) {
  if (value.is_boolean()) {
    out.enabled = value.get<bool>();
    out.modules.clear();
    return std::nullopt;
  }
  if (!value.is_array()) {
    return std::string("expected true, false or a list of module names to preload, got ") + value.type_name();
  }
  std::vector<std::string> modules;
  for (const auto& item : value) {
    if (!item.is_string() || !module_name(item.get<std::string>())) {
      return "expected module names like \"django\" or \"rest_framework.views\", got " + item.dump();
    }
    modules.push_back(item.get<std::string>());
  }
  if (modules.empty()) return "an empty list preloads nothing: use true for the defaults or false to turn it off";
  out.enabled = true;
  out.modules = std::move(modules);
  return std::nullopt;
}

}  // namespace devwatch::config
