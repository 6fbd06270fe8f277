#include "common/json.h"

namespace devwatch {

std::string dump_json(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<json> parse_json(std::string_view text, std::string* error) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    if (error) {
      // nlohmann prefixes "[json.exception.parse_error.101] "; users need only the rest.
      std::string what = e.what();
      auto close = what.find("] ");
      *error = close != std::string::npos && what.rfind("[json.exception", 0) == 0 ? what.substr(close + 2) : what;
    }
    return std::nullopt;
  }
}

}  // namespace devwatch
