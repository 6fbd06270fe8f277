// The issue collector every part of devwatch.json's validation shares
// (validate.cpp for the top level and "watch", validate_server.cpp for
// "servers"): typed readers that record a ConfigIssue, with its JSON path,
// instead of stopping at the first problem.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace devwatch::config {

// "integer", "number", "string", ...: the JSON type as a message names it.
std::string type_of(const nlohmann::json& v);
std::string in_quotes(const std::string& s);
// parent.key, or parent["odd key"] for a key that would be ambiguous.
std::string child_path(const std::string& parent, const std::string& key);

class Validator {
 public:
  explicit Validator(std::string root) : root_(std::move(root)) {}

  std::vector<ConfigIssue> issues;
  // The normalised workspace root.
  const std::string& root() const { return root_; }

  void issue(const std::string& path, std::string message);
  void expected(const std::string& path, const std::string& what, const nlohmann::json& got);
  // Reports keys outside `known`, with a suggestion when one is close.
  void unknown_keys(const nlohmann::json& obj, const std::string& path, const std::vector<std::string>& known);
  // Each reader leaves `out` alone when the key is absent or invalid.
  void boolean(const nlohmann::json& obj, const std::string& path, const char* key, bool& out);
  template <class Int>
  void integer(const nlohmann::json& obj, const std::string& path, const char* key, long long min,
               long long max, Int& out) {
    long long v = 0;
    if (integer_value(obj, path, key, min, max, v)) out = static_cast<Int>(v);
  }
  // based_ok: an item may also be a {baseUri, pattern} object (watch.exclude; see exclude.h).
  void globs(const nlohmann::json& obj, const std::string& path, const char* key, std::vector<std::string>& out,
             bool based_ok = false);

 private:
  // True when obj[key] is an integer within [min, max], stored in out.
  bool integer_value(const nlohmann::json& obj, const std::string& path, const char* key, long long min,
                     long long max, long long& out);

  std::string root_;
};

}  // namespace devwatch::config
