#include "config/merge.h"

namespace devwatch::config {

using json = nlohmann::json;

json merge_settings(const json& base, const json& over) {
  if (over.is_null()) return base;  // no client settings at all
  if (!over.is_object() || !base.is_object()) return over;
  json out = base;
  for (const auto& [key, value] : over.items()) {
    if (value.is_null()) {
      out.erase(key);
    } else if (value.is_object() && out.contains(key) && out[key].is_object()) {
      out[key] = merge_settings(out[key], value);
    } else if (value.is_object()) {
      // RFC 7386 applies the patch to an empty object, which also strips the
      // nulls nested inside it.
      out[key] = merge_settings(json::object(), value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

Validation validate_merged(const json& file_json, const json& client_json, const std::string& root) {
  json base = file_json.is_null() ? json::object() : file_json;
  return validate_config_json(merge_settings(base, client_json), root);
}

Result<Config> merge_config(const json& file_json, const json& client_json, const std::string& root) {
  Validation v = validate_merged(file_json, client_json, root);
  if (!v.ok()) return config_error(v.issues, "devwatch settings (devwatch.json merged with the client's)");
  return std::move(*v.config);
}

}  // namespace devwatch::config
