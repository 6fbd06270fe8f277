// devwatch.json text → JSON: syntax errors with line and column, comments
// allowed, duplicate keys reported (nlohmann silently keeps the last one,
// which would make a config edit mysteriously "not apply").
#include <set>

#include "config/config.h"

namespace devwatch::config {
namespace {

using json = nlohmann::json;

// 1-based line and column of byte offset `byte` (a count of bytes read).
std::pair<int, int> line_column(std::string_view text, std::size_t byte) {
  int line = 1;
  int column = 1;
  std::size_t end = std::min(byte > 0 ? byte - 1 : 0, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      ++column;
    }
  }
  return {line, column};
}

// nlohmann's what(): "[json.exception.parse_error.101] parse error at line 2,
// column 5: syntax error while parsing …". Keep only the reason.
std::string reason_of(const std::string& what) {
  std::size_t at = what.find(": ");
  if (at == std::string::npos) return what;
  std::string reason = what.substr(at + 2);
  if (reason.starts_with("syntax error ")) reason = reason.substr(13);
  return reason;
}

struct Container {
  bool array = false;
  std::string key;
  std::size_t next_index = 0;
  std::set<std::string> keys;
};

std::string path_of(const std::vector<Container>& stack, const std::string& last_key) {
  std::string path;
  for (std::size_t i = 0; i < stack.size(); ++i) {
    bool last = i + 1 == stack.size();
    const Container& c = stack[i];
    if (c.array) {
      if (last) break;
      path += "[" + std::to_string(c.next_index - 1) + "]";
    } else {
      const std::string& k = last ? last_key : c.key;
      if (!path.empty()) path += ".";
      path += k;
    }
  }
  return path;
}

}  // namespace

std::optional<json> parse_config_json(std::string_view text, std::vector<ConfigIssue>& issues) {
  std::vector<Container> stack;
  std::vector<ConfigIssue> duplicates;
  auto consume_slot = [&stack] {
    if (!stack.empty() && stack.back().array) ++stack.back().next_index;
  };
  json::parser_callback_t callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        consume_slot();
        stack.push_back(Container{event == json::parse_event_t::array_start, {}, 0, {}});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!stack.empty()) stack.pop_back();
        break;
      case json::parse_event_t::key:
        if (!stack.empty() && parsed.is_string()) {
          Container& top = stack.back();
          top.key = parsed.get<std::string>();
          if (!top.keys.insert(top.key).second) {
            duplicates.push_back(ConfigIssue{
                path_of(stack, top.key),
                "duplicate key \"" + top.key + "\": only one may be given (JSON parsers disagree on which wins)",
                0, 0});
          }
        }
        break;
      case json::parse_event_t::value:
        consume_slot();
        break;
    }
    return true;
  };
  try {
    json doc = json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true,
                           /*ignore_comments=*/true);
    if (!duplicates.empty()) {
      for (auto& d : duplicates) issues.push_back(std::move(d));
      return std::nullopt;
    }
    return doc;
  } catch (const json::parse_error& e) {
    auto [line, column] = line_column(text, e.byte);
    issues.push_back(ConfigIssue{"", "invalid JSON at line " + std::to_string(line) + ", column " +
                                         std::to_string(column) + ": " + reason_of(e.what()),
                                 line, column});
    return std::nullopt;
  } catch (const json::exception& e) {
    issues.push_back(ConfigIssue{"", std::string("invalid JSON: ") + e.what(), 0, 0});
    return std::nullopt;
  }
}

}  // namespace devwatch::config
